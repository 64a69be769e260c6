"""Changes one process makes reach the others on a shared database.

A process plans reminders from what it knows: the catalog (with imports and edits) and which
leads and zones following chats use. When a fan subscribes through one process, the process
holding the scheduler role must plan for it too. So each change a process makes (`core.changed()`)
is announced by a new token in the database's meta (`changed:plan`, and `changed:catalog` when the
catalog changed), and every process reads both every POLL_EVERY seconds: a new plan token forgets
the cached leads, zones and audiences and replans; a new catalog token reloads imports and edits.
What a process applies from another is not announced again (no echo).

Feeds an owner adds or removes at run time (`/feeds add`) reach the scheduler's holder the same way
(`changed:feeds`): every process is a `SharedFeeds` watcher, which checks a new feed itself and has
the holder's feed polling follow the database.
"""

from __future__ import annotations

import asyncio
import logging
import secrets

from bot.app.core import Core
from bot.app.live import LiveCatalog
from bot.config import FeedConfig

from .news import NewsPolling

log = logging.getLogger(__name__)

POLL_EVERY = 1.0  # seconds
PLAN, CATALOG, FEEDS = "changed:plan", "changed:catalog", "changed:feeds"


class ChangeBeacon:
    def __init__(self, core: Core, live: LiveCatalog, *, every: float = POLL_EVERY):
        self.core, self.live, self.every = core, live, every
        self._seen: dict[str, str | None] = {PLAN: None, CATALOG: None, FEEDS: None}
        self.feeds: SharedFeeds | None = None  # set by SharedFeeds
        self._catalog_version = live.version
        self._absorb = 0  # changes still to come from applying another process's (not announced again)
        self._tasks: set[asyncio.Task] = set()
        self._loop_task: asyncio.Task | None = None
        core.on_change(self._local)

    async def start(self) -> None:
        for key in self._seen:
            self._seen[key] = await self.core.store.get_meta(key)
        self._loop_task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self.feeds is not None:
            await self.feeds.close()
        tasks = [t for t in (self._loop_task, *self._tasks) if t is not None]
        if self._loop_task is not None:
            self._loop_task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._loop_task = None

    def _local(self) -> None:
        if self._absorb:
            self._absorb -= 1
            return
        self.announce(PLAN)

    def announce(self, key: str) -> None:
        """Tell the other processes that what `key` names changed here (in a task of its own)."""
        task = asyncio.get_running_loop().create_task(self._announce(key))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _announce(self, key: str) -> None:
        keys = [key]
        if key == PLAN and self.live.version != self._catalog_version:
            self._catalog_version = self.live.version
            keys.append(CATALOG)
        try:
            for key in keys:
                token = self._seen[key] = secrets.token_hex(8)
                await self.core.store.set_meta(name=key, value=token)
        except Exception:
            log.exception("announcing a change to the other processes failed")

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.every)
            try:
                await self.apply()
            except Exception:
                log.exception("reading the other processes' changes failed")

    async def apply(self) -> None:
        """Take in what other processes changed since the last look."""
        plan, catalog, feeds = [await self.core.store.get_meta(key) for key in (PLAN, CATALOG, FEEDS)]
        if feeds != self._seen[FEEDS]:
            self._seen[FEEDS] = feeds
            if self.feeds is not None:
                await self.feeds.follow()
        if catalog != self._seen[CATALOG]:
            self._seen[CATALOG] = catalog
            self._absorb = 1  # the reload's own change (a change of ours meanwhile may take its place: one echo at most)
            try:
                await self.live.start()  # imports and edits as the database has them now
                self._catalog_version = self.live.version
            finally:
                self._absorb = 0
        if plan != self._seen[PLAN]:
            self._seen[PLAN] = plan
            chats = self.core.chats
            chats.in_use.forget()
            chats.audiences.forget_all()
            self._absorb = 1
            try:
                self.core.changed()
            finally:
                self._absorb = 0


class SharedFeeds:
    """The feed watcher of every process on a shared database (`Feeds.watch_feeds`): a feed is
    checked where it is added; the process holding the scheduler role (`polling` set) polls what
    the database lists, told by the beacon."""

    def __init__(self, beacon: ChangeBeacon):
        self.beacon = beacon
        self.polling: NewsPolling | None = None  # this process's feed polling while it holds the scheduler role
        self._checker = NewsPolling.for_core(beacon.core, None)  # never started: its poller checks new feeds
        beacon.core.feeds.watch_feeds(self)
        beacon.feeds = self

    def attach(self, polling: NewsPolling | None) -> None:
        """The scheduler role started (`polling`) or stopped (None) feed polling here."""
        self.polling = polling
        self.beacon.core.feeds.watch_feeds(self)  # feed polling registered itself: this one answers

    async def check(self, url: str) -> int:
        return await self._checker.check(url)

    def watch(self, feed: FeedConfig) -> None:
        if self.polling is not None:
            self.polling.watch(feed)
        self.beacon.announce(FEEDS)

    async def unwatch(self, name: str) -> None:
        if self.polling is not None:
            await self.polling.unwatch(name)
        self.beacon.announce(FEEDS)

    async def follow(self) -> None:
        """Poll the feeds the database lists now, and only those (if this process polls)."""
        polling = self.polling
        if polling is None:
            return
        listed = {feed.name: feed for feed in await self.beacon.core.feeds.all()}
        for name in set(polling.feeds) - set(listed):
            await polling.unwatch(name)
        for name, feed in listed.items():
            if name not in polling.feeds:
                polling.watch(feed)

    async def close(self) -> None:
        await self._checker.poller.aclose()
