"""The real-clock driver: one APScheduler 3 `AsyncIOScheduler` on the bot's event loop.

It holds a single derived job, "reminders", set for the next due instant the planner gives;
when it fires it runs the due jobs and sets itself again. Nothing per subscriber, nothing
persisted in APScheduler: the database is the source of truth and the job is rebuilt on start.
"""

from __future__ import annotations

import asyncio
import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from .jobs import Jobs

log = logging.getLogger(__name__)

JOB_ID = "reminders"


class ApsDriver:
    def __init__(self, jobs: Jobs, scheduler: AsyncIOScheduler | None = None):
        self.jobs = jobs
        self.scheduler = scheduler or AsyncIOScheduler(timezone="UTC")
        self._lock = asyncio.Lock()
        self._pending: set[asyncio.Task] = set()
        self._stopping = False
        jobs.core.on_change(self._on_change)

    async def start(self) -> None:
        """Start the scheduler (inside the running loop), catch up on what fell due, and plan."""
        self.scheduler.start()
        await self._wake()

    async def stop(self) -> None:
        """Fire nothing new, and let work in progress (a fan-out, a replan) finish its ledger
        writes: cancelling it midway would leave claimed rows to be sent again at the next start."""
        self._stopping = True
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        while self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)
        async with self._lock:  # a wake-up APScheduler started
            pass

    def _on_change(self) -> None:
        if self._stopping:
            return  # the next start plans from the database anyway
        task = asyncio.get_running_loop().create_task(self._reschedule())
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _wake(self) -> None:
        if self._stopping:
            return
        async with self._lock:
            try:
                await self.jobs.run_due()
            except Exception:
                log.exception("reminder jobs failed; will try again at the next due instant")
        await self._reschedule()

    async def _reschedule(self) -> None:
        async with self._lock:
            if self._stopping:
                return  # work already under way finishes; nothing new starts
            due = await self.jobs.next_due()
            if due is None:
                if self.scheduler.get_job(JOB_ID):
                    self.scheduler.remove_job(JOB_ID)
                return
            self.scheduler.add_job(
                self._wake,
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
