"""The real-clock driver: one APScheduler 3 `AsyncIOScheduler` on the bot's event loop.

It holds one derived date job, "reminders", set for the next instant something is due, and a
watchdog interval job. Neither runs the work itself: each only starts the wake-up task (or
asks a running one to go round again) and returns at once, so APScheduler never sees a job
instance still running (with `max_instances=1` it would skip a run and, a date trigger having
no later time, delete the job for good). The wake-up task runs the due jobs (a fan-out only
claims and queues: the outbox sends), then sets the date job again; if anything fails it tries
again with backoff. The watchdog starts a wake-up every `WATCHDOG` seconds whatever happened,
so there is always a next wake-up while anything is due. Nothing per subscriber and nothing
persisted in APScheduler: the database is the source of truth and the job is rebuilt on start.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from .jobs import Jobs

log = logging.getLogger(__name__)

JOB_ID = "reminders"
WATCHDOG_ID = "reminders-watchdog"
WATCHDOG = 30.0  # seconds between two safety wake-ups
MAX_BACKOFF = 60.0
ROUNDS = 100  # wake-up rounds in a row before the task yields to the scheduler


class ApsDriver:
    def __init__(self, jobs: Jobs, scheduler: AsyncIOScheduler | None = None, *, watchdog: float = WATCHDOG,
                 may_run: Callable[[], bool] = lambda: True):
        self.jobs = jobs
        self.may_run = may_run  # False: the process no longer holds the scheduler role (paused past its lease)
        self.scheduler = scheduler or AsyncIOScheduler(timezone="UTC")
        self.watchdog = watchdog
        self._task: asyncio.Task | None = None
        self._again = False
        self._stopping = False
        self._failures = 0
        jobs.core.on_change(self.wake)

    async def start(self) -> None:
        """Start the scheduler (inside the running loop), catch up on what fell due, and plan."""
        self.scheduler.start()
        self.scheduler.add_job(
            self._fire, IntervalTrigger(seconds=self.watchdog), id=WATCHDOG_ID, replace_existing=True,
            misfire_grace_time=None, coalesce=True,
        )
        self.wake()
        await self.settled()

    async def settled(self) -> None:
        """Wait for the wake-up under way (if any) to finish."""
        while self._task is not None and not self._task.done():
            await asyncio.gather(self._task, return_exceptions=True)

    async def stop(self) -> None:
        """Fire nothing new, and let a wake-up in progress finish its ledger writes: cancelling
        it midway would leave claimed rows to be sent again at the next start."""
        self._stopping = True
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        await self.settled()

    async def _fire(self) -> None:
        """APScheduler's job: start the wake-up and return at once."""
        self.wake()

    def wake(self) -> None:
        """Run what is due and plan the next wake-up, now (or once more after the one under way)."""
        if self._stopping or not self.may_run():
            return  # the next start plans from the database anyway
        if self._task is not None and not self._task.done():
            self._again = True
            return
        self._task = asyncio.get_running_loop().create_task(self._wake(), name="reminders-wake")

    async def _wake(self) -> None:
        for _ in range(ROUNDS):
            self._again = False
            try:
                await self.jobs.run_due()
                due = await self.jobs.next_due()
                self._failures = 0
            except Exception:
                self._failures += 1
                wait = min(MAX_BACKOFF, 2.0 ** (self._failures - 1))
                log.exception("reminder jobs failed; trying again in %.0f s", wait)
                due = self.jobs.core.clock.now() + timedelta(seconds=wait)
            if self._stopping:
                return
            self._schedule(due)
            now = self.jobs.core.clock.now()
            if not self._again and (due is None or due > now):
                return
        self._schedule(self.jobs.core.clock.now() + timedelta(seconds=1))

    def _schedule(self, due: datetime | None) -> None:
        if due is None:
            if self.scheduler.get_job(JOB_ID):
                self.scheduler.remove_job(JOB_ID)
            return
        self.scheduler.add_job(
            self._fire,
            DateTrigger(run_date=due),
            id=JOB_ID,
            replace_existing=True,
            misfire_grace_time=None,  # late is better than never: run_due decides what is still timely
            coalesce=True,
        )
        log.debug("next reminder wake-up at %s", due.isoformat())

    def next_run_time(self):
        job = self.scheduler.get_job(JOB_ID)
        return job.next_run_time if job else None
