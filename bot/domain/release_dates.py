"""Streaming releases as dates: an episode a service publishes on a day with no time of day
(pure values over a catalog snapshot, shared by the release jobs and the `/next` and `/schedule`
commands)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from .catalog import Catalog
from .jobkeys import ReleaseKey
from .zones import UTC


@dataclass(frozen=True)
class Release:
    show_key: str
    episode: int
    day: date

    @property
    def job_key(self) -> ReleaseKey:
        return ReleaseKey(self.show_key, self.episode, self.day)

    @property
    def key(self) -> str:
        return self.job_key.encode()

    def due(self, zone: ZoneInfo, hour: time) -> datetime:
        """When followers in `zone` are told: the release date at `hour` there."""
        return datetime.combine(self.day, hour, tzinfo=zone).astimezone(UTC)


def format_day(day: date) -> str:
    """"Fri 8 Jan 2027"."""
    return f"{day:%a} {day.day} {day:%b %Y}"


def releases_between(catalog: Catalog, first: date, last: date, show_keys: Iterable[str] | None = None) -> list[Release]:
    """Releases dated first..last (inclusive), by date, show key and episode."""
    keys = catalog.shows.keys() if show_keys is None else [k for k in show_keys if k in catalog.shows]
    found = [Release(key, episode, day) for key in keys for episode, day in catalog.shows[key].dated if first <= day <= last]
    return sorted(found, key=lambda r: (r.day, r.show_key, r.episode))


def find_release(catalog: Catalog, key: ReleaseKey) -> Release | None:
    """The release `key` names, while the catalog still dates that episode on that day."""
    show = catalog.shows.get(key.show)
    if show is None:
        return None
    return next((Release(key.show, e, d) for e, d in show.dated if e == key.episode and d == key.day), None)
