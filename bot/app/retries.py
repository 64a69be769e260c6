"""Deliveries tried again: those a stopped process had claimed but not confirmed (recovered at
start), and failed ones whose retry time has come, each rebuilt from its stored job key by the
owner of its kind (`Rebuilders`) and re-checked against the chat's settings when it is sent."""

from __future__ import annotations

import logging
from datetime import datetime

from ..delivery import DeliveryJob, Item
from ..domain.interfaces import ChatRef
from ..domain.jobkeys import Rebuilders
from ..domain.zones import UTC, unix_time
from ..storage.values import ChatKey, Pending
from .fanout import UNKNOWN_CHAT, Fanout
from .state import AppState

log = logging.getLogger(__name__)


class Retries:
    def __init__(self, state: AppState, *, fanout: Fanout, rebuilders: Rebuilders[DeliveryJob]):
        self.state, self.fanout, self.rebuilders = state, fanout, rebuilders

    async def recover(self) -> int:
        """At start: deliveries a stopped process had claimed but not confirmed are retried."""
        return await self.state.store.requeue_unfinished(now=unix_time(self.state.clock.now()))

    async def next_retry_at(self) -> datetime | None:
        at = await self.state.store.next_retry_at()
        return datetime.fromtimestamp(at, UTC) if at is not None else None

    async def retry_due(self) -> int:
        """Claim every failed delivery whose time has come and queue it again (all of them, in
        one statement; each is re-checked against the chat's settings when it is sent)."""
        store = self.state.store
        now = self.state.clock.now()
        pending = await store.claim_due_retries(now=unix_time(now))
        if not pending:
            return 0
        chats = await store.chat_flags({(p.delivery.platform, p.delivery.chat_id) for p in pending})
        jobs: dict[tuple[str, str], DeliveryJob | None] = {}
        count = late = 0
        for p in pending:
            d = p.delivery
            chat = ChatRef.from_key(d.platform, d.chat_id)
            if (d.kind, d.job) not in jobs:
                jobs[(d.kind, d.job)] = await self._job_for(p)
            job = jobs[(d.kind, d.job)]
            if job is None or unix_time(now) > p.expires_at:
                self.fanout.ledger.outcome(d.kind, d.job, chat, "no longer timely, or gone from the catalog", None)
                late += job is not None
                continue
            private, zone, mention, language = chats.get(ChatKey(d.platform, d.chat_id), UNKNOWN_CHAT)
            item = Item(job, chat, private, zone, version=-1, attempts=p.attempts, mention=mention, language=language)
            self.fanout.queue(job, d.platform, [item])
            count += 1
        if late:
            log.warning("%d deliveries due for a retry were dropped: too late by now", late)
        return count

    async def _job_for(self, pending: Pending) -> DeliveryJob | None:
        d = pending.delivery
        return await self.rebuilders.rebuild(d.kind, d.job, datetime.fromtimestamp(pending.expires_at, UTC))
