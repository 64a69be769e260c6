"""SQLite: the live catalog's imports (shows and people from TVmaze), owners' edits, and the
change notices a catalog change produced."""

from __future__ import annotations

from ..values import CatalogChange, ImportKey, ImportKind, StoredEdit
from .base import SqliteBase


class SqliteCatalog(SqliteBase):
    async def imports(self, kind: ImportKind) -> list[str]:
        """The JSON of every imported show or person ("show", "person")."""
        async with self.transaction():
            rows = await self._all("SELECT data FROM catalog_imports WHERE kind = ? ORDER BY key", (kind,))
        return [row[0] for row in rows]

    async def due_imports(self, *, now: int) -> list[ImportKey]:
        """Imports whose next refresh has come, earliest first."""
        async with self.transaction():
            rows = await self._all(
                "SELECT kind, key FROM catalog_imports WHERE next_refresh_at <= ? ORDER BY next_refresh_at, kind, key",
                (now,),
            )
        return [ImportKey(kind, key) for kind, key in rows]

    async def next_import_refresh(self) -> int | None:
        async with self.transaction():
            row = await self._one("SELECT MIN(next_refresh_at) FROM catalog_imports WHERE next_refresh_at IS NOT NULL")
        return row[0]

    async def schedule_refresh(self, *, kind: ImportKind, key: str, at: int | None) -> None:
        async with self.transaction():
            await self._db.execute(
                "UPDATE catalog_imports SET next_refresh_at = ? WHERE kind = ? AND key = ?", (at, kind, key)
            )

    async def edits(self) -> list[StoredEdit]:
        """Owners' corrections in the order made."""
        async with self.transaction():
            rows = await self._all("SELECT show_key, kind, day, episode, at_time FROM catalog_edits ORDER BY id")
        return [StoredEdit(*row) for row in rows]

    async def save_catalog_change(self, change: CatalogChange, *, now: int) -> None:
        """One catalog change in one transaction: imports, edits, and the notices it produced; a
        notice already stored is kept as it is."""
        async with self.transaction():
            await self._db.executemany(
                "INSERT INTO catalog_imports (kind, key, data, ended, refreshed_at, next_refresh_at) "
                "VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (kind, key) DO UPDATE SET data = excluded.data, ended = excluded.ended, "
                "refreshed_at = excluded.refreshed_at, next_refresh_at = excluded.next_refresh_at",
                [(i.kind, i.key, i.data, int(i.ended), now, i.next_refresh_at) for i in change.imports],
            )
            await self._db.executemany(
                "INSERT INTO catalog_edits (show_key, kind, day, episode, at_time, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                [(*edit, now) for edit in change.edits],
            )
            await self._db.executemany(
                "INSERT OR IGNORE INTO catalog_notices (notice, show_key, data, expires_at) VALUES (?, ?, ?, ?)",
                [tuple(notice) for notice in change.notices],
            )

    async def pending_notices(self, *, now: int) -> list[str]:
        """The JSON of notices not yet announced and still timely, oldest first."""
        async with self.transaction():
            rows = await self._all(
                "SELECT data FROM catalog_notices WHERE announced_at IS NULL AND expires_at > ? ORDER BY rowid", (now,)
            )
        return [row[0] for row in rows]

    async def notice(self, notice: str) -> str | None:
        return await self._value("SELECT data FROM catalog_notices WHERE notice = ?", (notice,))

    async def notice_announced(self, *, notice: str, now: int) -> None:
        async with self.transaction():
            await self._db.execute("UPDATE catalog_notices SET announced_at = ? WHERE notice = ?", (now, notice))
