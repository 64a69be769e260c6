"""The app floor: the owners of state changes, above storage and delivery.

- `state`: what they share (database, settings, clock, the catalog snapshot, change listeners).
- `chats`: chats, subscriptions and settings, and all a change implies (planner, caches, versions).
- `fanout`: outboxes and the ledger; a job claimed once per chat and queued.
- `reminders`, `news`, `feeds`, `retries`: reminder fan-outs, articles and digests, the feed
  administration, deliveries retried or recovered.
- `listings`, `access`: what adapters and commands read (names, upcoming episodes; who may do what).
- `live`, `releases`, `host`: the live catalog, streaming releases, and what they see of the app.
- `core`: `Core`, the composition of all of them that the scheduler drives.
"""
