"""SQLite: role leases (one process per file holds them all, but the contract reads alike)."""

from __future__ import annotations

from ...domain.roles import Lease, LeaseRow
from .base import SqliteBase


class SqliteLeases(SqliteBase):
    async def take_lease(self, *, role: str, holder: str, now: float, ttl: float) -> Lease | None:
        async with self.transaction():
            row = await self._one(
                "INSERT INTO leases (role, holder, generation, expires_at) VALUES (?, ?, 1, ?) "
                "ON CONFLICT (role) DO UPDATE SET "
                "generation = CASE WHEN leases.holder = excluded.holder AND leases.expires_at > ? "
                "THEN leases.generation ELSE leases.generation + 1 END, "
                "holder = excluded.holder, expires_at = excluded.expires_at "
                "WHERE leases.holder = excluded.holder OR leases.expires_at <= ? "
                "RETURNING generation",
                (role, holder, now + ttl, now, now),
            )
        return Lease(role, holder, int(row[0])) if row else None

    async def renew_lease(self, lease: Lease, *, now: float, ttl: float) -> bool:
        async with self.transaction():
            return await self._changes_one(
                "UPDATE leases SET expires_at = ? WHERE role = ? AND holder = ? AND generation = ?",
                (now + ttl, lease.role, lease.holder, lease.generation),
            )

    async def release_lease(self, lease: Lease) -> None:
        async with self.transaction():
            await self._db.execute(
                "UPDATE leases SET expires_at = 0 WHERE role = ? AND holder = ? AND generation = ?",
                (lease.role, lease.holder, lease.generation),
            )

    async def leases(self) -> list[LeaseRow]:
        async with self.transaction():
            rows = await self._all("SELECT role, holder, generation, expires_at FROM leases ORDER BY role")
        return [LeaseRow(role, holder, int(generation), float(expires)) for role, holder, generation, expires in rows]
