"""PostgreSQL: chats and their settings (zone, leads, mention, events, language), pausing and moving."""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from ..shared import ChatSetters, SettingColumn, chat_settings
from ..values import ChatFlags, ChatKey, ChatSettings
from .base import PostgresBase

# The tables `move_chat` moves row by row, each with the key columns beside (platform, chat_id)
_MOVED_KEYS: dict[str, tuple[str, ...]] = {
    "deliveries": ("kind", "job"),
    "news_digest": ("hour", "feed", "article_id"),
    "calendar_links": (),
}


class PostgresChats(ChatSetters, PostgresBase):
    async def chat(self, *, platform: str, chat_id: str) -> ChatSettings | None:
        row = await self._one(
            "SELECT timezone, leads, paused_reason, is_private, mention, events, language FROM chats "
            "WHERE platform = %s AND chat_id = %s",
            (platform, chat_id),
        )
        return None if row is None else chat_settings(platform, chat_id, row)

    async def _set(self, column: SettingColumn, value: object, *, platform: str, chat_id: str, is_private: bool, now: int) -> None:
        await self._execute(
            f"INSERT INTO chats (platform, chat_id, is_private, created_at, {column}) VALUES (%s, %s, %s, %s, %s) "
            f"ON CONFLICT (platform, chat_id) DO UPDATE SET {column} = excluded.{column}",
            (platform, chat_id, int(is_private), now, value),
        )

    async def chats_with_events(self, platform: str) -> list[str]:
        """Chats of a platform that asked for their episodes in its event calendar."""
        rows = await self._all("SELECT chat_id FROM chats WHERE platform = %s AND events = 1 ORDER BY chat_id", (platform,))
        return [row[0] for row in rows]

    async def chat_flags(self, chats: Iterable[tuple[str, str]]) -> dict[ChatKey, ChatFlags]:
        """(is_private, timezone, mention, language) of many chats at once, by (platform, chat_id)."""
        found: dict[ChatKey, ChatFlags] = {}
        async with self.transaction():
            for platform, group in itertools.groupby(sorted(set(chats)), key=lambda c: c[0]):
                rows = await self._all(
                    "SELECT chat_id, is_private, timezone, mention, language FROM chats WHERE platform = %s "
                    "AND chat_id = ANY(%s::text[])",
                    (platform, [chat for _, chat in group]),
                )
                for chat_id, private, zone, mention, language in rows:
                    found[ChatKey(platform, chat_id)] = ChatFlags(bool(private), zone, mention, language)
        return found

    async def pause_chat(self, *, platform: str, chat_id: str, reason: str, now: int) -> bool:
        """Mark a chat unreachable; True when it was not paused before."""
        return await self._changes_one(
            "UPDATE chats SET paused_at = %s, paused_reason = %s WHERE platform = %s AND chat_id = %s AND paused_at IS NULL",
            (now, reason[:200], platform, chat_id),
        )

    async def resume_chat(self, *, platform: str, chat_id: str) -> str | None:
        """Deliver to a paused chat again; returns why it had been paused (None: it was not)."""
        async with self.transaction():
            row = await self._one(
                "SELECT paused_reason FROM chats WHERE platform = %s AND chat_id = %s AND paused_at IS NOT NULL FOR UPDATE",
                (platform, chat_id),
            )
            if row is not None:
                await self._execute(
                    "UPDATE chats SET paused_at = NULL, paused_reason = NULL WHERE platform = %s AND chat_id = %s",
                    (platform, chat_id),
                )
        if row is None:
            return None
        return row[0] or "it could not be reached"

    async def move_chat(self, *, platform: str, old: str, new: str) -> None:
        """A chat got a new id: its settings, subscriptions, pending deliveries, the hour's news
        count, the articles held for its digest and its calendar link move there.
        Where the new id already has something, what it has wins."""
        async with self.transaction():
            await self._execute(
                "INSERT INTO chats (platform, chat_id, is_private, timezone, leads, mention, events, language, created_at) "
                "SELECT platform, %s, is_private, timezone, leads, mention, events, language, created_at FROM chats "
                "WHERE platform = %s AND chat_id = %s ON CONFLICT DO NOTHING",
                (new, platform, old),
            )
            await self._execute(
                "INSERT INTO subscriptions (platform, chat_id, kind, target, created_at) "
                "SELECT platform, %s, kind, target, created_at FROM subscriptions WHERE platform = %s AND chat_id = %s "
                "ON CONFLICT DO NOTHING",
                (new, platform, old),
            )
            await self._execute("DELETE FROM subscriptions WHERE platform = %s AND chat_id = %s", (platform, old))
            await self._execute(
                "INSERT INTO news_quota (platform, chat_id, hour, queued) "
                "SELECT platform, %s, hour, queued FROM news_quota WHERE platform = %s AND chat_id = %s "
                "ON CONFLICT (platform, chat_id, hour) DO UPDATE SET queued = news_quota.queued + excluded.queued",
                (new, platform, old),
            )
            await self._execute("DELETE FROM news_quota WHERE platform = %s AND chat_id = %s", (platform, old))
            for table in _MOVED_KEYS:
                await self._move_rows(table, platform=platform, old=old, new=new)
            await self._execute("DELETE FROM chats WHERE platform = %s AND chat_id = %s", (platform, old))

    async def _move_rows(self, table: str, *, platform: str, old: str, new: str) -> None:
        """Part of `move_chat`: the table's rows of the old id move to the new one; where the new id
        already has that row, its own is kept and the old one dropped."""
        same = "".join(f" AND n.{key} = {table}.{key}" for key in _MOVED_KEYS[table])
        await self._execute(
            f"UPDATE {table} SET chat_id = %s WHERE platform = %s AND chat_id = %s AND NOT EXISTS "
            f"(SELECT 1 FROM {table} n WHERE n.platform = {table}.platform AND n.chat_id = %s{same})",
            (new, platform, old, new),
        )
        await self._execute(f"DELETE FROM {table} WHERE platform = %s AND chat_id = %s", (platform, old))
