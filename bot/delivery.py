"""The outbox: every message the bot sends leaves through it, one outbox per platform.

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
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol, TypeVar

from .domain.interfaces import Adapter, ChatMoved, ChatRef, Clock, DeliveryError, Outgoing, RateLimited, Unreachable
from .domain.jobkeys import JOB_KINDS, JobKind
from .domain.pacing import SAFETY, Spacing, Window
from .domain.throughput import Achieved, InFlight
from .storage import Storage
from .storage.values import JobPlatform, Outcome, SentRange

log = logging.getLogger(__name__)

T = TypeVar("T")
Lane = JobKind  # one lane per kind of ledger job, in this order of priority

CONFIRM_EVERY = 500  # sends between two ledger commits at the most...
CONFIRM_INTERVAL = 0.25  # ...and seconds
UNCONFIRMED_BOUND = 50  # while outcomes cannot be written, no new message leaves past this many unwritten ones
HOLD_CHECK = 0.2  # seconds between looks at a ledger that could not write
MAX_ATTEMPTS = 6
RETRY_BASE = timedelta(seconds=30)  # doubled after each failed attempt
PLATFORM_PAUSE_CAP = 5.0  # seconds a rate limit pauses a whole platform at most (the refused chat waits in full)
STOP_GRACE = 10.0  # seconds in-flight sends may take to finish when the bot stops
SEND_TIMEOUT = 30.0


class DeliveryJob(Protocol):
    """One reminder job or article, as the outbox needs it."""

    @property
    def kind(self) -> Lane: ...

    @property
    def key(self) -> str:
        """The ledger's job key."""

    @property
    def expires(self) -> datetime:
        """Not worth sending after this."""

    @property
    def retry_until(self) -> datetime:
        """A retry is not planned after this."""

    async def message_for(self, item: Item) -> Outgoing | str:
        """The message for this chat as of now, or the reason it is no longer wanted."""


@dataclass(slots=True, eq=False)
class Item:
    """One message of a job to one chat."""

    job: DeliveryJob
    chat: ChatRef
    private: bool
    zone: str | None  # the chat's zone when the fan-out read it
    version: int  # the core's change counter when the fan-out read the chat
    attempts: int = 0
    moved: bool = False
    stamp: int = 0  # the claim that made its ledger row, and its place in that claim's sorted rows:
    seq: int = -1  # consecutive places sent together are confirmed as one key range
    mention: str | None = None  # whom the chat's reminders mention, as the fan-out read it


@dataclass(slots=True, eq=False)
class ReplyItem:
    """An adapter's own reply call, run under the platform's pace ahead of everything else."""

    chat: ChatRef | None  # None: a request of the adapter's own that concerns no chat
    private: bool
    send: Callable[[], Awaitable[Any]]
    done: asyncio.Future


class DeliveryOwner(Protocol):
    """What the outbox reports to the core."""

    clock: Clock

    async def chat_unreachable(self, chat: ChatRef, reason: str) -> None: ...

    async def chat_moved(self, chat: ChatRef, new_chat: ChatRef) -> None: ...


def retry_time(*, now: datetime, attempts: int, expires: datetime, error: DeliveryError) -> datetime | None:
    """When a failed delivery is tried again (None: give up): the platform's wait, else 30 s
    doubling; never after MAX_ATTEMPTS attempts or past the delivery's expiry."""
    wait = error.retry_after if error.retry_after is not None else RETRY_BASE.total_seconds() * 2**attempts
    at = now + timedelta(seconds=max(1.0, wait))
    if attempts + 1 >= MAX_ATTEMPTS or at > expires:
        return None
    return at


# ---- the ledger's write side ---------------------------------------------------------------------


class Ledger:
    """Buffers delivery outcomes and writes them in one transaction every CONFIRM_EVERY sends or
    CONFIRM_INTERVAL seconds. A failed write (disk full, database locked) keeps the buffer and
    is tried again until the store works: nothing claimed stays claimed in a running process."""

    def __init__(self, store: Storage, clock: Clock, *, on_retries: Callable[[], None] = lambda: None):
        self.store = store
        self.clock = clock
        self.on_retries = on_retries
        self._sent: dict[tuple[Lane, str, str], list[str]] = {}
        self._runs: dict[tuple[Lane, str, str, int], list[tuple[int, str]]] = {}
        self._outcomes: list[Outcome] = []
        self._count = 0
        self._lock = asyncio.Lock()
        self._task: asyncio.Task | None = None
        self._kick = asyncio.Event()  # a batch is full: write it now
        self._stopping = False
        self._failing = False

    @property
    def holding(self) -> bool:
        """Outcomes cannot be written (disk full, database locked) and UNCONFIRMED_BOUND are
        waiting: another send could be repeated after a crash, so none leaves (replies aside, which
        the ledger does not record) until a write works again."""
        return self._failing and self._count >= UNCONFIRMED_BOUND

    def sent(self, item: Item) -> bool:
        """Note a send the platform accepted; True when that makes a batch to write now."""
        job = item.job
        if item.seq >= 0 and not item.moved:
            self._runs.setdefault((job.kind, job.key, item.chat.platform, item.stamp), []).append((item.seq, item.chat.key))
        else:
            self._sent.setdefault((job.kind, job.key, item.chat.platform), []).append(item.chat.key)
        self._count += 1
        if self._count >= CONFIRM_EVERY and not self._kick.is_set():
            self._kick.set()
            return True
        return False

    def failed(self, item: Item, error: str, retry_at: datetime | None) -> None:
        """A failed send: retried at `retry_at`, or dropped for good when it is None."""
        self.outcome(item.job.kind, item.job.key, item.chat, error, retry_at)

    def outcome(self, kind: Lane, job: str, chat: ChatRef, error: str, retry_at: datetime | None) -> None:
        at = int(retry_at.timestamp()) if retry_at is not None else None
        state: Literal["failed", "dropped"] = "failed" if retry_at is not None else "dropped"
        self._outcomes.append(Outcome(kind, job, chat.platform, chat.key, state, error[:500], at))
        self._count += 1
        if self._count >= CONFIRM_EVERY:
            self._kick.set()

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        """Write every CONFIRM_INTERVAL seconds, and at once when CONFIRM_EVERY outcomes are
        waiting; the senders never wait for the write (it runs in the database's thread)."""
        while not self._stopping:
            try:
                await asyncio.wait_for(self._kick.wait(), CONFIRM_INTERVAL if not self._failing else 1.0)
            except TimeoutError:
                pass
            self._kick.clear()
            if self._count and not self._stopping:
                await self.flush()

    async def flush(self) -> bool:
        """Write what is buffered; False (buffer kept) when the store failed."""
        async with self._lock:
            if not self._count:
                return True
            sent, runs, outcomes, count = self._sent, self._runs, self._outcomes, self._count
            self._sent, self._runs, self._outcomes, self._count = {}, {}, [], 0
            ranges, singles = confirmations(runs)
            for key, chats in sent.items():
                singles.setdefault(JobPlatform(*key), []).extend(chats)
            try:
                await self.store.record_outcomes(
                    now=int(self.clock.now().timestamp()), sent=singles, outcomes=outcomes, ranges=ranges
                )
            except BaseException as exc:  # keep every outcome (also when cancelled): the next flush tries again
                for key, chats in sent.items():
                    self._sent.setdefault(key, []).extend(chats)
                for run, entries in runs.items():
                    self._runs.setdefault(run, []).extend(entries)
                self._outcomes[:0] = outcomes
                self._count += count
                if not isinstance(exc, Exception):
                    raise
                if not self._failing:
                    log.error("cannot record %d delivery outcomes (%s); will keep trying, and reminders and news "
                              "wait while %d or more are unrecorded", count, exc, UNCONFIRMED_BOUND)
                self._failing = True
                return False
            if self._failing:
                log.warning("delivery outcomes are recorded again; reminders and news go on")
            self._failing = False
        if any(o.state == "failed" for o in outcomes):
            self.on_retries()
        return True

    async def abandon(self) -> None:
        """Forget what is buffered without writing it (a simulated crash)."""
        self._sent, self._runs, self._outcomes, self._count = {}, {}, [], 0
        await self.close()

    async def close(self) -> None:
        """Stop the writer once the write it may be inside has finished (cancelling it there would
        drop that batch: its rows would stay claimed and be sent again at the next start), then
        write what is left."""
        if self._task is not None:
            self._stopping = True
            self._kick.set()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        await self.flush()


MIN_RANGE = 4  # consecutive sends confirmed as one key range rather than one by one


def confirmations(
    runs: dict[tuple[Lane, str, str, int], list[tuple[int, str]]],
) -> tuple[list[SentRange], dict[JobPlatform, list[str]]]:
    """Split sent items, by claim and place in the claim's sorted rows, into key ranges (runs of
    consecutive places, every one of them sent) and single chats (the rest)."""
    ranges: list[SentRange] = []
    singles: dict[JobPlatform, list[str]] = {}
    for (kind, job, platform, stamp), entries in runs.items():
        entries.sort()
        start = 0
        for end in range(1, len(entries) + 1):
            if end < len(entries) and entries[end][0] == entries[end - 1][0] + 1:
                continue
            if end - start >= MIN_RANGE:
                ranges.append(SentRange(kind, job, platform, stamp, entries[start][1], entries[end - 1][1]))
            else:
                singles.setdefault(JobPlatform(kind, job, platform), []).extend(chat for _, chat in entries[start:end])
            start = end
    return ranges, singles


async def _nothing() -> None:
    return None


def _per_second(rate: float | None) -> str:
    return "no set rate" if rate is None else f"{rate:.1f}/s"


# ---- the outbox --------------------------------------------------------------------------------


@dataclass(eq=False)
class _Worker:
    index: int = 0
    task: asyncio.Task | None = None
    sending_since: float | None = None
    timed_out: bool = False


@dataclass(eq=False)
class _Lane:
    """Queues of one class, one per job, served round-robin; ahead of them, the messages a chat's
    limit held back, in the order they were held (so one chat's messages keep their order across
    jobs, whichever job's turn comes first)."""

    queues: dict[str, deque] = field(default_factory=dict)
    order: deque = field(default_factory=deque)
    released: deque = field(default_factory=deque)

    def put(self, key: str, items) -> None:
        queue = self.queues.get(key)
        if queue is None:
            queue = self.queues[key] = deque()
            self.order.append(key)
        queue.extend(items)


class Outbox:
    """Paced, concurrent delivery to one platform."""

    def __init__(
        self,
        *,
        adapter: Adapter,
        ledger: Ledger,
        owner: DeliveryOwner,
        send_timeout: float = SEND_TIMEOUT,
        paid_broadcast: bool = False,
        monotonic: Callable[[], float] = time.monotonic,
        on_rate: Callable[[], None] = lambda: None,
    ):
        self.adapter = adapter
        self.platform = adapter.platform
        self.ledger = ledger
        self.owner = owner
        self.send_timeout = send_timeout
        self._mono = monotonic
        limits = adapter.limits
        overall = limits.paid if paid_broadcast and limits.paid else limits.overall
        self.rate: float | None = overall.per_second if overall else None
        self._overall = Spacing(overall) if overall else None
        self._window = Window(overall) if overall else None
        self._per_chat = Spacing(limits.per_chat) if limits.per_chat else None
        self._per_group = Spacing(limits.per_group) if limits.per_group else None
        self._chat_paced = self._per_chat is not None or self._per_group is not None
        self._replies: deque = deque()
        self._lanes: dict[str, _Lane] = {kind: _Lane() for kind in JOB_KINDS}
        self._lane_list = tuple(self._lanes.values())
        self._delayed: list[tuple[float, int, Item | ReplyItem]] = []
        self._seq = itertools.count()
        self._paused_until = 0.0
        self._outstanding = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._wakeup = asyncio.Event()
        self._closing = asyncio.Event()
        self._in_flight = InFlight(rate=self.rate, base=limits.in_flight, bound=limits.max_in_flight or 0)
        self._adaptive = self._in_flight.adaptive  # (read on the hot path)
        self._more = asyncio.Event()  # set (and replaced) when more workers may send
        self._workers = [_Worker(index) for index in range(self._in_flight.bound)]
        self._watchdog: asyncio.Task | None = None
        self._achieved = Achieved()
        self._quickest: float | None = None  # seconds: the quickest answer seen lately (rising slowly)
        self._on_rate = on_rate
        self._planned_rate = self.rate
        self._dropped: dict[tuple[str, str, str], int] = {}  # (kind, job, why) -> messages dropped, not yet logged

    # ---- lifecycle ------------------------------------------------------------------------------

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        for worker in self._workers:
            worker.task = loop.create_task(self._work(worker), name=f"outbox-{self.platform}")
        self._watchdog = loop.create_task(self._watch())

    async def close(self, grace: float = STOP_GRACE) -> None:
        """Take nothing new; let sends in flight finish for `grace` seconds, then abandon them."""
        self._closing.set()
        self._wakeup.set()
        self._more.set()
        tasks = [w.task for w in self._workers if w.task is not None]
        if tasks:
            _, hanging = await asyncio.wait(tasks, timeout=grace)
            # handed to the platform but unanswered: it may have them; their outcome is unknown
            unknown = sum(1 for w in self._workers if w.task in hanging and w.sending_since is not None)
            for task in hanging:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if unknown:
                log.warning("%d %s sends had reached the platform without an answer within %g s (stop_grace): they "
                            "are sent again at the next start, so their chats may get them twice",
                            unknown, self.platform, grace)
        if self._watchdog is not None:
            self._watchdog.cancel()
            await asyncio.gather(self._watchdog, return_exceptions=True)
        self._report()
        for entry in [*self._replies, *(e[2] for e in self._delayed)]:
            if isinstance(entry, ReplyItem) and not entry.done.done():
                entry.done.set_exception(DeliveryError("the bot is stopping"))

    async def idle(self) -> None:
        """Wait until everything submitted has been sent or given up, and recorded."""
        await self._idle.wait()
        await self.ledger.flush()

    @property
    def queued(self) -> int:
        return self._outstanding

    # ---- input ----------------------------------------------------------------------------------

    def submit(self, job: DeliveryJob, items: list[Item]) -> None:
        if not items:
            return
        self._lanes[job.kind].put(job.key, items)
        self._grow(len(items))

    async def request_slot(self) -> None:
        """Wait for one send slot of this platform's pace, at reply priority, for a request of the
        adapter's own that is not a message to a chat (Discord: opening a DM channel, scheduled events)."""
        await self.send_reply(None, _nothing)

    async def send_reply(self, chat: ChatRef | None, send: Callable[[], Awaitable[T]], *, private: bool = True) -> T:
        if self._closing.is_set():
            raise DeliveryError("the bot is stopping")
        done: asyncio.Future = asyncio.get_running_loop().create_future()
        self._replies.append(ReplyItem(chat, private, send, done))
        self._grow(1)
        return await done

    def _grow(self, count: int) -> None:
        self._outstanding += count
        self._idle.clear()
        self._wakeup.set()

    def _finished(self) -> None:
        self._outstanding -= 1
        if self._outstanding == 0:
            self._idle.set()

    # ---- taking the next item ---------------------------------------------------------------------

    def _chat_ready(self, entry: Item | ReplyItem, now: float) -> float:
        """When this entry's chat may receive again (<= now: at once)."""
        if entry.chat is None:
            return now
        key = entry.chat.chat
        ready = now
        if self._per_chat is not None:
            ready = self._per_chat.ready_at(key, now)
        if self._per_group is not None and not entry.private:
            ready = max(ready, self._per_group.ready_at(key, now))
        return ready

    def _reserve_chat(self, entry: Item | ReplyItem, now: float) -> None:
        if entry.chat is None:
            return
        key = entry.chat.chat
        if self._per_chat is not None:
            self._per_chat.reserve(key, now)
        if self._per_group is not None and not entry.private:
            self._per_group.reserve(key, now)

    def _delay(self, entry: Item | ReplyItem, until: float) -> None:
        heapq.heappush(self._delayed, (until, next(self._seq), entry))

    def _release_delayed(self, now: float) -> None:
        """Put the entries whose time has come back ahead of their class's queues, in the order they
        were parked (one chat's messages keep the order they were made in)."""
        replies: list[ReplyItem] = []
        while self._delayed and self._delayed[0][0] <= now:
            _, _, entry = heapq.heappop(self._delayed)
            if isinstance(entry, ReplyItem):
                replies.append(entry)
            else:
                self._lanes[entry.job.kind].released.append(entry)
        if replies:
            self._replies.extendleft(reversed(replies))

    def _first_ready(self, queue: deque, now: float) -> Item | ReplyItem | None:
        if not self._chat_paced:
            return queue.popleft() if queue else None
        while queue:
            entry = queue.popleft()
            ready = self._chat_ready(entry, now)
            if ready <= now:
                self._reserve_chat(entry, now)
                return entry
            self._delay(entry, ready)
        return None

    def _pick(self, now: float, *, lanes: bool = True) -> Item | ReplyItem | None:
        if self._delayed:
            self._release_delayed(now)
        if self._replies:
            entry = self._first_ready(self._replies, now)
            if entry is not None:
                return entry
        if not lanes:
            return None
        for lane in self._lanes.values():
            if lane.released:
                entry = self._first_ready(lane.released, now)
                if entry is not None:
                    return entry
            for _ in range(len(lane.order)):
                key = lane.order.popleft()
                queue = lane.queues[key]
                entry = self._first_ready(queue, now)
                if queue:
                    lane.order.append(key)
                else:
                    del lane.queues[key]
                if entry is not None:
                    return entry
        return None

    async def _pause(self, seconds: float) -> bool:
        """Sleep unless the outbox closes first; True when closing."""
        if seconds <= 0:
            return self._closing.is_set()
        try:
            await asyncio.wait_for(self._closing.wait(), seconds)
        except TimeoutError:
            pass
        return self._closing.is_set()

    async def _take(self) -> Item | ReplyItem | None:
        """The next entry to send, once the platform's pace allows a send. The pace slot comes
        first and the entry is picked when it comes, so a reply that arrives meanwhile goes
        ahead of everything queued before it."""
        lanes = tuple(self._lanes.values())
        while not self._closing.is_set():
            now = self._mono()
            if self._paused_until > now:
                await self._pause(self._paused_until - now)
                continue
            if self._delayed:
                self._release_delayed(now)
            if self.ledger.holding and not self._replies:
                if await self._pause(HOLD_CHECK):  # until the ledger can write again
                    return None
                continue
            if not self._replies and not any(lane.order or lane.released for lane in lanes):
                self._wakeup.clear()
                timeout = self._delayed[0][0] - now if self._delayed else None
                try:
                    await asyncio.wait_for(self._wakeup.wait(), timeout)
                except TimeoutError:
                    pass
                continue
            if self._overall is not None:
                slot = self._overall.reserve(None, now)
                if await self._pause(slot - now):
                    return None
                now = self._mono()
                while now - slot > self._overall.interval:  # the loop stalled past the slot: take a new one,
                    slot = self._overall.reserve(None, now)  # or late workers would all send at once
                    if await self._pause(slot - now):
                        return None
                    now = self._mono()
                assert self._window is not None
                while (ready := self._window.ready_at(now)) > now:
                    if await self._pause(ready - now):
                        return None
                    now = self._mono()
                if self._paused_until > now:  # a rate limit came while this worker waited for its slot
                    continue
            entry = self._pick(now, lanes=not self.ledger.holding)
            if entry is not None:
                return entry
        return None

    async def _depart(self) -> float | None:
        """Wait until the platform's window (and any pause) allows one more send, and count it as
        leaving now: when it goes to the platform, not when it was picked. Rendering a message can
        wait on the database (a chat that changed is read again), and sends picked in even steps
        but delayed unevenly would reach the platform bunched, over its limit. Returns the instant
        it leaves, or None when the outbox closes meanwhile (the send does not happen)."""
        window = self._window
        assert window is not None
        while True:
            now = self._mono()
            ready = max(window.ready_at(now), self._paused_until)
            if ready <= now:
                window.depart(now)
                return now
            if await self._pause(ready - now):
                return None

    def _arrived(self, departed: float) -> None:
        """A send that left at `departed` was answered now: it reached the platform no later than
        now minus the quickest answer seen lately, so the window counts it there (a send held on its
        way, then answered as fast as usual, reached the platform late by that much)."""
        assert self._window is not None
        now = self._mono()
        answer = now - departed
        quickest = self._quickest
        self._quickest = answer if quickest is None or answer < quickest else quickest + (answer - quickest) * 0.01
        self._window.settle(departed, now - self._quickest)

    # ---- sending ------------------------------------------------------------------------------------

    async def _work(self, worker: _Worker) -> None:
        unpaced = self._overall is None and not self._chat_paced
        while True:
            if worker.index >= self._in_flight.allowed:  # not needed at the answer times seen so far
                if self._closing.is_set():
                    return
                await self._more.wait()
                continue
            entry = await self._take()
            if entry is None:
                return  # closing
            while entry is not None:
                try:
                    if isinstance(entry, ReplyItem):
                        await self._reply(worker, entry)
                    else:
                        await self._deliver(worker, entry)
                except asyncio.CancelledError:
                    raise
                except Exception:  # a bug here must not take the worker down with it
                    log.exception("delivering to %s failed unexpectedly", entry.chat)
                finally:
                    self._finished()
                # with no pace to keep, take the next entry at once (the fast path of a big fan-out)
                entry = self._pick_unpaced() if unpaced else None

    def _pick_unpaced(self) -> Item | ReplyItem | None:
        """`_pick` for a platform with no pace to keep, without its checks: the next reply, else the
        next entry of the lanes in order, jobs taking turns."""
        if self._closing.is_set() or self._delayed or self._paused_until or self.ledger.holding:
            return None
        if self._replies:
            return self._replies.popleft()
        for lane in self._lane_list:
            if lane.released:
                return lane.released.popleft()
            order = lane.order
            if order:
                key = order[0]
                queue = lane.queues[key]
                entry = queue.popleft()
                if queue:
                    order.rotate(-1)  # the next job's turn
                else:
                    order.popleft()
                    del lane.queues[key]
                return entry
        return None

    async def _guarded(self, worker: _Worker, call: Callable[[], Awaitable[Any]]) -> tuple[Any, BaseException | None]:
        """Run one platform call; whatever it raises comes back as a value, not an exception,
        except the outbox's own cancellation (the bot is stopping past its grace period)."""
        started = worker.sending_since = self._mono()
        result: Any = None
        error: BaseException | None = None
        try:
            result = await call()
        except BaseException as exc:  # noqa: BLE001 - the boundary: any failure is the send's
            error = exc
        finally:
            worker.sending_since = None
        if self._adaptive and call is not _nothing:  # a bare pace slot is no answer time
            self._answered(started)
        return result, self._outcome(worker, error)

    def _answered(self, started: float) -> None:
        """A platform call came back: keep rate x answer time in flight, and measure the rate."""
        now = self._mono()
        if self._in_flight.observe(now - started):
            self._more.set()
            self._more = asyncio.Event()
        self._achieved.sent(now, behind=self._outstanding > self._in_flight.allowed)

    @property
    def planning_rate(self) -> float | None:
        """The rate a fan-out can count on: the declared one, or the one achieved the last time
        messages waited, when that was clearly lower (a platform slower than the in-flight bound
        allows for). It changes only when the achieved rate moved clearly, once a second at most,
        so plans made from it are not remade for every send."""
        return self._planned_rate

    def _rate_now(self) -> float | None:
        achieved = self._achieved.rate()
        if self.rate is None or achieved is None or achieved >= 0.85 * self.rate * SAFETY:
            return self.rate
        return achieved

    def _outcome(self, worker: _Worker, error: BaseException | None) -> DeliveryError | None:
        """What a platform call's exception means (None: it was accepted). Re-raises the outbox's
        own cancellation; a watchdog timeout or anything else becomes a DeliveryError."""
        task = asyncio.current_task()
        if (
            isinstance(error, asyncio.CancelledError) and not worker.timed_out
            and task is not None and task.cancelling() and self._closing.is_set()
        ):
            raise error
        if worker.timed_out:
            worker.timed_out = False
            if task is not None:
                task.uncancel()
            if error is not None:
                error = DeliveryError(f"no answer within {self.send_timeout:g} s")
        if error is not None and not isinstance(error, DeliveryError):
            if not isinstance(error, Exception | asyncio.CancelledError):
                log.error("a %s send raised %s; treated as a passing failure", self.platform, type(error).__name__)
            elif not isinstance(error, asyncio.CancelledError):
                log.error("a %s send raised", self.platform, exc_info=error)
            error = DeliveryError(f"{type(error).__name__}: {error}")
        return error

    async def _reply(self, worker: _Worker, entry: ReplyItem) -> None:
        departed = None
        if self._window is not None and (departed := await self._depart()) is None:
            entry.done.set_exception(DeliveryError("the bot is stopping"))
            return
        result, error = await self._guarded(worker, entry.send)
        if departed is not None and entry.send is not _nothing:
            self._arrived(departed)
        if isinstance(error, RateLimited):
            self._rate_limited(error, entry)
            self._grow(1)  # it is queued again
            return
        if isinstance(error, Unreachable) and entry.chat is not None:
            await self.owner.chat_unreachable(entry.chat, str(error))
        if not entry.done.done():
            if error is not None:
                entry.done.set_exception(error)
            else:
                entry.done.set_result(result)

    async def _deliver(self, worker: _Worker, item: Item) -> None:
        job = item.job
        now = self.owner.clock.now()
        if now > job.expires:
            self._drop(item, "too late: the episode began or the news went stale")
            return
        message = await job.message_for(item)
        if isinstance(message, str):
            if message.startswith("too late"):
                self._drop(item, message)
            else:  # no longer wanted (unsubscribed, paused, moved episode): nothing is lost
                self.ledger.failed(item, message, None)
            return
        departed = None
        if self._window is not None and (departed := await self._depart()) is None:
            return  # stopping: it stays claimed and goes at the next start
        started = worker.sending_since = self._mono()
        try:
            await self.adapter.send(item.chat, message)
            error = None
        except BaseException as exc:  # noqa: BLE001 - the boundary, as in _guarded (inlined: the hot path)
            error = self._outcome(worker, exc)
        finally:
            worker.sending_since = None
        if worker.timed_out:
            error = self._outcome(worker, error)
        if departed is not None:
            self._arrived(departed)
        if self._adaptive:
            self._answered(started)
        if error is None:
            if self.ledger.sent(item):
                await asyncio.sleep(0)  # let the ledger's writer start on the full batch
        elif isinstance(error, RateLimited):
            self._rate_limited(error, item)
            self._grow(1)
        elif isinstance(error, Unreachable):
            log.info("%s cannot be reached (%s): its delivery is paused", item.chat, error)
            self.ledger.failed(item, f"unreachable: {error}", None)
            await self.owner.chat_unreachable(item.chat, str(error))
        elif isinstance(error, ChatMoved) and not item.moved:
            new_chat = ChatRef(item.chat.platform, error.new_chat, item.chat.thread)
            await self.ledger.flush()
            await self.owner.chat_moved(item.chat, new_chat)
            item.chat, item.moved = new_chat, True
            self._delay(item, 0.0)
            self._grow(1)
        else:
            assert isinstance(error, DeliveryError)
            at = retry_time(now=self.owner.clock.now(), attempts=item.attempts, expires=job.retry_until, error=error)
            log.warning("%s %s to %s failed (%s)%s", job.kind, job.key, item.chat, error,
                        f"; retry at {at:%Y-%m-%d %H:%M:%S}Z" if at else "; dropped")
            self.ledger.failed(item, str(error), at)

    def _rate_limited(self, error: RateLimited, entry: Item | ReplyItem) -> None:
        """The refused message's chat waits as long as the platform asked. A wait of the whole
        platform is capped at PLATFORM_PAUSE_CAP: one chat's long wait (Telegram answers a private
        chat's 429 like its overall one) must not hold every other chat and every reply; if the
        platform really is saturated, the next refusal pauses it again."""
        now = self._mono()
        wait = max(0.0, error.retry_after or 0.0)
        until = now + wait
        if entry.chat is not None:
            for spacing in (self._per_chat, self._per_group):
                if spacing is not None:
                    spacing.hold(entry.chat.chat, until)
        if error.scope == "platform":
            pause = min(wait, PLATFORM_PAUSE_CAP)
            if now + pause > self._paused_until:
                if pause < wait:
                    log.warning("%s asked to wait %.0f s after a send to %s: that chat waits so long, every other "
                                "send pauses %.0f s (a longer pause would make reminders late)",
                                self.platform, wait, entry.chat, pause)
                else:
                    log.warning("%s asked to wait %.1f s: all its sends pause", self.platform, wait)
            self._paused_until = max(self._paused_until, now + pause)
        self._delay(entry, until)

    def _drop(self, item: Item, why: str) -> None:
        """A message given up for good although its chat still wanted it: counted, and logged as a
        warning by the watchdog (one line per job and reason, however many)."""
        self.ledger.failed(item, why, None)
        key = (item.job.kind, item.job.key, why)
        self._dropped[key] = self._dropped.get(key, 0) + 1

    def _report(self) -> None:
        """Log the drops counted since the last report, and tell the planner when the rate a
        fan-out can count on changed clearly."""
        dropped, self._dropped = self._dropped, {}
        for (kind, job, why), count in dropped.items():
            log.warning("%d %s %s messages of %s were dropped: %s (sending at %s, %d in flight, answers in %.1f s)",
                        count, self.platform, kind, job, why, _per_second(self._achieved.rate() or self.rate),
                        self._in_flight.allowed, self._in_flight.latency or 0.0)
        rate = self._rate_now()
        if rate != self._planned_rate and (rate is None or self._planned_rate is None
                                           or abs(rate - self._planned_rate) > 0.1 * self._planned_rate):
            if rate == self.rate:
                log.info("%s delivers at its declared %s again", self.platform, _per_second(rate))
            else:
                log.warning("%s delivers at %s, not the declared %s: reminder jobs are planned at that rate",
                            self.platform, _per_second(rate), _per_second(self.rate))
            self._planned_rate = rate
            self._on_rate()

    async def _watch(self) -> None:
        every = max(0.05, min(1.0, self.send_timeout / 4))
        while True:
            await asyncio.sleep(every)
            self._report()
            now = self._mono()
            for worker in self._workers:
                started = worker.sending_since
                if started is not None and not worker.timed_out and now - started > self.send_timeout:
                    worker.timed_out = True
                    if worker.task is not None:
                        worker.task.cancel()
            for spacing in (self._per_chat, self._per_group):
                if spacing is not None:
                    spacing.forget_idle(now)
