"""The ledger as the queue of several processes on one database (issue 17).

Where processes share the database, one process at a time holds a platform's sending role
(`send:<platform>`, a `Lease` with a generation). A fan-out in a process that does not send the
platform writes its rows as due queue rows and wakes the sender; the sender (`QueueSender`)
takes due rows in batches (fan-outs and retries alike), stamped with its generation, renders
each at send time from its job key (`Redelivery`, as a retry), sends under the outbox's pace and
confirms in batches only where the row still carries its generation. A new sender first hands
back the rows an older generation left claimed: a dead sender's last unconfirmed quarter second
is sent again, nothing is lost.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from ..delivery import DeliveryJob, Item, Ledger, Outbox
from ..domain.interfaces import ChatRef
from ..domain.jobkeys import Rebuilders
from ..domain.roles import Lease
from ..domain.zones import UTC, unix_time
from ..storage.values import ChatFlags, ChatKey, Pending
from .state import AppState

log = logging.getLogger(__name__)

UNKNOWN_CHAT = ChatFlags(is_private=True, timezone=None, mention=None)  # a chat the database no longer has
POLL = 1.0  # seconds between looks for due rows when no wake-up came
QUEUE_SECONDS = 2.0  # rows a sender holds in its outbox: this many seconds at its pace...
QUEUE_UNPACED = 500  # ...or this many for a platform with no pace
REFILL_CHECK = 0.05  # seconds between looks at an outbox too full to take more
STORE_RETRY = 1.0  # seconds before taking again after the database failed


class Redelivery:
    """Deliveries read back from the ledger (retries, queue rows) made into outbox items again:
    each job rebuilt from its stored key, each chat's settings read as they are now."""

    def __init__(self, state: AppState, *, ledger: Ledger, rebuilders: Rebuilders[DeliveryJob]):
        self.state, self.ledger, self.rebuilders = state, ledger, rebuilders

    async def items(self, pending: list[Pending], *, sender: int | None) -> list[tuple[DeliveryJob, list[Item]]]:
        """The items to queue, by job (in the order of `pending`); a delivery whose job is gone
        or too late is recorded as dropped (under `sender`, when given)."""
        store = self.state.store
        now = self.state.clock.now()
        chats = await store.chat_flags({(p.delivery.platform, p.delivery.chat_id) for p in pending})
        jobs: dict[tuple[str, str], DeliveryJob | None] = {}
        out: dict[tuple[str, str], tuple[DeliveryJob, list[Item]]] = {}
        late = 0
        for p in pending:
            d = p.delivery
            chat = ChatRef.from_key(d.platform, d.chat_id)
            if (d.kind, d.job) not in jobs:
                jobs[(d.kind, d.job)] = await self.rebuilders.rebuild(d.kind, d.job, datetime.fromtimestamp(p.expires_at, UTC))
            job = jobs[(d.kind, d.job)]
            if job is None or unix_time(now) > p.expires_at:
                self.ledger.outcome(d.kind, d.job, chat, "no longer timely, or gone from the catalog", None, sender=sender)
                late += job is not None
                continue
            private, zone, mention, language = chats.get(ChatKey(d.platform, d.chat_id), UNKNOWN_CHAT)
            item = Item(job, chat, private, zone, version=-1, attempts=p.attempts, mention=mention, language=language,
                        sender=sender)
            out.setdefault((d.kind, d.job), (job, []))[1].append(item)
        if late:
            log.warning("%d deliveries due for a retry were dropped: too late by now", late)
        return list(out.values())


class QueueSender:
    """One platform's sending from the shared queue, under one generation of its sending role."""

    def __init__(self, state: AppState, *, outbox: Outbox, redelivery: Redelivery, lease: Lease):
        self.state, self.outbox, self.redelivery = state, outbox, redelivery
        self.platform = outbox.platform
        self.generation = lease.generation
        self.taken = 0  # rows taken from the queue so far
        self._task: asyncio.Task | None = None

    def _now(self) -> int:
        return unix_time(self.state.clock.now())

    def start(self) -> None:
        """Start sending: first what older generations left claimed (a dead or replaced sender's
        rows) is queued again, then due rows are taken as they come."""
        self._task = asyncio.get_running_loop().create_task(self._run(), name=f"queue-{self.platform}")

    async def _take_over(self) -> None:
        """Queue again what older generations left claimed; tried until the database answers."""
        while True:
            try:
                requeued = await self.state.store.requeue_claimed(
                    platform=self.platform, sender=self.generation, now=self._now(), scope="older")
            except Exception as exc:
                log.warning("cannot take over the %s queue yet (%s); trying again", self.platform, exc)
                await asyncio.sleep(STORE_RETRY)
                continue
            if requeued:
                log.info("%d %s deliveries an earlier sender had taken are queued again", requeued, self.platform)
            return

    def _depth(self) -> int:
        rate = self.outbox.planning_rate
        return QUEUE_UNPACED if rate is None else max(10, int(rate * QUEUE_SECONDS))

    async def _run(self) -> None:
        store = self.state.store
        await self._take_over()
        while True:
            depth = self._depth()
            room = depth - self.outbox.queued
            if room * 2 < depth:  # take in batches of at least half the depth
                await asyncio.sleep(REFILL_CHECK)
                continue
            try:
                pending = await store.take_due(platform=self.platform, sender=self.generation, now=self._now(), limit=room)
                if not pending:
                    await store.wait_due(self.platform, timeout=POLL)
                    continue
                self.taken += len(pending)
                for job, items in await self.redelivery.items(pending, sender=self.generation):
                    self.outbox.submit(job, items)
            except Exception as exc:  # the database failed: rows stay due or claimed, try again
                log.warning("cannot take %s deliveries from the queue (%s); trying again", self.platform, exc)
                await asyncio.sleep(STORE_RETRY)

    async def stop(self, grace: float) -> int:
        """Stop taking; take back what is queued but not sent, let sends in flight finish (up to
        `grace` s), record every outcome, and hand the rest back to the queue at once; returns
        how many rows were handed back."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        self.outbox.withdraw(lambda item: item.sender != self.generation)
        try:
            await asyncio.wait_for(self.outbox.idle(), grace)
        except TimeoutError:
            log.warning("%s sends still in flight after %g s: their chats may get them twice", self.platform, grace)
        if not await self.redelivery.ledger.flush():
            return 0  # outcomes unwritten: handing back now would repeat them; the next holder takes over
        try:
            return await self.state.store.requeue_claimed(
                platform=self.platform, sender=self.generation, now=self._now(), scope="own")
        except Exception as exc:  # the next holder takes them back when it starts
            log.warning("cannot hand the %s deliveries back to the queue (%s)", self.platform, exc)
            return 0

    async def abandon(self) -> None:
        """Stop taking at once, handing nothing back (a simulated crash)."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
