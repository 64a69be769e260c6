"""The ledger's write side: the outcomes of sends, batched and written by one task."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Literal

from ..domain.interfaces import ChatRef, Clock
from ..domain.jobkeys import JobKind
from ..domain.zones import unix_time
from ..storage import Storage
from ..storage.values import JobPlatform, Outcome, SentRange
from .jobs import Item

log = logging.getLogger(__name__)

CONFIRM_EVERY = 500  # sends between two ledger commits at the most...
CONFIRM_INTERVAL = 0.25  # ...and seconds
UNCONFIRMED_BOUND = 50  # while outcomes cannot be written, no new message leaves past this many unwritten ones


class Ledger:
    """Buffers delivery outcomes and writes them in one transaction every CONFIRM_EVERY sends or
    CONFIRM_INTERVAL seconds. A failed write (disk full, database locked) keeps the buffer and
    is tried again until the store works: nothing claimed stays claimed in a running process."""

    def __init__(self, store: Storage, clock: Clock, *, on_retries: Callable[[], None] = lambda: None):
        self.store = store
        self.clock = clock
        self.on_retries = on_retries
        self._sent: dict[JobPlatform, list[str]] = {}
        self._runs: dict[tuple[JobKind, str, str, int, int | None], list[tuple[int, str]]] = {}
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
            self._runs.setdefault((job.kind, job.key, item.chat.platform, item.stamp, item.sender), []).append(
                (item.seq, item.chat.key))
        else:
            self._sent.setdefault(JobPlatform(job.kind, job.key, item.chat.platform, item.sender), []).append(item.chat.key)
        self._count += 1
        if self._count >= CONFIRM_EVERY and not self._kick.is_set():
            self._kick.set()
            return True
        return False

    def failed(self, item: Item, error: str, retry_at: datetime | None) -> None:
        """A failed send: retried at `retry_at`, or dropped for good when it is None."""
        self.outcome(item.job.kind, item.job.key, item.chat, error, retry_at, sender=item.sender)

    def outcome(self, kind: JobKind, job: str, chat: ChatRef, error: str, retry_at: datetime | None, *,
                sender: int | None = None) -> None:
        """A delivery not sent; `sender`: only while that generation still holds its row."""
        at = unix_time(retry_at) if retry_at is not None else None
        state: Literal["failed", "dropped"] = "failed" if retry_at is not None else "dropped"
        self._outcomes.append(Outcome(kind, job, chat.platform, chat.key, state, error[:500], at, sender))
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
                singles.setdefault(key, []).extend(chats)
            try:
                await self.store.record_outcomes(
                    now=unix_time(self.clock.now()), sent=singles, outcomes=outcomes, ranges=ranges
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
    runs: dict[tuple[JobKind, str, str, int, int | None], list[tuple[int, str]]],
) -> tuple[list[SentRange], dict[JobPlatform, list[str]]]:
    """Split sent items, by claim and place in the claim's sorted rows, into key ranges (runs of
    consecutive places, every one of them sent) and single chats (the rest)."""
    ranges: list[SentRange] = []
    singles: dict[JobPlatform, list[str]] = {}
    for (kind, job, platform, stamp, sender), entries in runs.items():
        entries.sort()
        start = 0
        for end in range(1, len(entries) + 1):
            if end < len(entries) and entries[end][0] == entries[end - 1][0] + 1:
                continue
            if end - start >= MIN_RANGE:
                ranges.append(SentRange(kind, job, platform, stamp, entries[start][1], entries[end - 1][1], sender))
            else:
                singles.setdefault(JobPlatform(kind, job, platform, sender), []).extend(chat for _, chat in entries[start:end])
            start = end
    return ranges, singles
