"""The owners' feed administration: the feeds to poll (the config's and those added at run time),
adding one (checked to be a feed first) and removing one, and the report `/feeds` lists. What it
deals in: a feed refused, the poller told of feeds added or removed (`FeedWatcher`), one feed as
`/feeds` lists it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from ..config import FEED_NAME_MAX, FeedConfig, feed_name, feed_name_problem
from ..domain.zones import unix_time
from ..storage.values import FeedState, StoredArticle
from .state import AppState

log = logging.getLogger(__name__)


class FeedRefused(Exception):
    """A feed cannot be added or removed: why, as a message id of the catalogues and its values."""

    def __init__(self, msg_id: str, **values: object):
        super().__init__(msg_id)
        self.msg_id, self.values = msg_id, values


class FeedWatcher(Protocol):
    """What polls the feeds (the scheduler's), as the core tells it about feeds added or removed."""

    async def check(self, url: str) -> int:
        """Fetch `url` once: how many entries the feed lists; raise FeedRefused if it is no feed."""

    def watch(self, feed: FeedConfig) -> None:
        """Start polling `feed` (its first poll only records what it lists)."""

    async def unwatch(self, name: str) -> None:
        """Stop polling the feed called `name` (a poll under way is cut off)."""


@dataclass(frozen=True)
class FeedInfo:
    """One feed as `/feeds` lists it."""

    feed: FeedConfig
    from_config: bool
    state: FeedState | None
    last: StoredArticle | None


class Feeds:
    def __init__(self, state: AppState):
        self.state = state
        self.watcher: FeedWatcher | None = None

    def watch_feeds(self, watcher: FeedWatcher) -> None:
        """The poller to tell about feeds added or removed (set by the process that polls)."""
        self.watcher = watcher

    async def all(self) -> list[FeedConfig]:
        """Every feed to poll: the config's, then those added at run time."""
        added = [FeedConfig(name, url) for name, url in await self.state.store.added_feeds()]
        return list(self.state.config.news.feeds) + added

    async def feed_report(self) -> list[FeedInfo]:
        store = self.state.store
        feeds = await self.all()
        configured = {f.name for f in self.state.config.news.feeds}
        last = await store.last_articles([f.name for f in feeds])
        return [FeedInfo(f, f.name in configured, await store.feed_state(f.name), last.get(f.name)) for f in feeds]

    async def add_feed(self, url: str, name: str, *, by: str) -> tuple[FeedConfig, int]:
        """Check that `url` is a feed, then store it and have it polled; returns it and how many
        entries it lists now (its first poll delivers none of them). Raises FeedRefused."""
        url = url.strip()
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise FeedRefused("feed-not-web", url=repr(url[:80]))
        name = " ".join(name.split()) or feed_name(url)
        if feed_name_problem(name):
            if "|" in name:
                raise FeedRefused("feed-name-bar", name=repr(name))
            raise FeedRefused("feed-name-long", name=repr(name[:20]), max=FEED_NAME_MAX)
        for feed in await self.all():
            if feed.name.casefold() == name.casefold():
                raise FeedRefused("feed-name-taken", name=repr(feed.name))
            if feed.url == url:
                raise FeedRefused("feed-url-taken", name=repr(feed.name))
        if self.watcher is None:
            raise FeedRefused("feed-not-polled-here")
        entries = await self.watcher.check(url)
        feed = FeedConfig(name, url)
        if not await self.state.store.add_feed(name=name, url=url, added_by=by, now=unix_time(self.state.clock.now())):
            raise FeedRefused("feed-name-taken", name=repr(name))
        log.info("feed %s (%s) added by %s", name, url, by)
        self.watcher.watch(feed)
        return feed, entries

    async def remove_feed(self, name: str) -> FeedConfig:
        """Stop polling a feed added at run time; a config feed cannot be removed. Raises FeedRefused."""
        config = self.state.config
        wanted = " ".join(name.split()).casefold()
        configured = next((f for f in config.news.feeds if f.name.casefold() == wanted), None)
        if configured is not None:
            raise FeedRefused("feed-from-config", name=repr(configured.name), source=str(config.source))
        feed = next((f for f in await self.all() if f.name.casefold() == wanted), None)
        if feed is None:
            raise FeedRefused("feed-unknown", name=repr(name.strip()[:60]))
        if self.watcher is not None:
            await self.watcher.unwatch(feed.name)
        await self.state.store.remove_feed(feed.name)
        log.info("feed %s (%s) removed", feed.name, feed.url)
        return feed
