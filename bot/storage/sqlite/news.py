"""SQLite: articles and what they name, the per-chat hourly news cap, and digests."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Sequence

from ..shared import newest_article
from ..values import (
    ARTICLE_LINK_KEEP,
    ARTICLE_SUMMARY_KEEP,
    ARTICLE_TITLE_KEEP,
    LAST_UNMATCHED,
    ArticleText,
    ChatKey,
    StoredArticle,
)
from .base import SqliteBase

_ARTICLE = "a.feed, a.article_id, a.title, a.link, a.summary, a.published, a.received_at"


class SqliteArticles(SqliteBase):
    async def save_article(
        self, *, feed: str, article_id: str, title: str, link: str, summary: str, published: int | None, now: int
    ) -> bool:
        """True when the article is new. What is kept is bounded whatever the feed sent: the
        summary's first ARTICLE_SUMMARY_KEEP characters, the title's ARTICLE_TITLE_KEEP."""
        async with self.transaction():
            return await self._changes_one(
                "INSERT OR IGNORE INTO articles (feed, article_id, title, link, summary, published, received_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (feed, article_id, title[:ARTICLE_TITLE_KEEP], link[:ARTICLE_LINK_KEEP], summary[:ARTICLE_SUMMARY_KEEP],
                 published, now),
            )

    async def note_unmatched_article(self, *, feed: str, article_id: str, title: str, link: str, now: int) -> None:
        """An article that names nothing in the catalog is not kept (its entry's identity, in
        `feed_entries`, is what dedupes it); only the newest one per feed is noted, for /feeds."""
        async with self.transaction():
            await self._db.execute(
                "INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (f"{LAST_UNMATCHED}{feed}",
                 json.dumps([article_id, title[:ARTICLE_TITLE_KEEP], link[:ARTICLE_LINK_KEEP], now], ensure_ascii=False)),
            )

    async def prune_articles(self, *, before: int) -> int:
        """Forget articles received before `before` and any that names nothing (kept by earlier
        versions), with what they named; an article held for a digest not sent yet stays."""
        async with self.transaction():
            cur = await self._db.execute(
                "DELETE FROM articles WHERE (received_at < ? OR NOT EXISTS (SELECT 1 FROM article_targets t "
                "WHERE t.feed = articles.feed AND t.article_id = articles.article_id)) AND NOT EXISTS (SELECT 1 FROM "
                "news_digest d WHERE d.feed = articles.feed AND d.article_id = articles.article_id AND d.queued = 0)",
                (before,),
            )
            await self._db.execute(
                "DELETE FROM article_targets WHERE NOT EXISTS (SELECT 1 FROM articles a "
                "WHERE a.feed = article_targets.feed AND a.article_id = article_targets.article_id)"
            )
        return cur.rowcount

    async def save_article_targets(self, *, feed: str, article_id: str, targets: Iterable[tuple[str, str]]) -> None:
        """Remember which (kind, key) targets an article names."""
        async with self.transaction():
            await self._db.executemany(
                "INSERT OR IGNORE INTO article_targets (feed, article_id, kind, target) VALUES (?, ?, ?, ?)",
                [(feed, article_id, kind, key) for kind, key in targets],
            )

    async def article_targets(self, *, feed: str, article_id: str) -> list[tuple[str, str]]:
        """The (kind, key) targets a stored article named when it arrived."""
        async with self.transaction():
            rows = await self._all(
                "SELECT kind, target FROM article_targets WHERE feed = ? AND article_id = ? ORDER BY kind, target",
                (feed, article_id),
            )
        return [(kind, target) for kind, target in rows]

    async def latest_articles(self, *, targets: Sequence[tuple[str, str]], limit: int) -> list[StoredArticle]:
        """The `limit` most recently received articles naming any of `targets`, newest first."""
        if not targets:
            return []
        async with self.transaction():
            rows = await self._all(
                f"SELECT {_ARTICLE} FROM articles a "
                "JOIN (SELECT DISTINCT t.feed, t.article_id FROM json_each(?) j JOIN article_targets t "
                "      ON t.kind = j.value ->> 0 AND t.target = j.value ->> 1) m "
                "ON m.feed = a.feed AND m.article_id = a.article_id "
                "ORDER BY a.received_at DESC, a.published DESC, a.feed, a.article_id LIMIT ?",
                (json.dumps(sorted(set(targets))), limit),
            )
        return [StoredArticle(*row) for row in rows]

    async def last_articles(self, feeds: Sequence[str]) -> dict[str, StoredArticle]:
        """Each feed's most recently received article (kept, or noted as naming nothing)."""
        found: dict[str, StoredArticle] = {}
        async with self.transaction():
            for feed in feeds:
                row = await self._one(
                    "SELECT feed, article_id, title, link, summary, published, received_at FROM articles "
                    "WHERE feed = ? ORDER BY received_at DESC, article_id DESC LIMIT 1",
                    (feed,),
                )
                noted = await self._one("SELECT value FROM meta WHERE name = ?", (f"{LAST_UNMATCHED}{feed}",))
                newest = newest_article(feed, row, noted[0] if noted else None)
                if newest is not None:
                    found[feed] = newest
        return found

    async def article(self, *, feed: str, article_id: str) -> ArticleText | None:
        """Title, link, summary and publication time of a stored article."""
        async with self.transaction():
            row = await self._one(
                "SELECT title, link, summary, published FROM articles WHERE feed = ? AND article_id = ?",
                (feed, article_id),
            )
        return ArticleText(row[0], row[1], row[2], row[3]) if row else None

    # ---- the per-chat news cap and digests ----------------------------------------------------

    async def take_news_slots(self, *, hour: int, cap: int, recipients: Iterable[tuple[str, str]]) -> set[ChatKey]:
        """Count one article against each (platform, chat)'s cap for `hour`; returns the chats
        that were under the cap (and are now counted). One upsert per platform: atomic."""
        taken: set[ChatKey] = set()
        async with self.transaction():
            for platform, group in itertools.groupby(sorted(set(recipients)), key=lambda r: r[0]):
                rows = await self._all(
                    "INSERT INTO news_quota (platform, chat_id, hour, queued) "
                    "SELECT ?, value, ?, 1 FROM json_each(?) WHERE true "
                    "ON CONFLICT (platform, chat_id, hour) DO UPDATE SET queued = queued + 1 WHERE queued < ? "
                    "RETURNING chat_id",
                    (platform, hour, json.dumps([chat for _, chat in group]), cap),
                )
                taken.update(ChatKey(platform, chat) for (chat,) in rows)
        return taken

    async def hold_for_digest(self, *, hour: int, feed: str, article_id: str, chats: Iterable[tuple[str, str]]) -> None:
        """Keep an article for the digests of these chats at the end of `hour`."""
        async with self.transaction():
            await self._db.executemany(
                "INSERT OR IGNORE INTO news_digest (platform, chat_id, hour, feed, article_id) VALUES (?, ?, ?, ?, ?)",
                [(platform, chat, hour, feed, article_id) for platform, chat in chats],
            )

    async def next_digest_hour(self) -> int | None:
        """The earliest hour with articles held for a digest not queued yet."""
        async with self.transaction():
            row = await self._one("SELECT MIN(hour) FROM news_digest WHERE queued = 0")
        return row[0]

    async def digest_chats(self, hour: int) -> list[ChatKey]:
        """The chats with articles held for the digest of `hour`, not queued yet."""
        async with self.transaction():
            rows = await self._all(
                "SELECT DISTINCT platform, chat_id FROM news_digest WHERE hour = ? AND queued = 0 "
                "ORDER BY platform, chat_id",
                (hour,),
            )
        return [ChatKey(platform, chat) for platform, chat in rows]

    async def digest_queued(self, hour: int) -> None:
        async with self.transaction():
            await self._db.execute("UPDATE news_digest SET queued = 1 WHERE hour = ? AND queued = 0", (hour,))

    async def digest_articles(self, *, platform: str, chat_id: str, hour: int) -> list[StoredArticle]:
        """The articles held for one chat's digest of `hour` that name something it still follows,
        in the order they arrived."""
        async with self.transaction():
            rows = await self._all(
                f"SELECT {_ARTICLE} "
                "FROM news_digest d JOIN articles a ON a.feed = d.feed AND a.article_id = d.article_id "
                "WHERE d.platform = ? AND d.chat_id = ? AND d.hour = ? AND EXISTS ("
                "  SELECT 1 FROM article_targets t JOIN subscriptions s ON s.kind = t.kind AND s.target = t.target "
                "  WHERE t.feed = a.feed AND t.article_id = a.article_id AND s.platform = d.platform "
                "  AND s.chat_id = d.chat_id"
                ") ORDER BY a.received_at, a.feed, a.article_id",
                (platform, chat_id, hour),
            )
        return [StoredArticle(*row) for row in rows]

    async def prune_news(self, *, before: int) -> int:
        """Forget hourly counts and queued digest entries of hours before `before`."""
        async with self.transaction():
            cur = await self._db.execute("DELETE FROM news_quota WHERE hour < ?", (before,))
            removed = cur.rowcount
            cur = await self._db.execute("DELETE FROM news_digest WHERE hour < ? AND queued = 1", (before,))
        return removed + cur.rowcount
