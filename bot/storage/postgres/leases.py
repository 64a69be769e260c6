"""PostgreSQL: role leases, one row per role (holder, generation, expiry). A take is one upsert
whose WHERE PostgreSQL re-checks on the row as the last committed writer left it, so two
processes taking a free role at once get it once: the later one sees the earlier's lease."""

from __future__ import annotations

from ...domain.roles import Lease, LeaseRow
from .base import PostgresBase


class PostgresLeases(PostgresBase):
    async def take_lease(self, *, role: str, holder: str, now: float, ttl: float) -> Lease | None:
        row = await self._one(
            "INSERT INTO leases (role, holder, generation, expires_at) VALUES (%s, %s, 1, %s) "
            "ON CONFLICT (role) DO UPDATE SET "
            "generation = CASE WHEN leases.holder = excluded.holder AND leases.expires_at > %s "
            "THEN leases.generation ELSE leases.generation + 1 END, "
            "holder = excluded.holder, expires_at = excluded.expires_at "
            "WHERE leases.holder = excluded.holder OR leases.expires_at <= %s "
            "RETURNING generation",
            (role, holder, now + ttl, now, now),
        )
        return Lease(role, holder, int(row[0])) if row else None

    async def renew_lease(self, lease: Lease, *, now: float, ttl: float) -> bool:
        return await self._changes_one(
            "UPDATE leases SET expires_at = %s WHERE role = %s AND holder = %s AND generation = %s",
            (now + ttl, lease.role, lease.holder, lease.generation),
        )

    async def release_lease(self, lease: Lease) -> None:
        await self._execute(
            "UPDATE leases SET expires_at = 0 WHERE role = %s AND holder = %s AND generation = %s",
            (lease.role, lease.holder, lease.generation),
        )

    async def leases(self) -> list[LeaseRow]:
        rows = await self._all("SELECT role, holder, generation, expires_at FROM leases ORDER BY role")
        return [LeaseRow(role, holder, int(generation), float(expires)) for role, holder, generation, expires in rows]
