"""The virtual-clock driver: pops due instants in order and runs the same job functions.

Used by `dramabot simulate` and the tests, so the simulator proves the production path; feed
polls, when the process polls feeds, are another source of due instants. After
each round it waits until the outboxes have sent what the jobs queued, so every message leaves
at the virtual instant its job fired.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.domain.interfaces import VirtualClock

from .jobs import Jobs

MAX_RUNS_AT_ONE_INSTANT = 1000  # more means a job that never completes: fail instead of spinning


class Source(Protocol):
    """More work on the same clock (feed polls): when it is next due, and running what is due."""

    async def next_due(self) -> datetime | None: ...

    async def run_due(self) -> object: ...


class VirtualDriver:
    def __init__(self, jobs: Jobs, clock: VirtualClock):
        self.jobs = jobs
        self.clock = clock
        self.sources: list[Source] = []

    def add_source(self, source: Source) -> None:
        self.sources.append(source)

    async def start(self) -> None:
        await self._round()

    async def stop(self) -> None:
        pass

    async def _round(self) -> None:
        await self.jobs.run_due()
        for source in self.sources:
            await source.run_due()
        await self.jobs.core.idle()

    async def _next_due(self) -> datetime | None:
        dues = [await self.jobs.next_due()] + [await source.next_due() for source in self.sources]
        return min((d for d in dues if d is not None), default=None)

    async def advance_to(self, target: datetime) -> None:
        """Move the clock to `target`, firing every job due on the way at its own instant."""
        stalled = 0
        while True:
            due = await self._next_due()
            if due is None or due > target:
                break
            if due > self.clock.now():
                self.clock.set(due)
                stalled = 0
            else:
                stalled += 1
                if stalled > MAX_RUNS_AT_ONE_INSTANT:
                    raise RuntimeError(f"jobs keep falling due at {due.isoformat()} and never get done")
            await self._round()
        self.clock.set(target)
