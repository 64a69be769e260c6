"""The outbox of one platform: workers take the next entry once the pace allows, send it, and
read the outcome (accepted, rate limited, unreachable, moved, or a passing failure); a watchdog
abandons a send that never answers; stopping gives sends in flight a grace period."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from ..domain.interfaces import Adapter, ChatMoved, ChatRef, DeliveryError, RateLimited, Unreachable
from ..domain.pacing import Spacing, Window
from .adaptive import Throughput
from .jobs import DeliveryJob, DeliveryOwner, Item, ReplyItem, retry_time
from .lanes import Lanes
from .ledger import Ledger
from .stats import DeliveryStats

log = logging.getLogger(__name__)

T = TypeVar("T")

HOLD_CHECK = 0.2  # seconds between looks at a ledger that could not write
PLATFORM_PAUSE_CAP = 5.0  # seconds a rate limit pauses a whole platform at most (the refused chat waits in full)
STOP_GRACE = 10.0  # seconds in-flight sends may take to finish when the bot stops
SEND_TIMEOUT = 30.0


async def _nothing() -> None:
    return None


@dataclass(eq=False)
class _Worker:
    index: int = 0
    task: asyncio.Task | None = None
    sending_since: float | None = None
    timed_out: bool = False


class Outbox(Lanes, Throughput):
    """Paced, concurrent delivery to one platform: its queues (`Lanes`), its pace (`Throughput`),
    and the workers that send."""

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
        self.stats = DeliveryStats()  # for operators (/metrics, /status)
        self.ledger = ledger
        self.owner = owner
        self.send_timeout = send_timeout
        self._mono = monotonic
        limits = adapter.limits
        overall = limits.paid if paid_broadcast and limits.paid else limits.overall
        Throughput.__init__(self, rate=overall.per_second if overall else None, limits=limits, on_rate=on_rate)
        self._overall = Spacing(overall) if overall else None
        self._window = Window(overall) if overall else None
        Lanes.__init__(
            self,
            per_chat=Spacing(limits.per_chat) if limits.per_chat else None,
            per_group=Spacing(limits.per_group) if limits.per_group else None,
        )
        self._paused_until = 0.0
        self._outstanding = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._wakeup = asyncio.Event()
        self._closing = asyncio.Event()
        self._workers = [_Worker(index) for index in range(self._in_flight.bound)]
        self._watchdog: asyncio.Task | None = None

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

    def monotonic_now(self) -> float:
        return self._mono()

    @property
    def queued(self) -> int:
        return self._outstanding

    # ---- input ----------------------------------------------------------------------------------

    def submit(self, job: DeliveryJob, items: list[Item]) -> None:
        if not items:
            return
        self._lanes[job.kind].put(job.key, items, self._mono())
        self._grow(len(items))

    def withdraw(self, keep: Callable[[Item], bool]) -> int:
        """Take back the queued messages `keep` refuses (not yet sent; replies stay): their
        platform's sending role moved on. Sends in flight finish as they would."""
        dropped = self._drop_items(keep)
        for _ in range(dropped):
            self._finished()
        return dropped

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
        self.stats.count(job.kind, error, self._mono())
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
        self.stats.rate_limited += 1
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
