"""The roles a bot's work is split into when several processes share one database.

Each role is held by one process at a time through a lease row (see `bot.storage` `Leases`):
`scheduler` fires every scheduled job once bot-wide; `send:<platform>` sends that platform's
queued messages under its bot-wide pace; `receive:<platform>` takes a platform's updates where
only one connection may (Telegram's getUpdates); `shard:discord:<n>` connects one Discord shard;
`seat:<n>` is held by each live process (whatever else it holds), so the processes can count each
other and share roles out fairly.
A lease's generation rises each time the role changes hands, so work done under an old
generation can be told apart (and refused) once another process took the role over.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

RoleKind = Literal["scheduler", "send", "receive", "shard", "seat"]


@dataclass(frozen=True, order=True)
class Role:
    kind: RoleKind
    platform: str | None = None  # send, receive, shard
    shard: int | None = None  # shard, seat

    @property
    def name(self) -> str:
        """The role as stored: "scheduler", "send:telegram", "receive:telegram", "shard:discord:3"."""
        parts: list[str] = [self.kind]
        if self.platform is not None:
            parts.append(self.platform)
        if self.shard is not None:
            parts.append(str(self.shard))
        return ":".join(parts)

    @classmethod
    def parse(cls, name: str) -> Role:
        kind, *rest = name.split(":")
        if kind == "scheduler" and not rest:
            return cls("scheduler")
        if kind in ("send", "receive") and len(rest) == 1 and rest[0]:
            return cls(kind, rest[0])  # type: ignore[arg-type]
        if kind == "shard" and len(rest) == 2 and rest[0] and rest[1].isdigit():
            return cls("shard", rest[0], int(rest[1]))
        if kind == "seat" and len(rest) == 1 and rest[0].isdigit():
            return cls("seat", shard=int(rest[0]))
        raise ValueError(f"not a role: {name!r}")

    def __str__(self) -> str:
        return self.name


SCHEDULER = Role("scheduler")


def seat(number: int) -> Role:
    return Role("seat", shard=number)


@dataclass(frozen=True)
class Lease:
    """A role held: by whom (a process's `host:pid:nonce`) and under which generation."""

    role: str  # Role.name
    holder: str
    generation: int


@dataclass(frozen=True)
class LeaseRow:
    """A lease as the database has it, for status and tests."""

    role: str
    holder: str
    generation: int
    expires_at: float  # Unix seconds; <= now: free to take
