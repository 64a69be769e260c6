"""Schema migrations as registered steps, one per version, for any backend.

A step is an async function given the backend's connection and its `Dialect`; it is registered
for a version with `@registry.migration(n)`. A backend keeps one `Migrations` registry; a step
written only in SQL every supported database understands can be registered in several.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal


@dataclass(frozen=True)
class Dialect:
    """What a backend's SQL differs in, as far as the storage code needs to know."""

    name: Literal["sqlite", "postgresql"]
    placeholder: str  # "?" (SQLite) or "%s" (PostgreSQL drivers)
    returning: bool  # INSERT/UPDATE ... RETURNING
    upsert: Literal["on_conflict"]  # INSERT ... ON CONFLICT (...) DO UPDATE / DO NOTHING
    alter_check: bool  # a CHECK constraint can be altered in place (SQLite: copy the table)


SQLITE = Dialect(name="sqlite", placeholder="?", returning=True, upsert="on_conflict", alter_check=False)
POSTGRESQL = Dialect(name="postgresql", placeholder="%s", returning=True, upsert="on_conflict", alter_check=True)

Step = Callable[[Any, Dialect], Awaitable[None]]


class Migrations:
    """The numbered steps from an empty database to the current schema."""

    def __init__(self) -> None:
        self._steps: dict[int, Step] = {}

    def migration(self, version: int) -> Callable[[Step], Step]:
        def register(step: Step) -> Step:
            if version in self._steps:
                raise ValueError(f"migration {version} is registered twice")
            self._steps[version] = step
            return step

        return register

    @property
    def latest(self) -> int:
        return len(self._steps)

    def after(self, version: int) -> list[tuple[int, Step]]:
        """The steps that take a database at `version` to the latest, in order."""
        if sorted(self._steps) != list(range(1, self.latest + 1)):
            raise ValueError(f"migrations must be numbered 1..n without gaps, not {sorted(self._steps)}")
        return [(number, self._steps[number]) for number in range(version + 1, self.latest + 1)]
