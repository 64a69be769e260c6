"""The catalog's values: a show (its weekly slots, skipped dates, explicit airings, cast), an
actor, one airing of an episode, and the error a malformed catalog raises."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from ..zones import UTC

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = {
    **{d: i for i, d in enumerate(WEEKDAYS)},
    **{d: i for i, d in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))},
}
MAX_EPISODES = 1000
SEOUL = ZoneInfo("Asia/Seoul")  # a show's zone unless the catalog names one



class CatalogError(ValueError):
    """A malformed catalog; the message names the file, the entry and the field."""


@dataclass(frozen=True)
class Airing:
    show_key: str
    episode: int
    start: datetime  # aware, UTC

    @property
    def key(self) -> str:
        """Stable identity of this broadcast: a moved episode is a new airing."""
        return f"{self.show_key}#{self.episode}@{self.start.astimezone(UTC):%Y%m%dT%H%M}Z"


@dataclass(frozen=True)
class Show:
    key: str
    title: str
    aliases: tuple[str, ...] = ()
    network: str = ""
    zone: ZoneInfo = SEOUL
    days: tuple[int, ...] = ()  # 0 = Monday
    slot_time: time | None = None
    premiere: date | None = None
    episodes: int = 0
    runtime: int = 60
    skip: frozenset[date] = frozenset()
    explicit: tuple[tuple[int, datetime], ...] = ()  # (episode, start) overrides
    cast: tuple[str, ...] = ()  # actor keys
    dated: tuple[tuple[int, date], ...] = ()  # (episode, date) released on a date, no air time (bot.releases)


@dataclass(frozen=True)
class Actor:
    key: str
    name: str
    aliases: tuple[str, ...] = ()
