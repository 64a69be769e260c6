"""SQLite: feeds owners added at run time, each feed's poll state, and the entries polls saw."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from ..shared import feed_state
from ..values import AddedFeed, FeedState
from .base import SqliteBase


class SqliteFeeds(SqliteBase):
    async def feed_state(self, feed: str) -> FeedState | None:
        async with self.transaction():
            row = await self._one(
                "SELECT feed, url, etag, last_modified, healthy, failures, last_error, next_poll_at, baseline_at "
                "FROM feed_state WHERE feed = ?",
                (feed,),
            )
        return None if row is None else feed_state(row)

    async def save_feed_state(self, state: FeedState) -> None:
        async with self.transaction():
            await self._db.execute(
                "INSERT OR REPLACE INTO feed_state "
                "(feed, url, etag, last_modified, healthy, failures, last_error, next_poll_at, baseline_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (state.feed, state.url, state.etag, state.last_modified, int(state.healthy), state.failures,
                 state.last_error, state.next_poll_at, state.baseline_at),
            )

    async def known_entries(self, *, feed: str, entry_ids: Sequence[str]) -> set[str]:
        """Which of `entry_ids` this feed has listed before."""
        async with self.transaction():
            rows = await self._all(
                "SELECT entry_id FROM feed_entries WHERE feed = ? AND entry_id IN (SELECT value FROM json_each(?))",
                (feed, json.dumps(list(entry_ids))),
            )
        return {row[0] for row in rows}

    async def link_delivered(self, link: str) -> bool:
        """True when an entry with this (normalised) link was delivered, from any feed."""
        if not link:
            return False
        async with self.transaction():
            row = await self._one(
                "SELECT 1 FROM feed_entries WHERE link = ? AND delivered = 1 AND link <> '' LIMIT 1", (link,)
            )
        return row is not None

    async def record_entries(self, *, feed: str, entries: Iterable[tuple[str, str, bool]], now: int) -> None:
        """Remember the entries a poll saw (`SeenEntry`: id, normalised link, delivered);
        delivered stays true once set."""
        async with self.transaction():
            await self._db.executemany(
                "INSERT INTO feed_entries (feed, entry_id, link, delivered, seen_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (feed, entry_id) DO UPDATE SET seen_at = excluded.seen_at, "
                "delivered = max(delivered, excluded.delivered)",
                [(feed, entry_id, link, int(delivered), now) for entry_id, link, delivered in entries],
            )

    async def prune_entries(self, *, feed: str, before: int, keep: int | None = None) -> int:
        """Forget entries the feed has not listed since `before`, and (given `keep`) all but the
        `keep` it listed most recently."""
        async with self.transaction():
            cur = await self._db.execute("DELETE FROM feed_entries WHERE feed = ? AND seen_at < ?", (feed, before))
            removed = cur.rowcount
            if keep is not None:
                cur = await self._db.execute(
                    "DELETE FROM feed_entries WHERE feed = ? AND entry_id IN (SELECT entry_id FROM feed_entries "
                    "WHERE feed = ? ORDER BY seen_at DESC LIMIT -1 OFFSET ?)",
                    (feed, feed, keep),
                )
                removed += cur.rowcount
        return removed

    async def added_feeds(self) -> list[AddedFeed]:
        """Every feed added at run time, in the order they were added."""
        async with self.transaction():
            rows = await self._all("SELECT name, url FROM feeds ORDER BY added_at, name")
        return [AddedFeed(name, url) for name, url in rows]

    async def add_feed(self, *, name: str, url: str, added_by: str, now: int) -> bool:
        """True when no feed had that name."""
        async with self.transaction():
            return await self._changes_one(
                "INSERT OR IGNORE INTO feeds (name, url, added_by, added_at) VALUES (?, ?, ?, ?)",
                (name, url, added_by, now),
            )

    async def remove_feed(self, name: str) -> bool:
        """Forget an added feed and its poll state (added again later, it starts afresh)."""
        async with self.transaction():
            removed = await self._changes_one("DELETE FROM feeds WHERE name = ?", (name,))
            if removed:
                await self._db.execute("DELETE FROM feed_state WHERE feed = ?", (name,))
        return removed
