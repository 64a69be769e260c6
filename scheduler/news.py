"""Polling every feed on the bot's clock: the config's feeds and those owners add at run time.

On the real clock each feed is one interval job on the bot's one APScheduler (the reminders'),
every `[news] poll_interval` with a little jitter (10% of the interval, at most a minute) so
feeds do not all fire together; each is polled once at start, then at every interval. On the
virtual clock the same polls run at due instants the `VirtualDriver` asks for. A job only starts
the feed's poll task and returns, so a slow fetch never holds the scheduler, and a feed's next
poll is skipped while its last one still runs.

A failing feed backs off (`FeedPoller` stores when to poll it next): its interval job skips the
polls that come before that, so an unhealthy feed is polled less often. One feed failing, even
with an exception of its own, never stops the others.

The app owns which feeds exist (`Feeds.add_feed`, `Feeds.remove_feed`); it tells this object
(a `bot.app.feeds.FeedWatcher`) so the job is added or removed in the same step.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.app.core import Core
from bot.app.feeds import FeedRefused
from bot.config import FeedConfig
from bot.domain.i18n import catalogue
from bot.integrations.feeds import FeedError

from .feeds import JITTER, FeedPoller, FetchError, FetchRefused

log = logging.getLogger(__name__)

JOB_PREFIX = "feed:"
MAX_JITTER = timedelta(minutes=1)
REFUSED_REPLY = catalogue().text("en", "feed-private")  # the same words whatever the address


class NewsPolling:
    """One poll job per feed, on `scheduler` (real clock) or driven by `run_due` (virtual clock)."""

    def __init__(
        self,
        core: Core,
        poller: FeedPoller,
        *,
        scheduler: AsyncIOScheduler | None = None,
        interval: timedelta | None = None,
        stop_grace: float | None = None,
    ):
        self.core = core
        self.poller = poller
        self.scheduler = scheduler
        self.interval = interval or core.config.news.poll_interval
        self.jitter = min(self.interval * JITTER, MAX_JITTER)
        self.stop_grace = core.config.delivery.stop_grace if stop_grace is None else stop_grace
        self.feeds: dict[str, FeedConfig] = {}
        self.polls = 0  # polls run by this process, for tests and logs
        self._tasks: dict[str, asyncio.Task] = {}
        self._next: dict[str, datetime] = {}  # virtual clock: when each feed is polled next
        self._started: set[str] = set()  # feeds polled once by this process (the poll at start ignores backoff)
        self._stopping = False
        self.may_run: Callable[[], bool] = lambda: True  # False: the process no longer holds the scheduler role
        core.feeds.watch_feeds(self)

    @classmethod
    def for_core(cls, core: Core, scheduler: AsyncIOScheduler | None) -> NewsPolling:
        poller = FeedPoller(core.store, core.news.publish_article, settings=core.config.news, clock=core.clock)
        return cls(core, poller, scheduler=scheduler)

    # ---- lifecycle ---------------------------------------------------------------------------------

    async def start(self) -> None:
        """Add a job per feed; each polls at once. On the virtual clock the first polls run now."""
        for feed in await self.core.feeds.all():
            self.watch(feed)
        if self.feeds:
            log.info("polling %d feeds every %s", len(self.feeds), self.interval)
        if self.scheduler is None:
            await self.run_due()

    async def stop(self, grace: float | None = None) -> None:
        """Start no poll; let polls under way finish (bounded by the delivery stop grace), then
        cut off the rest and close the HTTP client."""
        self._stopping = True
        for name in list(self.feeds):
            self._remove_job(name)
        tasks = [t for t in self._tasks.values() if not t.done()]
        if tasks:
            _, hanging = await asyncio.wait(tasks, timeout=self.stop_grace if grace is None else grace)
            for task in hanging:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        await self.poller.aclose()

    def abort(self) -> None:
        """Die at once (a simulated SIGKILL): polls under way are cut off."""
        self._stopping = True
        for task in self._tasks.values():
            task.cancel()

    # ---- what the core tells it ----------------------------------------------------------------------

    async def check(self, url: str) -> int:
        try:
            articles = await self.poller.check(url)
        except FetchRefused:  # the same words whatever the address, port or path: nothing to probe with
            raise FeedRefused("feed-private") from None
        except (FetchError, FeedError) as exc:
            raise FeedRefused("feed-unreadable", url=url[:200], error=exc.said) from None
        return len(articles)

    def watch(self, feed: FeedConfig) -> None:
        if self._stopping:
            return
        self.feeds[feed.name] = feed
        now = self.core.clock.now()
        if self.scheduler is None:
            self._next[feed.name] = now
            return
        self.scheduler.add_job(
            self._fire, IntervalTrigger(seconds=self.interval.total_seconds(), jitter=self.jitter.total_seconds()),
            args=(feed.name,), id=JOB_PREFIX + feed.name, replace_existing=True, next_run_time=now,
            coalesce=True, misfire_grace_time=None,
        )

    async def unwatch(self, name: str) -> None:
        self.feeds.pop(name, None)
        self._next.pop(name, None)
        self._remove_job(name)
        task = self._tasks.pop(name, None)
        if task is not None and not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    def _remove_job(self, name: str) -> None:
        if self.scheduler is not None and self.scheduler.get_job(JOB_PREFIX + name) is not None:
            self.scheduler.remove_job(JOB_PREFIX + name)

    # ---- polling ---------------------------------------------------------------------------------------

    async def _fire(self, name: str) -> None:
        """The APScheduler job: start the feed's poll and return at once."""
        self.poll_soon(name)

    def poll_soon(self, name: str) -> asyncio.Task | None:
        """Start a poll of `name` unless one is under way; the task, or None."""
        if self._stopping or name not in self.feeds or not self.may_run():
            return None
        task = self._tasks.get(name)
        if task is not None and not task.done():
            log.debug("feed %s: the last poll is still under way; this one is skipped", name)
            return None
        task = self._tasks[name] = asyncio.get_running_loop().create_task(self.poll(name), name=f"poll-{name}")
        return task

    async def poll(self, name: str) -> bool:
        """Poll one feed now unless it is backing off; True when it was polled. Never raises."""
        feed = self.feeds.get(name)
        if feed is None:
            return False
        if name in self._started and not await self._due(feed):
            return False
        self._started.add(name)
        self.polls += 1
        try:
            await self.poller.poll(feed)
        except asyncio.CancelledError:
            raise
        except Exception:  # a bug or a broken database: this feed's poll only, the others go on
            log.exception("polling feed %s (%s) failed unexpectedly", feed.name, feed.url)
        return True

    async def _due(self, feed: FeedConfig) -> bool:
        """A healthy feed is due at every interval; a failing one when its backoff has passed."""
        state = await self.core.store.feed_state(feed.name)
        if state is None or not state.failures or state.next_poll_at is None:
            return True
        slack = (self.jitter + self.interval * JITTER).total_seconds()
        return state.next_poll_at <= self.core.clock.now().timestamp() + slack

    # ---- the virtual clock -------------------------------------------------------------------------------

    async def next_due(self) -> datetime | None:
        return min(self._next.values(), default=None)

    async def run_due(self) -> None:
        """Poll every feed due by now, one after another (the virtual driver's round)."""
        now = self.core.clock.now()
        for name in [n for n, at in self._next.items() if at <= now]:
            self._next[name] = now + self.interval
            await self.poll(name)


def job_ids(scheduler: AsyncIOScheduler) -> list[str]:
    return sorted(job.id for job in scheduler.get_jobs() if job.id.startswith(JOB_PREFIX))

