"""PostgreSQL: the live catalog's imports (shows and people from TVmaze), owners' edits, and the
change notices a catalog change produced."""

from __future__ import annotations

from ..values import CatalogChange, ImportKey, ImportKind, StoredEdit
from .base import PostgresBase


class PostgresCatalog(PostgresBase):
    async def imports(self, kind: ImportKind) -> list[str]:
        """The JSON of every imported show or person ("show", "person")."""
        rows = await self._all("SELECT data FROM catalog_imports WHERE kind = %s ORDER BY key", (kind,))
        return [row[0] for row in rows]

    async def due_imports(self, *, now: int) -> list[ImportKey]:
        """Imports whose next refresh has come, earliest first."""
        rows = await self._all(
            "SELECT kind, key FROM catalog_imports WHERE next_refresh_at <= %s ORDER BY next_refresh_at, kind, key", (now,)
        )
        return [ImportKey(kind, key) for kind, key in rows]

    async def next_import_refresh(self) -> int | None:
        return await self._value("SELECT MIN(next_refresh_at) FROM catalog_imports WHERE next_refresh_at IS NOT NULL")

    async def schedule_refresh(self, *, kind: ImportKind, key: str, at: int | None) -> None:
        await self._execute("UPDATE catalog_imports SET next_refresh_at = %s WHERE kind = %s AND key = %s", (at, kind, key))

    async def edits(self) -> list[StoredEdit]:
        """Owners' corrections in the order made."""
        rows = await self._all("SELECT show_key, kind, day, episode, at_time FROM catalog_edits ORDER BY id")
        return [StoredEdit(*row) for row in rows]

    async def save_catalog_change(self, change: CatalogChange, *, now: int) -> None:
        """One catalog change in one transaction: imports, edits, and the notices it produced; a
        notice already stored is kept as it is."""
        async with self.transaction():
            await self._executemany(
                "INSERT INTO catalog_imports (kind, key, data, ended, refreshed_at, next_refresh_at) "
                "VALUES (%s, %s, %s, %s, %s, %s) "
                "ON CONFLICT (kind, key) DO UPDATE SET data = excluded.data, ended = excluded.ended, "
                "refreshed_at = excluded.refreshed_at, next_refresh_at = excluded.next_refresh_at",
                [(i.kind, i.key, i.data, int(i.ended), now, i.next_refresh_at) for i in change.imports],
            )
            await self._executemany(
                "INSERT INTO catalog_edits (show_key, kind, day, episode, at_time, created_at) VALUES (%s, %s, %s, %s, %s, %s)",
                [(*edit, now) for edit in change.edits],
            )
            await self._executemany(
                "INSERT INTO catalog_notices (notice, show_key, data, expires_at) VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
                [tuple(notice) for notice in change.notices],
            )

    async def pending_notices(self, *, now: int) -> list[str]:
        """The JSON of notices not yet announced and still timely, oldest first."""
        rows = await self._all(
            "SELECT data FROM catalog_notices WHERE announced_at IS NULL AND expires_at > %s ORDER BY seq", (now,)
        )
        return [row[0] for row in rows]

    async def notice(self, notice: str) -> str | None:
        return await self._value("SELECT data FROM catalog_notices WHERE notice = %s", (notice,))

    async def notice_announced(self, *, notice: str, now: int) -> None:
        await self._execute("UPDATE catalog_notices SET announced_at = %s WHERE notice = %s", (now, notice))
