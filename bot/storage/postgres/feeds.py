"""PostgreSQL: feeds owners added at run time, each feed's poll state, and the entries polls saw."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..shared import feed_state
from ..values import AddedFeed, FeedState
from .base import PostgresBase


class PostgresFeeds(PostgresBase):
    async def feed_state(self, feed: str) -> FeedState | None:
        row = await self._one(
            "SELECT feed, url, etag, last_modified, healthy, failures, last_error, next_poll_at, baseline_at "
            "FROM feed_state WHERE feed = %s",
            (feed,),
        )
        return None if row is None else feed_state(row)

    async def save_feed_state(self, state: FeedState) -> None:
        await self._execute(
            "INSERT INTO feed_state (feed, url, etag, last_modified, healthy, failures, last_error, next_poll_at, baseline_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (feed) DO UPDATE SET url = excluded.url, "
            "etag = excluded.etag, last_modified = excluded.last_modified, healthy = excluded.healthy, "
            "failures = excluded.failures, last_error = excluded.last_error, next_poll_at = excluded.next_poll_at, "
            "baseline_at = excluded.baseline_at",
            (state.feed, state.url, state.etag, state.last_modified, int(state.healthy), state.failures,
             state.last_error, state.next_poll_at, state.baseline_at),
        )

    async def known_entries(self, *, feed: str, entry_ids: Sequence[str]) -> set[str]:
        """Which of `entry_ids` this feed has listed before."""
        rows = await self._all(
            "SELECT entry_id FROM feed_entries WHERE feed = %s AND entry_id = ANY(%s::text[])", (feed, list(entry_ids))
        )
        return {row[0] for row in rows}

    async def link_delivered(self, link: str) -> bool:
        """True when an entry with this (normalised) link was delivered, from any feed."""
        if not link:
            return False
        row = await self._one("SELECT 1 FROM feed_entries WHERE link = %s AND delivered = 1 AND link <> '' LIMIT 1", (link,))
        return row is not None

    async def record_entries(self, *, feed: str, entries: Iterable[tuple[str, str, bool]], now: int) -> None:
        """Remember the entries a poll saw (`SeenEntry`: id, normalised link, delivered);
        delivered stays true once set."""
        await self._executemany(
            "INSERT INTO feed_entries (feed, entry_id, link, delivered, seen_at) VALUES (%s, %s, %s, %s, %s) "
            "ON CONFLICT (feed, entry_id) DO UPDATE SET seen_at = excluded.seen_at, "
            "delivered = GREATEST(feed_entries.delivered, excluded.delivered)",
            [(feed, entry_id, link, int(delivered), now) for entry_id, link, delivered in entries],
        )

    async def prune_entries(self, *, feed: str, before: int, keep: int | None = None) -> int:
        """Forget entries the feed has not listed since `before`, and (given `keep`) all but the
        `keep` it listed most recently."""
        async with self.transaction():
            removed = await self._execute("DELETE FROM feed_entries WHERE feed = %s AND seen_at < %s", (feed, before))
            if keep is not None:
                removed += await self._execute(
                    "DELETE FROM feed_entries WHERE feed = %s AND entry_id IN (SELECT entry_id FROM feed_entries "
                    "WHERE feed = %s ORDER BY seen_at DESC OFFSET %s)",
                    (feed, feed, keep),
                )
        return removed

    async def added_feeds(self) -> list[AddedFeed]:
        """Every feed added at run time, in the order they were added."""
        rows = await self._all("SELECT name, url FROM feeds ORDER BY added_at, name")
        return [AddedFeed(name, url) for name, url in rows]

    async def add_feed(self, *, name: str, url: str, added_by: str, now: int) -> bool:
        """True when no feed had that name."""
        return await self._changes_one(
            "INSERT INTO feeds (name, url, added_by, added_at) VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
            (name, url, added_by, now),
        )

    async def remove_feed(self, name: str) -> bool:
        """Forget an added feed and its poll state (added again later, it starts afresh)."""
        async with self.transaction():
            removed = await self._changes_one("DELETE FROM feeds WHERE name = %s", (name,))
            if removed:
                await self._execute("DELETE FROM feed_state WHERE feed = %s", (name,))
        return removed
