"""The roles one process holds when several share one database: a `RoleKeeper` per process.

The process says which roles it wants (`want`) and what to do on gaining and losing each; the
keeper takes free roles through the storage's leases, renews what it holds every RENEW_EVERY
seconds for TTL seconds, and shares out roles of one `spread` group (Discord shards) fairly:
each process holds at most ceil(roles / live processes) of them, sheds the excess so a newcomer
can take it, and counts live processes by their `seat:<n>` leases.

A role is dropped (its `on_lose` called) when a renewal fails, and also when the keeper's own
monotonic clock passes the lease's expiry before it could renew: a process paused or cut off
stops acting on the role by itself, whatever the database says. `holds(role)` is None from that
instant on, before the loop notices. `stop` (SIGTERM) calls every `on_lose`, then releases each
lease at once so another process takes the role over on its next round.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import secrets
import socket
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from bot.domain.roles import Lease, LeaseRow, Role, seat
from bot.storage.contract import Leases

log = logging.getLogger(__name__)

TTL = 10.0  # seconds a lease lasts unless renewed: a SIGKILLed process's roles are free this long after its last renewal
RENEW_EVERY = 2.0  # seconds between two rounds (renew, shed, take)
SEATS = 256  # live processes counted at most


def holder_id() -> str:
    """This process as a lease holder: `host:pid:random`."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


@runtime_checkable
class ShardHolder(Protocol):
    """An adapter whose connections are shards the processes share out (Discord)."""

    @property
    def shard_roles(self) -> list[Role]:
        """`shard:<platform>:<n>`, one per shard."""

    async def hold_roles(self, roles: Iterable[Role]) -> None:
        """Hold the shards among `roles` (all this process holds now), and no other."""

    def defer_shards(self) -> None:
        """Connect no shard at start-up: the shard roles hand them out (called before `connect`)."""


@dataclass
class Wanted:
    role: Role
    on_gain: Callable[[Lease], Awaitable[object]]
    on_lose: Callable[[], Awaitable[object]]
    requires: Role | None = None  # taken only while this one is held (and dropped with it)
    spread: str | None = None  # a group whose roles are shared out fairly among live processes


async def _nothing(*_: object) -> None:
    return None


class RoleKeeper:
    def __init__(self, store: Leases, *, holder: str | None = None, ttl: float = TTL, renew_every: float = RENEW_EVERY,
                 monotonic: Callable[[], float] = time.monotonic, wall: Callable[[], float] = time.time):
        self.store = store
        self.holder = holder or holder_id()
        self.ttl, self.renew_every = ttl, renew_every
        self._monotonic, self._wall = monotonic, wall
        self._wanted: dict[Role, Wanted] = {}
        self._held: dict[Role, Lease] = {}
        self._deadline: dict[Role, float] = {}  # by the monotonic clock: the role is dropped at this instant
        self._seat: Lease | None = None
        self._task: asyncio.Task | None = None
        self._stopping = False
        self.live = 1  # live processes (seats) seen at the last round

    def want(self, role: Role, *, on_gain: Callable[[Lease], Awaitable[object]] = _nothing,
             on_lose: Callable[[], Awaitable[object]] = _nothing, requires: Role | None = None,
             spread: str | None = None) -> None:
        """Take `role` whenever it is free (and `requires` is held; and, in a `spread` group, while
        this process holds fewer than its fair share); `on_gain(lease)` then, `on_lose()` when it goes."""
        self._wanted[role] = Wanted(role, on_gain, on_lose, requires, spread)

    def holds(self, role: Role) -> Lease | None:
        """The lease on `role` while it is held and not past its expiry by this process's clock."""
        lease = self._held.get(role)
        if lease is None or self._monotonic() >= self._deadline[role]:
            return None
        return lease

    def unexpired(self, role: Role) -> bool:
        """Whether this process's lease on `role` has not expired by its own clock: True still while
        a role handed over (not lost) winds down in its on_lose, False once it is past its expiry."""
        return self._monotonic() < self._deadline.get(role, 0.0)

    @property
    def held(self) -> list[Role]:
        return sorted(role for role in self._held if self.holds(role) is not None)

    async def start(self) -> None:
        """Take a seat and do a first round at once, then keep going every RENEW_EVERY seconds."""
        await self.round()
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.renew_every)
            try:
                await self.round()
            except Exception:
                log.exception("roles: a round failed (held roles are dropped at their expiry)")

    def abandon(self) -> None:
        """Stop renewing, as a killed process does (tests): the leases expire by themselves."""
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def stop(self) -> None:
        """Drop every role (dependents first), then release each lease and the seat at once."""
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        for role in self._drop_order(list(self._held)):
            await self._lose(role, why="handed over (stopping)", release=True)
        if self._seat is not None:
            seat_lease, self._seat = self._seat, None
            await self._release(seat_lease)

    # ---- one round ------------------------------------------------------------------------------

    async def round(self) -> None:
        """Drop what expired by our own clock, renew the rest, count live processes, shed a spread
        group's excess, take what is free."""
        for role in self._drop_order([r for r in self._held if self.holds(r) is None]):
            if role in self._held:
                await self._lose(role, why=f"not renewed before its expiry (by this process's clock, TTL {self.ttl:g} s)")
        for role, lease in list(self._held.items()):
            if role not in self._held:
                continue  # dropped with a role it required
            started = self._monotonic()
            if await self.store.renew_lease(lease, now=self._wall(), ttl=self.ttl):
                self._deadline[role] = started + self.ttl
            else:
                await self._lose(role, why="taken over by another process")
        await self._sit()
        rows = await self.store.leases()
        now = self._wall()
        self.live = max(1, sum(1 for row in rows if row.role.startswith("seat:") and row.expires_at > now))
        await self._shed()
        busy = {row.role for row in rows if row.expires_at > now and row.holder != self.holder}
        for wanted in list(self._wanted.values()):
            if self._stopping:
                return
            if wanted.role in self._held or wanted.role.name in busy:
                continue
            if wanted.requires is not None and self.holds(wanted.requires) is None:
                continue
            if wanted.spread is not None and self._count(wanted.spread) >= self._fair(wanted.spread):
                continue
            await self._take(wanted)

    async def _sit(self) -> None:
        """Hold a seat: renew ours, else take the lowest free one."""
        if self._seat is not None:
            if await self.store.renew_lease(self._seat, now=self._wall(), ttl=self.ttl):
                return
            self._seat = None
        for number in range(SEATS):
            lease = await self.store.take_lease(role=seat(number).name, holder=self.holder, now=self._wall(), ttl=self.ttl)
            if lease is not None:
                self._seat = lease
                return

    def _count(self, group: str) -> int:
        return sum(1 for role in self._held if self._wanted[role].spread == group)

    def _fair(self, group: str) -> int:
        size = sum(1 for wanted in self._wanted.values() if wanted.spread == group)
        return math.ceil(size / self.live)

    async def _shed(self) -> None:
        """Give up roles of a spread group beyond this process's fair share (the highest first)."""
        groups = {w.spread for w in self._wanted.values() if w.spread is not None}
        for group in sorted(groups):
            excess = self._count(group) - self._fair(group)
            mine = sorted((r for r in self._held if self._wanted[r].spread == group), reverse=True)
            for role in mine[:max(0, excess)]:
                await self._lose(role, why=f"shared out ({self.live} processes)", release=True)

    async def _take(self, wanted: Wanted) -> None:
        started = self._monotonic()
        lease = await self.store.take_lease(role=wanted.role.name, holder=self.holder, now=self._wall(), ttl=self.ttl)
        if lease is None:
            return
        self._held[wanted.role] = lease
        self._deadline[wanted.role] = started + self.ttl
        log.info("role %s gained by %s (generation %d)", wanted.role, self.holder, lease.generation)
        try:
            await wanted.on_gain(lease)
        except Exception:
            log.exception("starting role %s failed: handing it back", wanted.role)
            await self._lose(wanted.role, why="its start failed", release=True, call=False)

    # ---- losing ---------------------------------------------------------------------------------

    def _drop_order(self, roles: list[Role]) -> list[Role]:
        """`roles` and the held roles that require them, dependents first."""
        out: list[Role] = []

        def add(role: Role) -> None:
            for other in self._held:
                if self._wanted[other].requires == role and other not in out:
                    add(other)
            if role not in out:
                out.append(role)

        for role in roles:
            add(role)
        return out

    async def _lose(self, role: Role, *, why: str, release: bool = False, call: bool = True) -> None:
        """Drop `role` (and first what requires it): its on_lose, then (`release`) the lease."""
        for dependent in self._drop_order([role])[:-1]:
            await self._lose(dependent, why=f"{role} went", release=release)
        lease = self._held.pop(role, None)
        if lease is None:
            return
        (log.info if release else log.warning)("role %s lost by %s (generation %d): %s", role, self.holder,
                                               lease.generation, why)
        if call:
            try:
                await self._wanted[role].on_lose()
            except Exception:
                log.exception("stopping role %s failed", role)
        self._deadline.pop(role, None)
        if release:
            await self._release(lease)

    async def _release(self, lease: Lease) -> None:
        try:
            await self.store.release_lease(lease)
        except Exception:
            log.exception("releasing %s failed (it expires by itself)", lease.role)


def describe(rows: list[LeaseRow], *, now: float) -> list[str]:
    """`dramabot status`: one line per role held (seats as "process"), with its holder,
    generation, and the seconds until its lease expires; a free role says so."""
    lines = [f"{'role':<20} {'holder':<40} {'generation':>10}  expires in"]
    for row in sorted(rows, key=lambda r: (r.role.startswith("seat:"), r.role)):
        name = "process" if row.role.startswith("seat:") else row.role
        if row.expires_at <= now:
            if name == "process":
                continue
            lines.append(f"{name:<20} {'(free)':<40} {row.generation:>10}  -")
        else:
            lines.append(f"{name:<20} {row.holder:<40} {row.generation:>10}  {row.expires_at - now:.1f} s")
    return lines
