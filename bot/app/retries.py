"""Deliveries tried again: those a stopped process had claimed but not confirmed (recovered at
start), and failed ones whose retry time has come, each rebuilt from its stored job key by the
owner of its kind (`Rebuilders`, through `Redelivery`) and re-checked against the chat's
settings when it is sent. With a shared database each platform's sender takes its retries from
the queue itself (`bot.app.sending`), so nothing here runs."""

from __future__ import annotations

from datetime import datetime

from ..domain.zones import UTC, unix_time
from .fanout import Fanout
from .state import AppState


class Retries:
    def __init__(self, state: AppState, *, fanout: Fanout):
        self.state, self.fanout = state, fanout

    async def recover(self) -> int:
        """At start: deliveries a stopped process had claimed but not confirmed are retried (with
        a shared database, each sending role's new holder takes back what older ones left)."""
        if self.fanout.shared:
            return 0
        return await self.state.store.requeue_unfinished(now=unix_time(self.state.clock.now()))

    async def next_retry_at(self) -> datetime | None:
        if self.fanout.shared:
            return None
        at = await self.state.store.next_retry_at()
        return datetime.fromtimestamp(at, UTC) if at is not None else None

    async def retry_due(self) -> int:
        """Claim every failed delivery whose time has come and queue it again (all of them, in
        one statement; each is re-checked against the chat's settings when it is sent)."""
        if self.fanout.shared:
            return 0
        pending = await self.state.store.claim_due_retries(now=unix_time(self.state.clock.now()))
        if not pending:
            return 0
        count = 0
        for job, items in await self.fanout.redelivery.items(pending, sender=None):
            for item in items:
                self.fanout.queue(job, item.chat.platform, [item])
            count += len(items)
        return count
