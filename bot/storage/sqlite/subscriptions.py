"""SQLite: subscriptions, who they reach (recipients, audience counts), and what is in use."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from ..shared import FollowerColumn, FollowerSettings, NewsRecipients, news_recipients
from ..values import Recipient, TargetKind, TargetPair
from .base import SqliteBase

# A row of six columns as a Recipient, without a Python-level call per row (a fan-out reads 100,000)
_recipient: Callable[[Any], Recipient] = partial(tuple.__new__, Recipient)


class SqliteSubscriptions(FollowerSettings, SqliteBase):
    async def subscribe(
        self, *, platform: str, chat_id: str, is_private: bool, kind: TargetKind, target: str, now: int
    ) -> bool:
        """True when the subscription is new."""
        async with self.transaction():
            await self._ensure_chat(platform, chat_id, is_private, now)
            return await self._changes_one(
                "INSERT OR IGNORE INTO subscriptions (platform, chat_id, kind, target, created_at) VALUES (?, ?, ?, ?, ?)",
                (platform, chat_id, kind, target, now),
            )

    async def unsubscribe(self, *, platform: str, chat_id: str, kind: TargetKind, target: str) -> bool:
        """True when there was such a subscription."""
        async with self.transaction():
            return await self._changes_one(
                "DELETE FROM subscriptions WHERE platform = ? AND chat_id = ? AND kind = ? AND target = ?",
                (platform, chat_id, kind, target),
            )

    async def subscriptions(self, *, platform: str, chat_id: str) -> list[TargetPair]:
        """(kind, target) of what one chat follows, in the order it subscribed."""
        async with self.transaction():
            rows = await self._all(
                "SELECT kind, target FROM subscriptions WHERE platform = ? AND chat_id = ? "
                "ORDER BY created_at, kind, target",
                (platform, chat_id),
            )
        return [(kind, target) for kind, target in rows]

    async def _distinct_of_followers(self, column: FollowerColumn) -> set[str | None]:
        """The distinct values of one column of `chats` over the chats that follow anything."""
        async with self.transaction():
            rows = await self._all(
                f"SELECT DISTINCT {column} FROM chats c WHERE EXISTS "
                "(SELECT 1 FROM subscriptions s WHERE s.platform = c.platform AND s.chat_id = c.chat_id)"
            )
        return {row[0] for row in rows}

    async def followed_targets(self) -> set[tuple[str, str]]:
        """Every (kind, key) some chat follows."""
        async with self.transaction():
            rows = await self._all("SELECT DISTINCT kind, target FROM subscriptions")
        return {(kind, key) for kind, key in rows}

    async def recipients(self, targets: Sequence[tuple[str, str]]) -> list[Recipient]:
        """Every chat that follows any of the targets and is not paused, once each."""
        if not targets:
            return []
        clause = " OR ".join("(s.kind = ? AND s.target = ?)" for _ in targets)
        params = [v for pair in targets for v in pair]
        columns = "c.platform, c.chat_id, c.is_private, c.timezone, c.leads, c.mention, c.language"
        sql = (
            f"SELECT {columns} FROM chats c WHERE c.paused_at IS NULL AND EXISTS "
            f"(SELECT 1 FROM subscriptions s WHERE s.platform = c.platform AND s.chat_id = c.chat_id AND ({clause}))"
            if len(targets) > 1
            else f"SELECT {columns} FROM subscriptions s JOIN chats c ON c.platform = s.platform "
            "AND c.chat_id = s.chat_id WHERE s.kind = ? AND s.target = ? AND c.paused_at IS NULL"
        )
        async with self.transaction():
            async with self._db.execute(sql, params) as cur:
                return list(map(_recipient, await cur.fetchall()))

    async def news_recipients(self, targets: Sequence[tuple[str, str]]) -> NewsRecipients:
        """Every unpaused chat that follows any of the targets, by (platform, chat), with which of
        them it follows."""
        if not targets:
            return {}
        async with self.transaction():
            rows = await self._all(  # one index search per target (a row-value IN would scan them all)
                "SELECT c.platform, c.chat_id, c.is_private, c.timezone, c.leads, c.language, s.kind, s.target "
                "FROM json_each(?) j JOIN subscriptions s ON s.kind = j.value ->> 0 AND s.target = j.value ->> 1 "
                "JOIN chats c ON c.platform = s.platform AND c.chat_id = s.chat_id WHERE c.paused_at IS NULL",
                (json.dumps(sorted(set(targets))),),
            )
        return news_recipients(rows)

    async def audience(self, targets: Sequence[tuple[str, str]]) -> dict[str, int]:
        """How many unpaused chats per platform follow any of the targets (for deadline plans),
        counted by the database: one index search per target, no row read back."""
        if not targets:
            return {}
        async with self.transaction():
            rows = await self._all(
                "SELECT f.platform, COUNT(*) FROM (SELECT DISTINCT s.platform, s.chat_id FROM json_each(?) j "
                "JOIN subscriptions s ON s.kind = j.value ->> 0 AND s.target = j.value ->> 1) f "
                "JOIN chats c ON c.platform = f.platform AND c.chat_id = f.chat_id WHERE c.paused_at IS NULL "
                "GROUP BY f.platform",
                (json.dumps(sorted(set(targets))),),
            )
        return {platform: count for platform, count in rows}
