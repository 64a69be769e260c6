"""What the owners' feed administration deals in: a feed refused, the poller told of feeds added
or removed, and one feed as `/feeds` lists it. Pure values and a protocol, shared by the core
(which does the work) and the commands (which report it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from .config import FeedConfig
from .storage.values import FeedState, StoredArticle


class FeedRefused(Exception):
    """A feed cannot be added or removed; the message says why, for the owner."""


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
