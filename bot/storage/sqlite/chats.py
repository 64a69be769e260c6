"""SQLite: chats and their settings (zone, leads, mention, events, language), pausing and moving."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable
from typing import Literal

from ..shared import ChatSetters, SettingColumn, chat_settings
from ..values import ChatFlags, ChatKey, ChatSettings
from .base import SqliteBase


class SqliteChats(ChatSetters, SqliteBase):
    async def chat(self, *, platform: str, chat_id: str) -> ChatSettings | None:
        async with self.transaction():
            row = await self._one(
                "SELECT timezone, leads, paused_reason, is_private, mention, events, language FROM chats "
                "WHERE platform = ? AND chat_id = ?",
                (platform, chat_id),
            )
        return None if row is None else chat_settings(platform, chat_id, row)

    async def _set(self, column: SettingColumn, value: object, *, platform: str, chat_id: str, is_private: bool, now: int) -> None:
        async with self.transaction():
            await self._ensure_chat(platform, chat_id, is_private, now)
            await self._db.execute(
                f"UPDATE chats SET {column} = ? WHERE platform = ? AND chat_id = ?", (value, platform, chat_id)
            )

    async def chats_with_events(self, platform: str) -> list[str]:
        """Chats of a platform that asked for their episodes in its event calendar."""
        async with self.transaction():
            rows = await self._all("SELECT chat_id FROM chats WHERE platform = ? AND events = 1 ORDER BY chat_id", (platform,))
        return [row[0] for row in rows]

    async def chat_flags(self, chats: Iterable[tuple[str, str]]) -> dict[ChatKey, ChatFlags]:
        """(is_private, timezone, mention, language) of many chats at once, by (platform, chat_id)."""
        found: dict[ChatKey, ChatFlags] = {}
        async with self.transaction():
            for platform, group in itertools.groupby(sorted(set(chats)), key=lambda c: c[0]):
                rows = await self._all(
                    "SELECT chat_id, is_private, timezone, mention, language FROM chats WHERE platform = ? "
                    "AND chat_id IN (SELECT value FROM json_each(?))",
                    (platform, json.dumps([chat for _, chat in group])),
                )
                for chat_id, private, zone, mention, language in rows:
                    found[ChatKey(platform, chat_id)] = ChatFlags(bool(private), zone, mention, language)
        return found

    async def pause_chat(self, *, platform: str, chat_id: str, reason: str, now: int) -> bool:
        """Mark a chat unreachable; True when it was not paused before."""
        async with self.transaction():
            return await self._changes_one(
                "UPDATE chats SET paused_at = ?, paused_reason = ? WHERE platform = ? AND chat_id = ? AND paused_at IS NULL",
                (now, reason[:200], platform, chat_id),
            )

    async def resume_chat(self, *, platform: str, chat_id: str) -> str | None:
        """Deliver to a paused chat again; returns why it had been paused (None: it was not)."""
        async with self.transaction():
            row = await self._one(
                "SELECT paused_reason FROM chats WHERE platform = ? AND chat_id = ? AND paused_at IS NOT NULL",
                (platform, chat_id),
            )
            if row is None:
                return None
            await self._db.execute(
                "UPDATE chats SET paused_at = NULL, paused_reason = NULL WHERE platform = ? AND chat_id = ?",
                (platform, chat_id),
            )
        return row[0] or "it could not be reached"

    async def move_chat(self, *, platform: str, old: str, new: str) -> None:
        """A chat got a new id: its settings, subscriptions, pending deliveries, the hour's news
        count, the articles held for its digest and its calendar link move there.
        Where the new id already has something, what it has wins."""
        async with self.transaction():
            await self._db.execute(
                "INSERT OR IGNORE INTO chats (platform, chat_id, is_private, timezone, leads, mention, events, language, created_at) "
                "SELECT platform, ?, is_private, timezone, leads, mention, events, language, created_at FROM chats "
                "WHERE platform = ? AND chat_id = ?",
                (new, platform, old),
            )
            await self._db.execute(
                "INSERT OR IGNORE INTO subscriptions (platform, chat_id, kind, target, created_at) "
                "SELECT platform, ?, kind, target, created_at FROM subscriptions WHERE platform = ? AND chat_id = ?",
                (new, platform, old),
            )
            await self._db.execute("DELETE FROM subscriptions WHERE platform = ? AND chat_id = ?", (platform, old))
            await self._move_rows("deliveries", platform=platform, old=old, new=new)
            await self._move_news_rows(platform=platform, old=old, new=new)
            await self._move_rows("calendar_links", platform=platform, old=old, new=new)
            await self._db.execute("DELETE FROM chats WHERE platform = ? AND chat_id = ?", (platform, old))

    async def _move_news_rows(self, *, platform: str, old: str, new: str) -> None:
        """Part of `move_chat`: the hourly news counts add up at the new id (the cap holds across
        the move), and articles held for a digest wait there."""
        await self._db.execute(
            "INSERT INTO news_quota (platform, chat_id, hour, queued) "
            "SELECT platform, ?, hour, queued FROM news_quota WHERE platform = ? AND chat_id = ? AND true "
            "ON CONFLICT (platform, chat_id, hour) DO UPDATE SET queued = queued + excluded.queued",
            (new, platform, old),
        )
        await self._db.execute("DELETE FROM news_quota WHERE platform = ? AND chat_id = ?", (platform, old))
        await self._move_rows("news_digest", platform=platform, old=old, new=new)

    async def _move_rows(self, table: Literal["deliveries", "news_digest", "calendar_links"], *, platform: str, old: str, new: str) -> None:
        """Part of `move_chat`: the table's rows of the old id move to the new one; where the new id
        already has that row, its own is kept and the old one dropped."""
        await self._db.execute(
            f"UPDATE OR IGNORE {table} SET chat_id = ? WHERE platform = ? AND chat_id = ?", (new, platform, old)
        )
        await self._db.execute(f"DELETE FROM {table} WHERE platform = ? AND chat_id = ?", (platform, old))
