"""PostgreSQL: named values the bot keeps between runs (progress watermarks and the like)."""

from __future__ import annotations

from .base import PostgresBase

SET_META = "INSERT INTO meta (name, value) VALUES (%s, %s) ON CONFLICT (name) DO UPDATE SET value = excluded.value"


class PostgresMeta(PostgresBase):
    async def get_meta(self, name: str) -> str | None:
        return await self._value("SELECT value FROM meta WHERE name = %s", (name,))

    async def set_meta(self, *, name: str, value: str) -> None:
        await self._execute(SET_META, (name, value))
