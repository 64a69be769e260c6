"""SQLite: named values the bot keeps between runs (progress watermarks and the like)."""

from __future__ import annotations

from .base import SqliteBase


class SqliteMeta(SqliteBase):
    async def get_meta(self, name: str) -> str | None:
        return await self._value("SELECT value FROM meta WHERE name = ?", (name,))

    async def set_meta(self, *, name: str, value: str) -> None:
        async with self.transaction():
            await self._db.execute(
                "INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (name, value),
            )
