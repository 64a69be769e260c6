"""The job functions both clock drivers run: fire the reminder jobs that fell due, retry failures,
send the news digests of hours that ended (`News.send_digests`; held articles are in the database).

Progress is a watermark in the database: every reminder job due up to it has been fanned out.
A process that starts again picks up from the watermark, so jobs due while it was stopped fire
at start, and are sent only if their episode has not begun; several leads of one episode that
fell due while stopped come to each chat as one message. The plan covers a rolling horizon
(`HORIZON` ahead), so start-up costs the same whatever the catalog's history. A job whose
audience cannot be served at the platforms' pace between its due instant and air starts early
(`bot.domain.pacing.fanout_start`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from itertools import groupby

from bot.app.core import Core
from bot.app.releases import fire_release
from bot.domain.jobkeys import ReminderKey
from bot.domain.zones import UTC

from .planner import ReminderJob, ReminderPlan
from .releases import ReleasePlan

log = logging.getLogger(__name__)

WATERMARK = "reminders_done_until"
ON_TIME = timedelta(minutes=1)  # a job firing this close to its due instant is on time, even at 0m lead
KEEP_LEDGER = timedelta(days=7)  # ledger rows are kept this long after their airing began or news went stale
PRUNE_EVERY = timedelta(days=1)
KEEP_ARTICLES = timedelta(days=30)  # stored articles (for /news and digests) are kept this long
HORIZON = timedelta(days=8)  # the plan holds jobs of airings up to this far ahead (leads are at most 7 days)
EARLY_LOOKAHEAD = timedelta(hours=6)  # jobs this close are checked for an early start


class Jobs:
    def __init__(self, core: Core):
        self.core = core
        self.plan = ReminderPlan((), ())
        self.fanout_lag: float | None = None  # seconds the last reminder fan-out was queued after its due instant (/metrics)
        self.releases = ReleasePlan()  # streaming releases: one job per (release, zone in use)
        self._planned_zones: set[str] = set()
        self.started_at: datetime = core.clock.now()
        self.watermark: datetime = self.started_at
        self._planned_until: datetime | None = None
        self._planned_catalog: object = None  # the catalog snapshot the plan was made from
        self._dirty = True
        self._pruned_at: datetime | None = None
        self._fired_early: set[ReminderKey] = set()
        self._early: dict[ReminderKey, datetime] = {}
        self._early_version: object = None
        core.on_change(self.mark_dirty)

    def mark_dirty(self) -> None:
        self._dirty = True

    async def start(self) -> None:
        """Load progress, requeue interrupted sends, and plan; call once per process."""
        stored = await self.core.store.get_meta(WATERMARK)
        if stored is None:
            await self.core.store.set_meta(name=WATERMARK, value=str(int(self.watermark.timestamp())))
        else:
            self.watermark = datetime.fromtimestamp(int(stored), UTC)
        requeued = await self.core.retries.recover()
        if requeued:
            log.info("%d interrupted deliveries will be retried", requeued)
        await self._rebuild()

    async def _rebuild(self, leads: Iterable[int] | None = None) -> None:
        """Plan again: with the leads in use now (None), or with the same leads further ahead; also
        whenever the catalog snapshot changed."""
        if leads is None:
            self._dirty = False
            leads = await self.core.chats.leads_in_use()
        leads = set(leads)
        self._early_version = None
        now = self.core.clock.now()
        zones = await self.core.chats.zones_in_use()
        same_catalog = self._planned_catalog is self.core.catalog  # a live catalog swaps in new snapshots
        horizon_ok = self._planned_until is not None and now + HORIZON / 2 < self._planned_until
        if same_catalog and zones == self._planned_zones and leads == set(self.plan.leads) and horizon_ok:
            return
        until = max(now, self.watermark) + HORIZON
        # airings after the watermark (jobs due later) and, for the longest lead, within reach of the horizon
        airings = self.core.catalog.airings_between(self.watermark, until + timedelta(minutes=max(leads, default=0)))
        self.plan = ReminderPlan(airings, leads, not_before=self.watermark)
        self._planned_until = until
        self._planned_catalog = self.core.catalog
        self.releases = ReleasePlan.of(self.core.catalog, zones, self.core.config.tvmaze.streaming_hour,
                                       not_before=self.watermark, until=until)
        self._planned_zones = zones
        log.debug("planned %d reminder jobs until %s for leads %s", len(self.plan), until.isoformat(), sorted(leads))

    async def _early_starts(self, now: datetime) -> dict[ReminderKey, datetime]:
        """Jobs in the lookahead window that must start before their due instant."""
        rates = self.core.delivery.rates()
        if not any(rates.values()):
            return {}
        version = (self.core.chats.audiences.version, tuple(sorted(rates.items())))  # what the plans are made of
        if self._early_version == version:
            return self._early
        early: dict[ReminderKey, datetime] = {}
        for job in self.plan.due_between(self.watermark, now + EARLY_LOOKAHEAD):
            start = await self.core.reminders.fanout_plan_start(job.airing, job.due)
            if start < job.due:
                early[ReminderKey(job.airing.key, job.lead_minutes)] = start
        self._early, self._early_version = early, version
        return early

    async def next_due(self) -> datetime | None:
        """The next instant a job falls due (a reminder job, an early start, a retry, or a news digest)."""
        if self._dirty:
            await self.run_due()  # moves the watermark to now first: a change never fires past jobs
        now = self.core.clock.now()
        candidates = [
            d for d in (self.plan.next_after(self.watermark), self.releases.next_after(self.watermark),
                        await self.core.retries.next_retry_at(), await self.core.news.next_digest_at()) if d
        ]
        candidates += [start for key, start in (await self._early_starts(now)).items() if key not in self._fired_early]
        if self._planned_until is not None:
            candidates.append(self._planned_until - HORIZON / 2)  # extend the horizon in time
        return min(candidates) if candidates else None

    async def run_due(self) -> int:
        """Fan out every reminder job due since the watermark (and those starting early), then
        replan if subscriptions or leads changed, then retry due failures and send the news
        digests of hours that ended; returns how many messages were queued.

        Replanning after moving the watermark to now means a lead added at 14:00 never fires
        its jobs that were due before 14:00: a job fires at its own instant or, after a stop,
        at start; never because a setting changed later.
        """
        now = self.core.clock.now()
        if self._planned_until is not None and now + HORIZON / 2 >= self._planned_until:
            await self._rebuild(self.plan.leads)  # further ahead, same leads: a change waits for the watermark
        due: list[ReminderJob] = []
        for job in self.plan.due_between(self.watermark, now):
            key = ReminderKey(job.airing.key, job.lead_minutes)
            if key in self._fired_early:
                self._fired_early.discard(key)
                continue
            if job.airing.start <= now and (job.due < self.started_at or now - job.due > ON_TIME):
                log.info("skipping %s lead %dm: the episode has begun", job.airing.key, job.lead_minutes)
                continue
            due.append(job)
        for key, start in (await self._early_starts(now)).items():
            if start <= now and key not in self._fired_early:
                early = next((j for j in self.plan.due_between(self.watermark, now + EARLY_LOOKAHEAD)
                              if ReminderKey(j.airing.key, j.lead_minutes) == key), None)
                if early is not None and early.due > now:
                    log.info("starting %s lead %dm %s early: its audience needs that long at the platforms' pace",
                             early.airing.key, early.lead_minutes, early.due - now)
                    self._fired_early.add(key)
                    due.append(early)
        queued = 0
        due.sort(key=lambda j: (j.airing.key, j.due))
        for _, group in groupby(due, key=lambda j: j.airing.key):
            jobs = list(group)
            queued += await self.core.reminders.fire_reminder(jobs[0].airing, [j.lead_minutes for j in jobs])
            self.fanout_lag = max(0.0, (self.core.clock.now() - min(j.due for j in jobs)).total_seconds())
        for release_job in self.releases.due_between(self.watermark, now):
            queued += await fire_release(self.core, release_job.release, release_job.zone)
        if now > self.watermark:
            self.watermark = now
            await self.core.store.set_meta(name=WATERMARK, value=str(int(now.timestamp())))
        if self._dirty:
            await self._rebuild()
        queued += await self.core.retries.retry_due()
        queued += await self.core.news.send_digests()
        await self._prune(now)
        return queued

    async def _prune(self, now: datetime) -> None:
        """Keep the ledger small. Safe: the plan never holds jobs of airings before the watermark."""
        if self._pruned_at is not None and now - self._pruned_at < PRUNE_EVERY:
            return
        self._pruned_at = now
        removed = await self.core.store.prune(before=int((now - KEEP_LEDGER).timestamp()))
        if removed:
            log.info("forgot %d ledger rows older than %s", removed, KEEP_LEDGER)
        await self.core.store.prune_news(before=int((now - KEEP_LEDGER).timestamp()))
        removed = await self.core.store.prune_articles(before=int((now - KEEP_ARTICLES).timestamp()))
        if removed:
            log.info("forgot %d articles received more than %s ago", removed, KEEP_ARTICLES)
