"""Streaming releases as dates: an episode a service publishes on a day with no time of day
(pure values over a catalog snapshot, shared by the release jobs and the `/next` and `/schedule`
commands)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from .catalog import Catalog
from .zones import UTC


@dataclass(frozen=True)
class Release:
    show_key: str
    episode: int
    day: date

    @property
    def key(self) -> str:
        return f"{self.show_key}#{self.episode}@{self.day:%Y%m%d}"

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


def find_release(catalog: Catalog, key: str) -> Release | None:
    show_key, _, rest = key.partition("#")
    show = catalog.shows.get(show_key)
    if show is None:
        return None
    return next((r for e, d in show.dated if (r := Release(show_key, e, d)).key == key), None)
