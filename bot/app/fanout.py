"""Delivery as the app runs it: one outbox per platform and the ledger writer, and a job handed
to every chat that should get it. A fan-out claims one ledger row per chat (in chunks, so the
first messages leave while later chunks are still being claimed) and hands the items to that
platform's outbox (`bot.delivery`); a platform with no running adapter gets its items failed
with a retry time."""

from __future__ import annotations

import logging
import operator
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import timedelta
from typing import TypeVar

from ..delivery import DeliveryJob, Item, Ledger, Outbox
from ..domain.interfaces import Adapter, ChatRef, Platform
from ..domain.zones import unix_time
from ..storage.values import ChatFlags, LedgerJob, Recipient
from .chats import ChatOwner
from .state import AppState

log = logging.getLogger(__name__)

T = TypeVar("T")

NO_ADAPTER_RETRY = timedelta(minutes=15)
UNKNOWN_CHAT = ChatFlags(is_private=True, timezone=None, mention=None)  # a chat the database no longer has
CLAIM_CHUNK = 10_000  # ledger rows claimed in one statement; a fan-out sends one chunk while claiming the next

by_chat = operator.itemgetter(0, 1)  # a recipient's (platform, chat id)
_chat_ref = tuple.__new__  # ChatRef(platform, chat) without the named tuple's Python-level __new__


class Fanout:
    def __init__(self, state: AppState, *, chats: ChatOwner, adapters: Mapping[str, Adapter]):
        self.state, self.chats, self.adapters = state, chats, adapters
        self.ledger = Ledger(state.store, state.clock, on_retries=state.changed)
        self.outboxes: dict[str, Outbox] = {}
        self._stamp = 0

    # ---- lifecycle --------------------------------------------------------------------------------

    def open(self) -> None:
        """Start the ledger writer and one outbox per adapter (adapters are connected by now)."""
        config = self.state.config
        self.ledger.start()
        for platform, adapter in self.adapters.items():
            outbox = Outbox(
                adapter=adapter, ledger=self.ledger, owner=self.chats,
                send_timeout=config.delivery.send_timeout,
                paid_broadcast=config.paid_broadcast(platform), on_rate=self.state.changed,
            )
            outbox.start()
            self.outboxes[platform] = outbox

    async def close(self, grace: float | None = None) -> None:
        """Let sends in flight finish (bounded), then record every outcome."""
        wait = self.state.config.delivery.stop_grace if grace is None else grace
        for outbox in self.outboxes.values():
            await outbox.close(wait)
        await self.ledger.close()

    async def abandon(self) -> None:
        """Cut every send off and forget what is buffered (a simulated crash)."""
        for outbox in self.outboxes.values():
            await outbox.close(0)
        await self.ledger.abandon()

    async def idle(self) -> None:
        """Wait until every queued message was sent or given up, and recorded."""
        for outbox in self.outboxes.values():
            await outbox.idle()
        await self.ledger.flush()

    def rates(self) -> dict[str, float | None]:
        """Messages per second each running platform can take."""
        return {platform: outbox.planning_rate for platform, outbox in self.outboxes.items()}

    # ---- an adapter's own requests ------------------------------------------------------------------

    async def request_slot(self, platform: Platform) -> None:
        """One slot of the platform's pace for an adapter's own request (no chat, reply priority)."""
        outbox = self.outboxes.get(platform)
        if outbox is not None:
            await outbox.request_slot()

    async def send_reply(self, chat: ChatRef, send: Callable[[], Awaitable[T]]) -> T:
        """Run an adapter's reply call under its platform's pace, ahead of reminders and news."""
        outbox = self.outboxes.get(chat.platform)
        if outbox is None:
            return await send()
        return await outbox.send_reply(chat, send)

    # ---- fan-outs ---------------------------------------------------------------------------------

    async def fan_out(self, job: DeliveryJob, targets: Sequence[tuple[str, str]],
                      where: Callable[[Recipient], bool] | None = None) -> int:
        """Queue `job` once to every chat following any of `targets` now (and passing `where`);
        returns how many."""
        version = self.chats.version
        recipients = await self.state.store.recipients(targets)
        return await self.claim_and_queue(job, [r for r in recipients if where is None or where(r)], version)

    async def claim_and_queue(self, job: DeliveryJob, recipients: list[Recipient], version: int) -> int:
        """Claim and queue in chunks, so the first messages leave while later chunks are still
        being claimed (the database works in its own thread meanwhile)."""
        recipients.sort(key=by_chat)
        count = 0
        for start in range(0, len(recipients), CLAIM_CHUNK):
            items = await self.claim(job, recipients[start : start + CLAIM_CHUNK], version)
            for platform, batch in items.items():
                self.queue(job, platform, batch)
                count += len(batch)
        return count

    async def claim(self, job: DeliveryJob, chunk: list[Recipient], version: int) -> dict[str, list[Item]]:
        """Claim `job` for a chunk of recipients (sorted by chat); the items to queue, by platform:
        one per row this claim inserted."""
        stamp = self._next_stamp()
        claimed = await self.state.store.claim(LedgerJob(job.kind, job.key, unix_time(job.expires)), recipients=chunk, stamp=stamp)
        if len(claimed) != len(chunk):  # some had a ledger row already: only the rows this claim inserted
            taken = set(claimed)
            chunk = [r for r in chunk if (r.platform, r.chat_id) in taken]
        items: dict[str, list[Item]] = {}
        # claims come back sorted by platform and chat, as `chunk` is. The hot loop of a fan-out (one
        # pass per recipient): the recipient unpacked once, a plain chat's ChatRef made as the tuple
        # it is (its generated __new__ costs a Python call), the batch list looked up, not made.
        for seq, (platform, chat_id, private, zone, _leads, mention, language) in enumerate(chunk):
            chat = _chat_ref(ChatRef, (platform, chat_id, None)) if "/" not in chat_id else ChatRef.from_key(platform, chat_id)
            batch = items.get(platform)
            if batch is None:
                batch = items[platform] = []
            batch.append(Item(job, chat, private, zone, version, stamp=stamp, seq=seq, mention=mention, language=language))
        return items

    def queue(self, job: DeliveryJob, platform: str, items: list[Item]) -> None:
        outbox = self.outboxes.get(platform)
        if outbox is not None:
            outbox.submit(job, items)
            return
        retry_at = self.state.clock.now() + NO_ADAPTER_RETRY
        log.warning("no %s adapter is running: %d %s deliveries wait until %s", platform, len(items), job.kind, retry_at)
        for item in items:
            self.ledger.failed(item, f"no {platform} adapter is running", retry_at if retry_at < job.expires else None)

    def _next_stamp(self) -> int:
        """A claim stamp no other claim of this database has used (microseconds, strictly increasing)."""
        self._stamp = max(self._stamp + 1, int(self.state.clock.now().timestamp() * 1_000_000), time.time_ns() // 1000)
        return self._stamp
