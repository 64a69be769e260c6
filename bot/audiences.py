"""What the planner reads about followers, kept between changes: how many chats each show's
reminders reach (`Audiences`), and the lead settings and zones in use (`InUse`).

Audiences, per platform, are what deadline plans need (`bot.pacing.fanout_start`), asked for
every job in the early-start lookahead.

Counted by the database and cached per show. A change forgets only the shows it can reach: a
subscription to a show or an actor forgets the shows it leads to; a chat paused, resumed or moved
forgets the shows that chat follows; a new catalog snapshot (casts may differ) forgets all. A
time zone or lead change forgets nothing: the count does not depend on them. `version` moves
whenever something was forgotten, so a plan made from the counts knows when to look again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol


class CountsAudience(Protocol):
    async def audience(self, targets: Sequence[tuple[str, str]]) -> dict[str, int]: ...


class ReadsInUse(Protocol):
    async def lead_settings_in_use(self) -> set[str | None]: ...
    async def zones_in_use(self) -> set[str | None]: ...


class Audiences:
    def __init__(self, store: CountsAudience):
        self._store = store
        self._counts: dict[str, dict[str, int]] = {}
        self._catalog: object = None
        self.version = 0

    async def of(self, *, catalog: object, show_key: str, targets: Sequence[tuple[str, str]]) -> dict[str, int]:
        """Unpaused chats per platform following any of `targets` (those of show `show_key`)."""
        if catalog is not self._catalog:
            self._catalog = catalog
            self.forget_all()
        counts = self._counts.get(show_key)
        if counts is None:
            version = self.version
            counts = await self._store.audience(targets)
            if version == self.version:  # nothing was forgotten while the database counted
                self._counts[show_key] = counts
        return counts

    def forget(self, show_keys: Iterable[str]) -> None:
        """These shows' audiences may have changed."""
        for key in show_keys:
            self._counts.pop(key, None)
        self.version += 1

    def forget_all(self) -> None:
        self._counts.clear()
        self.version += 1


class InUse:
    """The stored lead settings and zones of chats that follow anything (None: the default), read
    from the database once and then kept up to date: a new subscription adds its chat's settings
    (they can only grow), while what can make one go out of use (an unsubscription, a zone or lead
    change, a move) has it read again when next asked."""

    def __init__(self, store: ReadsInUse):
        self._store = store
        self._leads: set[str | None] | None = None
        self._zones: set[str | None] | None = None

    async def leads(self) -> set[str | None]:
        if self._leads is None:
            self._leads = await self._store.lead_settings_in_use()
        return set(self._leads)

    async def zones(self) -> set[str | None]:
        if self._zones is None:
            self._zones = await self._store.zones_in_use()
        return set(self._zones)

    def followed(self, *, leads: str | None, zone: str | None) -> None:
        """A chat with these stored settings follows something now."""
        if self._leads is not None:
            self._leads.add(leads)
        if self._zones is not None:
            self._zones.add(zone)

    def forget(self, *, leads: bool = True, zones: bool = True) -> None:
        if leads:
            self._leads = None
        if zones:
            self._zones = None
