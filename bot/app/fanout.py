"""Delivery as the app runs it: one outbox per platform and the ledger writer, and a job handed
to every chat that should get it. A fan-out claims one ledger row per chat (in chunks, so the
first messages leave while later chunks are still being claimed) and hands the items to that
platform's outbox (`bot.delivery`); a platform with no running adapter gets its items failed
with a retry time. Where processes share the database (`open(sending=())`), a platform this
process does not send gets its rows queued for the process that does (`bot.app.sending`)."""

from __future__ import annotations

import asyncio
import logging
import operator
import time
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from datetime import timedelta
from itertools import groupby
from typing import TypeVar

from ..delivery import DeliveryJob, Item, Ledger, Outbox
from ..domain.interfaces import Adapter, ChatRef, Platform
from ..domain.jobkeys import Rebuilders
from ..domain.roles import Lease
from ..domain.zones import unix_time
from ..storage.values import LedgerJob, Recipient
from .chats import ChatOwner
from .sending import QueueSender, Redelivery
from .state import AppState

log = logging.getLogger(__name__)

T = TypeVar("T")

NO_ADAPTER_RETRY = timedelta(minutes=15)
CLAIM_CHUNK = 10_000  # ledger rows claimed in one statement; a fan-out sends one chunk while claiming the next

by_chat = operator.itemgetter(0, 1)  # a recipient's (platform, chat id)
_chat_ref = tuple.__new__  # ChatRef(platform, chat) without the named tuple's Python-level __new__


class Fanout:
    def __init__(self, state: AppState, *, chats: ChatOwner, adapters: Mapping[str, Adapter],
                 rebuilders: Rebuilders[DeliveryJob]):
        self.state, self.chats, self.adapters = state, chats, adapters
        self.ledger = Ledger(state.store, state.clock, on_retries=state.changed)
        self.redelivery = Redelivery(state, ledger=self.ledger, rebuilders=rebuilders)
        self.outboxes: dict[str, Outbox] = {}
        self.shared = False  # True: platforms send only under their sending role (`start_sending`)
        self.senders: dict[str, QueueSender] = {}  # the platforms this process sends from the shared queue
        self.handed_over = 0  # rows queued for another process's sender so far
        self._handing_back: set[asyncio.Task] = set()
        self._stamp = 0

    # ---- lifecycle --------------------------------------------------------------------------------

    def open(self, sending: Collection[Platform] | None = None) -> None:
        """Start the ledger writer and one outbox per adapter (adapters are connected by now).
        `sending` None: every platform sends, as one process does alone. Otherwise the database is
        shared and no platform sends until `start_sending` gives it its role (replies still go
        through this process's outboxes)."""
        if sending:
            raise ValueError("with a shared database a platform sends only under its role: use start_sending")
        self.shared = sending is not None
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
        for platform in list(self.senders):
            await self.stop_sending(platform, grace=wait)
        for outbox in self.outboxes.values():
            await outbox.close(wait)
        await self.ledger.close()

    async def abandon(self) -> None:
        """Cut every send off and forget what is buffered (a simulated crash)."""
        for sender in self.senders.values():
            await sender.abandon()
        self.senders.clear()
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

    # ---- the sending roles (a shared database) -------------------------------------------------------

    async def start_sending(self, platform: Platform, lease: Lease) -> None:
        """This process now sends `platform` under `lease` (its `send:<platform>` role): rows an
        older generation left claimed are queued again, then due rows are taken as they come."""
        outbox = self.outboxes.get(platform)
        if outbox is None:
            log.warning("holding %s without a %s adapter: nothing is sent", lease.role, platform)
            return
        current = self.senders.get(platform)
        if current is not None:
            if current.generation == lease.generation:
                return
            await self.stop_sending(platform)
        sender = QueueSender(self.state, outbox=outbox, redelivery=self.redelivery, lease=lease)
        self.senders[platform] = sender
        sender.start()

    async def stop_sending(self, platform: str, *, grace: float | None = None) -> None:
        """This process no longer sends `platform`: what it took and did not send goes back to the
        queue at once, after the sends in flight (bounded by stop_grace) are recorded."""
        sender = self.senders.pop(platform, None)
        if sender is None:
            return
        wait = self.state.config.delivery.stop_grace if grace is None else grace
        handed = await sender.stop(wait)
        log.info("stopped sending %s (generation %d): %d deliveries handed back to the queue",
                 platform, sender.generation, handed)

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
        count = -self.handed_over
        for start in range(0, len(recipients), CLAIM_CHUNK):
            items = await self.claim(job, recipients[start : start + CLAIM_CHUNK], version)
            for platform, batch in items.items():
                self.queue(job, platform, batch)
                count += len(batch)
        return count + self.handed_over

    async def claim(self, job: DeliveryJob, chunk: list[Recipient], version: int) -> dict[str, list[Item]]:
        """Claim `job` for a chunk of recipients (sorted by chat); the items to queue, by platform:
        one per row this claim inserted. With a shared database, a platform another process sends
        gets its rows queued for that process instead (counted in `handed_over`)."""
        if not self.shared:
            return await self._claim(job, chunk, version, sender=None)
        items: dict[str, list[Item]] = {}
        ledger_job = LedgerJob(job.kind, job.key, unix_time(job.expires))
        for platform, group in groupby(chunk, key=operator.itemgetter(0)):
            recipients = list(group)
            sender = self.senders.get(platform)
            if sender is not None:
                items.update(await self._claim(job, recipients, version, sender=sender.generation))
                continue
            queued = await self.state.store.claim(ledger_job, recipients=recipients, due=unix_time(self.state.clock.now()))
            if queued:
                self.handed_over += len(queued)
                await self.state.store.wake_sender(platform)
                log.info("%d %s deliveries of %s %s queued for the process sending %s",
                         len(queued), platform, job.kind, job.key, platform)
        return items

    async def _claim(self, job: DeliveryJob, chunk: list[Recipient], version: int, *,
                     sender: int | None) -> dict[str, list[Item]]:
        stamp = self._next_stamp()
        claimed = await self.state.store.claim(LedgerJob(job.kind, job.key, unix_time(job.expires)), recipients=chunk,
                                               stamp=stamp, sender=sender)
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
            batch.append(Item(job, chat, private, zone, version, stamp=stamp, seq=seq, mention=mention, language=language,
                              sender=sender))
        return items

    def queue(self, job: DeliveryJob, platform: str, items: list[Item]) -> None:
        outbox = self.outboxes.get(platform)
        if outbox is not None:
            if self.shared and not self._still_sending(platform, items):
                return
            outbox.submit(job, items)
            return
        retry_at = self.state.clock.now() + NO_ADAPTER_RETRY
        log.warning("no %s adapter is running: %d %s deliveries wait until %s", platform, len(items), job.kind, retry_at)
        for item in items:
            self.ledger.failed(item, f"no {platform} adapter is running", retry_at if retry_at < job.expires else None)

    def _still_sending(self, platform: str, items: list[Item]) -> bool:
        """Whether items claimed under a sending role (one claim: one generation) may still leave
        from here. When the role moved on between claiming and queueing, their rows go back to the
        queue for the next sender instead (once the claim is committed, as it is by now)."""
        sender = self.senders.get(platform)
        generation = items[0].sender if items else None
        if sender is not None and sender.generation == generation:
            return True
        if generation is not None:
            log.info("%d %s deliveries were claimed while this process sent %s; they go to its next sender",
                     len(items), platform, platform)
            task = asyncio.get_running_loop().create_task(self._hand_back(platform, generation))
            self._handing_back.add(task)
            task.add_done_callback(self._handing_back.discard)
        return False

    async def _hand_back(self, platform: str, generation: int) -> None:
        store = self.state.store
        try:
            await store.requeue_claimed(platform=platform, sender=generation, now=unix_time(self.state.clock.now()),
                                        scope="own")
            await store.wake_sender(platform)
        except Exception as exc:  # the next holder takes them back when it starts
            log.warning("cannot hand %s deliveries back to the queue (%s)", platform, exc)

    def _next_stamp(self) -> int:
        """A claim stamp no other claim of this database has used (microseconds, strictly increasing)."""
        self._stamp = max(self._stamp + 1, int(self.state.clock.now().timestamp() * 1_000_000), time.time_ns() // 1000)
        return self._stamp
