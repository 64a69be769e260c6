"""PostgreSQL: subscriptions, who they reach (recipients, audience counts), and what is in use.

Many targets travel as two text arrays, (kinds, keys), unnested into rows the query joins: one
statement, one index search per target, whatever their number."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from ..shared import FollowerColumn, FollowerSettings, NewsRecipients, news_recipients
from ..values import Recipient, TargetKind, TargetPair
from .base import PostgresBase

# A row of seven columns as a Recipient, without a Python-level call per row (a fan-out reads 100,000)
_recipient: Callable[[Any], Recipient] = partial(tuple.__new__, Recipient)

# (kind, target) pairs as rows: pass `target_arrays(targets)`
TARGETS = "unnest(%s::text[], %s::text[]) AS j(kind, target)"


def target_arrays(targets: Sequence[tuple[str, str]]) -> tuple[list[str], list[str]]:
    """The distinct (kind, key) pairs as two arrays, for TARGETS."""
    pairs = sorted(set(targets))
    return [kind for kind, _ in pairs], [key for _, key in pairs]


class PostgresSubscriptions(FollowerSettings, PostgresBase):
    async def subscribe(
        self, *, platform: str, chat_id: str, is_private: bool, kind: TargetKind, target: str, now: int
    ) -> bool:
        """True when the subscription is new."""
        async with self.transaction():
            await self._ensure_chat(platform, chat_id, is_private, now)
            return await self._changes_one(
                "INSERT INTO subscriptions (platform, chat_id, kind, target, created_at) VALUES (%s, %s, %s, %s, %s) "
                "ON CONFLICT DO NOTHING",
                (platform, chat_id, kind, target, now),
            )

    async def unsubscribe(self, *, platform: str, chat_id: str, kind: TargetKind, target: str) -> bool:
        """True when there was such a subscription."""
        return await self._changes_one(
            "DELETE FROM subscriptions WHERE platform = %s AND chat_id = %s AND kind = %s AND target = %s",
            (platform, chat_id, kind, target),
        )

    async def subscriptions(self, *, platform: str, chat_id: str) -> list[TargetPair]:
        """(kind, target) of what one chat follows, in the order it subscribed."""
        rows = await self._all(
            "SELECT kind, target FROM subscriptions WHERE platform = %s AND chat_id = %s ORDER BY created_at, kind, target",
            (platform, chat_id),
        )
        return [(kind, target) for kind, target in rows]

    async def _distinct_of_followers(self, column: FollowerColumn) -> set[str | None]:
        rows = await self._all(
            f"SELECT DISTINCT {column} FROM chats c WHERE EXISTS "
            "(SELECT 1 FROM subscriptions s WHERE s.platform = c.platform AND s.chat_id = c.chat_id)"
        )
        return {row[0] for row in rows}

    async def followed_targets(self) -> set[tuple[str, str]]:
        """Every (kind, key) some chat follows."""
        rows = await self._all("SELECT DISTINCT kind, target FROM subscriptions")
        return {(kind, key) for kind, key in rows}

    async def recipients(self, targets: Sequence[tuple[str, str]]) -> list[Recipient]:
        """Every chat that follows any of the targets and is not paused, once each."""
        if not targets:
            return []
        columns = "c.platform, c.chat_id, c.is_private, c.timezone, c.leads, c.mention, c.language"
        if len(set(targets)) == 1:
            [(kind, target)] = set(targets)
            rows = await self._all(
                f"SELECT {columns} FROM subscriptions s JOIN chats c ON c.platform = s.platform AND c.chat_id = s.chat_id "
                "WHERE s.kind = %s AND s.target = %s AND c.paused_at IS NULL",
                (kind, target),
            )
        else:
            rows = await self._all(
                f"SELECT {columns} FROM chats c JOIN (SELECT DISTINCT s.platform, s.chat_id FROM {TARGETS} "
                "JOIN subscriptions s ON s.kind = j.kind AND s.target = j.target) f "
                "ON c.platform = f.platform AND c.chat_id = f.chat_id WHERE c.paused_at IS NULL",
                target_arrays(targets),
            )
        return list(map(_recipient, rows))

    async def news_recipients(self, targets: Sequence[tuple[str, str]]) -> NewsRecipients:
        """Every unpaused chat that follows any of the targets, by (platform, chat), with which of
        them it follows."""
        if not targets:
            return {}
        rows = await self._all(
            "SELECT c.platform, c.chat_id, c.is_private, c.timezone, c.leads, c.language, s.kind, s.target "
            f"FROM {TARGETS} JOIN subscriptions s ON s.kind = j.kind AND s.target = j.target "
            "JOIN chats c ON c.platform = s.platform AND c.chat_id = s.chat_id WHERE c.paused_at IS NULL",
            target_arrays(targets),
        )
        return news_recipients(rows)

    async def audience(self, targets: Sequence[tuple[str, str]]) -> dict[str, int]:
        """How many unpaused chats per platform follow any of the targets, counted by the database."""
        if not targets:
            return {}
        rows = await self._all(
            f"SELECT f.platform, COUNT(*) FROM (SELECT DISTINCT s.platform, s.chat_id FROM {TARGETS} "
            "JOIN subscriptions s ON s.kind = j.kind AND s.target = j.target) f "
            "JOIN chats c ON c.platform = f.platform AND c.chat_id = f.chat_id WHERE c.paused_at IS NULL "
            "GROUP BY f.platform",
            target_arrays(targets),
        )
        return {platform: count for platform, count in rows}
