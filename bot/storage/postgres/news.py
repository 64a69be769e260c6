"""PostgreSQL: articles and what they name, the per-chat hourly news cap, and digests."""

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
from .base import PostgresBase
from .meta import SET_META
from .subscriptions import TARGETS, target_arrays

_ARTICLE = "a.feed, a.article_id, a.title, a.link, a.summary, a.published, a.received_at"


class PostgresArticles(PostgresBase):
    async def save_article(
        self, *, feed: str, article_id: str, title: str, link: str, summary: str, published: int | None, now: int
    ) -> bool:
        """True when the article is new; what is kept is bounded as in the SQLite backend."""
        return await self._changes_one(
            "INSERT INTO articles (feed, article_id, title, link, summary, published, received_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            (feed, article_id, title[:ARTICLE_TITLE_KEEP], link[:ARTICLE_LINK_KEEP], summary[:ARTICLE_SUMMARY_KEEP],
             published, now),
        )

    async def note_unmatched_article(self, *, feed: str, article_id: str, title: str, link: str, now: int) -> None:
        """Only the newest article per feed that names nothing is noted (in meta), for /feeds."""
        await self._execute(SET_META, (
            f"{LAST_UNMATCHED}{feed}",
            json.dumps([article_id, title[:ARTICLE_TITLE_KEEP], link[:ARTICLE_LINK_KEEP], now], ensure_ascii=False),
        ))

    async def prune_articles(self, *, before: int) -> int:
        """Forget articles received before `before` and any that names nothing, with what they
        named; an article held for a digest not sent yet stays."""
        async with self.transaction():
            removed = await self._execute(
                "DELETE FROM articles WHERE (received_at < %s OR NOT EXISTS (SELECT 1 FROM article_targets t "
                "WHERE t.feed = articles.feed AND t.article_id = articles.article_id)) AND NOT EXISTS (SELECT 1 FROM "
                "news_digest d WHERE d.feed = articles.feed AND d.article_id = articles.article_id AND d.queued = 0)",
                (before,),
            )
            await self._execute(
                "DELETE FROM article_targets WHERE NOT EXISTS (SELECT 1 FROM articles a "
                "WHERE a.feed = article_targets.feed AND a.article_id = article_targets.article_id)"
            )
        return removed

    async def save_article_targets(self, *, feed: str, article_id: str, targets: Iterable[tuple[str, str]]) -> None:
        """Remember which (kind, key) targets an article names."""
        await self._executemany(
            "INSERT INTO article_targets (feed, article_id, kind, target) VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
            [(feed, article_id, kind, key) for kind, key in targets],
        )

    async def article_targets(self, *, feed: str, article_id: str) -> list[tuple[str, str]]:
        """The (kind, key) targets a stored article named when it arrived."""
        rows = await self._all(
            "SELECT kind, target FROM article_targets WHERE feed = %s AND article_id = %s ORDER BY kind, target",
            (feed, article_id),
        )
        return [(kind, target) for kind, target in rows]

    async def latest_articles(self, *, targets: Sequence[tuple[str, str]], limit: int) -> list[StoredArticle]:
        """The `limit` most recently received articles naming any of `targets`, newest first."""
        if not targets:
            return []
        rows = await self._all(
            f"SELECT {_ARTICLE} FROM articles a "
            f"JOIN (SELECT DISTINCT t.feed, t.article_id FROM {TARGETS} JOIN article_targets t "
            "      ON t.kind = j.kind AND t.target = j.target) m "
            "ON m.feed = a.feed AND m.article_id = a.article_id "
            "ORDER BY a.received_at DESC, a.published DESC NULLS LAST, a.feed, a.article_id LIMIT %s",
            (*target_arrays(targets), limit),
        )
        return [StoredArticle(*row) for row in rows]

    async def last_articles(self, feeds: Sequence[str]) -> dict[str, StoredArticle]:
        """Each feed's most recently received article (kept, or noted as naming nothing)."""
        found: dict[str, StoredArticle] = {}
        async with self.transaction():
            for feed in feeds:
                row = await self._one(
                    "SELECT feed, article_id, title, link, summary, published, received_at FROM articles "
                    "WHERE feed = %s ORDER BY received_at DESC, article_id DESC LIMIT 1",
                    (feed,),
                )
                noted = await self._one("SELECT value FROM meta WHERE name = %s", (f"{LAST_UNMATCHED}{feed}",))
                newest = newest_article(feed, row, noted[0] if noted else None)
                if newest is not None:
                    found[feed] = newest
        return found

    async def article(self, *, feed: str, article_id: str) -> ArticleText | None:
        """Title, link, summary and publication time of a stored article."""
        row = await self._one(
            "SELECT title, link, summary, published FROM articles WHERE feed = %s AND article_id = %s", (feed, article_id)
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
                    "SELECT %s::text, c, %s::bigint, 1 FROM unnest(%s::text[]) AS u(c) "
                    "ON CONFLICT (platform, chat_id, hour) DO UPDATE SET queued = news_quota.queued + 1 "
                    "WHERE news_quota.queued < %s RETURNING chat_id",
                    (platform, hour, [chat for _, chat in group], cap),
                )
                taken.update(ChatKey(platform, chat) for (chat,) in rows)
        return taken

    async def hold_for_digest(self, *, hour: int, feed: str, article_id: str, chats: Iterable[tuple[str, str]]) -> None:
        """Keep an article for the digests of these chats at the end of `hour`."""
        await self._executemany(
            "INSERT INTO news_digest (platform, chat_id, hour, feed, article_id) VALUES (%s, %s, %s, %s, %s) "
            "ON CONFLICT DO NOTHING",
            [(platform, chat, hour, feed, article_id) for platform, chat in chats],
        )

    async def next_digest_hour(self) -> int | None:
        """The earliest hour with articles held for a digest not queued yet."""
        return await self._value("SELECT MIN(hour) FROM news_digest WHERE queued = 0")

    async def digest_chats(self, hour: int) -> list[ChatKey]:
        """The chats with articles held for the digest of `hour`, not queued yet."""
        rows = await self._all(
            "SELECT DISTINCT platform, chat_id FROM news_digest WHERE hour = %s AND queued = 0 ORDER BY platform, chat_id",
            (hour,),
        )
        return [ChatKey(platform, chat) for platform, chat in rows]

    async def digest_queued(self, hour: int) -> None:
        await self._execute("UPDATE news_digest SET queued = 1 WHERE hour = %s AND queued = 0", (hour,))

    async def digest_articles(self, *, platform: str, chat_id: str, hour: int) -> list[StoredArticle]:
        """The articles held for one chat's digest of `hour` that name something it still follows,
        in the order they arrived."""
        rows = await self._all(
            f"SELECT {_ARTICLE} "
            "FROM news_digest d JOIN articles a ON a.feed = d.feed AND a.article_id = d.article_id "
            "WHERE d.platform = %s AND d.chat_id = %s AND d.hour = %s AND EXISTS ("
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
            removed = await self._execute("DELETE FROM news_quota WHERE hour < %s", (before,))
            removed += await self._execute("DELETE FROM news_digest WHERE hour < %s AND queued = 1", (before,))
        return removed
