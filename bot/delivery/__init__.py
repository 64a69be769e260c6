"""Delivery: every message the bot sends leaves through it, one outbox per platform.

A fan-out claims its ledger rows and hands the outbox one `Item` per chat; it returns at once,
so the scheduler is never held by a fan-out. Workers (as many as the platform allows in flight)
take items in order of class (replies to a person first, then reminder jobs sharing the rate
round-robin, so a small job due during a big fan-out goes out at once, then news), keep under
the limits the adapter declares (overall, per chat, per group), render each message when it is
sent (the chat's settings and subscriptions as they are then), and read the outcome:

- accepted: confirmed in the ledger, in batches (every 500 sends and every 250 ms);
- rate limited: the chat waits as long as the platform asked, the rest of the platform (unless it
  scopes the limit to the chat) at most PLATFORM_PAUSE_CAP seconds, and the item goes back to the
  front of its queue; nothing is marked sent before it was accepted;
- unreachable: the chat is paused (subscriptions kept) and its delivery dropped;
- moved: the chat's rows move to the new id and the message goes there;
- anything else, a timeout, or an exception of any kind: a transient failure, retried later
  through the ledger with backoff until the message is no longer timely.

A send that never returns is abandoned after `send_timeout` seconds by a watchdog (a timeout
per send would cost more than the whole no-op fan-out). Stopping lets sends in flight finish
for a bounded grace period and confirms them; queued items stay claimed and are retried at the
next start.

- `jobs`: what the outbox delivers (`DeliveryJob`, `Item`, `ReplyItem`), to whom it reports
  (`DeliveryOwner`), and when a failed send is tried again (`retry_time`).
- `ledger`: the ledger's write side: outcomes batched, written by one task, kept when a write fails.
- `lanes`: the queues of one outbox, one lane per kind of job, and the messages a chat's limit held
  back, released in the order they were held.
- `adaptive`: the pace at the platform: the send window, rate x answer time in flight, the rate
  achieved and the one a fan-out may plan with.
- `outbox`: the workers, sending and reading each outcome, rate limits, stopping.
- `recheck`: a queued message's chat read again when it is sent (`chat_now`: paused or gone).
"""
from .jobs import MAX_ATTEMPTS, DeliveryJob, DeliveryOwner, Item, ReplyItem, retry_time
from .ledger import Ledger, confirmations
from .outbox import Outbox
from .recheck import PAUSED_OR_GONE, chat_now

__all__ = [
    "MAX_ATTEMPTS",
    "PAUSED_OR_GONE",
    "DeliveryJob",
    "DeliveryOwner",
    "Item",
    "Ledger",
    "Outbox",
    "ReplyItem",
    "confirmations",
    "chat_now",
    "retry_time",
]
