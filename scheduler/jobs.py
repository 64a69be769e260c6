"""The job functions both clock drivers run: fire the reminder jobs that fell due, retry failures.

Progress is a watermark in the database: every reminder job due up to it has been fanned out.
A process that starts again picks up from the watermark, so jobs due while it was stopped
fire at start, and are sent only if their episode has not begun.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.core import Core
from bot.zones import UTC

from .planner import ReminderPlan

log = logging.getLogger(__name__)

WATERMARK = "reminders_done_until"
ON_TIME = timedelta(minutes=1)  # a job firing this close to its due instant is on time, even at 0m lead
KEEP_LEDGER = timedelta(days=7)  # ledger rows are kept this long after their airing began or news went stale
PRUNE_EVERY = timedelta(days=1)


class Jobs:
    def __init__(self, core: Core):
        self.core = core
        self.plan = ReminderPlan((), ())
        self.started_at: datetime = core.clock.now()
        self.watermark: datetime = self.started_at
        self._dirty = True
        self._pruned_at: datetime | None = None
        core.on_change(self.mark_dirty)

    def mark_dirty(self) -> None:
        self._dirty = True

    async def start(self) -> None:
        """Load progress, requeue interrupted sends, and plan; call once per process."""
        stored = await self.core.store.get_meta(WATERMARK)
        if stored is None:
            await self.core.store.set_meta(WATERMARK, str(int(self.watermark.timestamp())))
        else:
            self.watermark = datetime.fromtimestamp(int(stored), UTC)
        requeued = await self.core.recover()
        if requeued:
            log.info("%d interrupted deliveries will be retried", requeued)
        await self._rebuild()

    async def _rebuild(self) -> None:
        self._dirty = False
        leads = await self.core.leads_in_use()
        if set(leads) != set(self.plan.leads) or not self.plan.jobs:
            self.plan = ReminderPlan(self.core.catalog.airings, leads, not_before=self.watermark)
            log.debug("planned %d reminder jobs for leads %s", len(self.plan), sorted(leads))

    async def next_due(self) -> datetime | None:
        """The next instant a job falls due (a reminder job or a retry)."""
        if self._dirty:
            await self.run_due()
        due = self.plan.next_after(self.watermark)
        retry = await self.core.next_retry_at()
        if retry is not None and (due is None or retry < due):
            due = max(retry, self.core.clock.now())
        return due

    async def run_due(self) -> int:
        """Fan out every reminder job due since the watermark, then replan if subscriptions or
        leads changed, then retry due failures.

        Replanning after moving the watermark to now means a lead added at 14:00 never fires
        its jobs that were due before 14:00: a job fires at its own instant or, after a stop,
        at start; never because a setting changed later.
        """
        now = self.core.clock.now()
        sent = 0
        for job in self.plan.due_between(self.watermark, now):
            if job.airing.start <= now and (job.due < self.started_at or now - job.due > ON_TIME):
                log.info("skipping %s lead %dm: the episode has begun", job.airing.key, job.lead_minutes)
                continue
            sent += await self.core.fire_reminder(job.airing, job.lead_minutes)
        if now > self.watermark:
            self.watermark = now
            await self.core.store.set_meta(WATERMARK, str(int(now.timestamp())))
        if self._dirty:
            await self._rebuild()
        sent += await self.core.retry_due()
        await self._prune(now)
        return sent

    async def _prune(self, now: datetime) -> None:
        """Keep the ledger small. Safe: the plan never holds jobs of airings before the watermark."""
        if self._pruned_at is not None and now - self._pruned_at < PRUNE_EVERY:
            return
        self._pruned_at = now
        removed = await self.core.store.prune(int((now - KEEP_LEDGER).timestamp()))
        if removed:
            log.info("forgot %d ledger rows older than %s", removed, KEEP_LEDGER)
