"""The virtual-clock driver: pops due instants in order and runs the same job functions.

Used by `dramabot simulate` and the tests, so the simulator proves the production path. After
each round it waits until the outboxes have sent what the jobs queued, so every message leaves
at the virtual instant its job fired.
"""

from __future__ import annotations

from datetime import datetime

from bot.interfaces import VirtualClock

from .jobs import Jobs

MAX_RUNS_AT_ONE_INSTANT = 1000  # more means a job that never completes: fail instead of spinning


class VirtualDriver:
    def __init__(self, jobs: Jobs, clock: VirtualClock):
        self.jobs = jobs
        self.clock = clock

    async def start(self) -> None:
        await self._round()

    async def stop(self) -> None:
        pass

    async def _round(self) -> None:
        await self.jobs.run_due()
        await self.jobs.core.idle()

    async def advance_to(self, target: datetime) -> None:
        """Move the clock to `target`, firing every job due on the way at its own instant."""
        stalled = 0
        while True:
            due = await self.jobs.next_due()
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
