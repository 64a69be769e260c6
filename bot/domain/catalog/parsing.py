"""Reading a catalog file: every entry and field checked, each problem one `CatalogError` naming
the file, the entry and the field."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..names import normalise
from ..tomlfile import read_toml
from .model import Catalog
from .values import DAY_NAMES, MAX_EPISODES, WEEKDAYS, Actor, CatalogError, Show

EARLIEST_YEAR, LATEST_YEAR = 1970, 8000  # instants are stored as Unix time; far from datetime's limits


def bundled_catalog_path() -> Path:
    return Path(str(resources.files("bot") / "data" / "catalog.toml"))


def load_catalog(path: str | Path | None = None) -> Catalog:
    """Load a catalog file (the bundled one when path is None). Raises CatalogError."""
    source = Path(path) if path else bundled_catalog_path()
    return parse_catalog(read_toml(source, CatalogError, "catalog"), str(source))


def parse_catalog(raw: dict[str, Any], source: str = "<memory>") -> Catalog:
    unknown = set(raw) - {"shows", "actors"}
    if unknown:
        raise CatalogError(f"{source}: unknown top-level key {min(unknown)!r} (expected [[shows]] and [[actors]])")
    actors: dict[str, Actor] = {}
    for i, entry in enumerate(_table_list(raw, "actors", source)):
        reader = _Entry(source, f"actors[{i}]", entry, {"name", "aliases"})
        name = reader.text("name")
        key = reader.key_of(name)
        if key in actors:
            reader.fail("name", f"actor {name!r} is listed twice")
        actors[key] = Actor(key, name, reader.texts("aliases"))
    shows: dict[str, Show] = {}
    for i, entry in enumerate(_table_list(raw, "shows", source)):
        show = _parse_show(_Entry(source, f"shows[{i}]", entry, SHOW_FIELDS), actors)
        if show.key in shows:
            raise CatalogError(f"{source}: shows[{i}] {show.title!r}: field 'title': show is listed twice")
        shows[show.key] = show
    return Catalog(shows, actors, source)


SHOW_FIELDS = {
    "id", "title", "title_ko", "aliases", "network", "timezone", "days", "time", "premiere", "episodes", "runtime", "skip",
    "cast", "airings",
}


def _with_korean_title(entry: _Entry) -> tuple[str, ...]:
    """The aliases, the Korean title (`title_ko`) first: Korean readers see the first Hangul alias
    (bot.domain.i18n.title_in), and the Korean title is a name fans type too."""
    aliases = entry.texts("aliases")
    if "title_ko" not in entry.data:
        return aliases
    korean = entry.text("title_ko")
    return (korean, *(a for a in aliases if a != korean))


def _table_list(raw: dict[str, Any], name: str, source: str) -> list[dict[str, Any]]:
    value = raw.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise CatalogError(f"{source}: {name!r} must be an array of tables ([[{name}]])")
    return value


class _Entry:
    """Reads typed fields of one catalog entry, failing with file, entry and field named."""

    def __init__(self, source: str, where: str, data: dict[str, Any], allowed: set[str]):
        self.source, self.where, self.data = source, where, data
        title = data.get("title", data.get("name"))
        self.label = f"{where} {title!r}" if isinstance(title, str) else where
        for name in data:
            if name not in allowed:
                self.fail(name, f"unknown field (allowed: {', '.join(sorted(allowed))})")

    def fail(self, name: str, problem: str) -> NoReturn:
        raise CatalogError(f"{self.source}: {self.label}: field {name!r}: {problem}")

    def text(self, name: str, default: str | None = None) -> str:
        value = self.data.get(name, default)
        if not isinstance(value, str) or not value.strip():
            self.fail(name, "expected a non-empty string" + ("" if name in self.data else " (missing)"))
        return value.strip()

    def texts(self, name: str) -> tuple[str, ...]:
        value = self.data.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.fail(name, "expected a list of non-empty strings")
        return tuple(v.strip() for v in value)

    def integer(self, name: str, default: int | None, low: int, high: int) -> int | None:
        value = self.data.get(name, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.fail(name, f"expected a whole number from {low} to {high}, got {value!r}")
        return value

    def key_of(self, name: str) -> str:
        key = normalise(name)
        if not key:
            self.fail("name" if "name" in self.data else "title", "has no letters or digits")
        return key


SHOW_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


def _parse_show(entry: _Entry, actors: dict[str, Actor]) -> Show:
    title = entry.text("title")
    key = entry.key_of(title)
    if "id" in entry.data:  # a stable identity: the title can change, followers stay
        key = entry.text("id")
        if not SHOW_ID.fullmatch(key):
            entry.fail("id", f"expected lowercase letters, digits, '-' or '_' (at most 64), got {key!r}")
    zone_name = entry.text("timezone", "Asia/Seoul")
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder such as "America"
        entry.fail("timezone", f"unknown IANA zone {zone_name!r} (e.g. 'Asia/Seoul')")
    days_raw = entry.data.get("days", [])
    if not isinstance(days_raw, list) or not all(isinstance(d, str) and d.strip().lower() in DAY_NAMES for d in days_raw):
        entry.fail("days", f"expected a list of weekdays from {', '.join(WEEKDAYS)}, got {days_raw!r}")
    days = tuple(sorted({DAY_NAMES[d.strip().lower()] for d in days_raw}))
    slot_time = None
    if "time" in entry.data:
        raw_time = entry.data["time"]
        try:
            if isinstance(raw_time, time):
                slot_time = raw_time
            else:
                hours, minutes = str(raw_time).split(":")
                slot_time = time(int(hours), int(minutes))
        except (ValueError, TypeError):
            entry.fail("time", f'expected a quoted wall-clock time "HH:MM" like "22:30", got {raw_time!r}')
    premiere = entry.data.get("premiere")
    if premiere is not None and (not isinstance(premiere, date) or isinstance(premiere, datetime)):
        entry.fail("premiere", f"expected a date like 2022-12-21 (unquoted), got {premiere!r}")
    if premiere is not None and not EARLIEST_YEAR <= premiere.year <= LATEST_YEAR:
        entry.fail("premiere", f"expected a year from {EARLIEST_YEAR} to {LATEST_YEAR}, got {premiere}")
    episodes = entry.integer("episodes", 0, 0, MAX_EPISODES) or 0
    runtime = entry.integer("runtime", 60, 1, 600) or 60
    skip_raw = entry.data.get("skip", [])
    if not isinstance(skip_raw, list) or not all(isinstance(d, date) and not isinstance(d, datetime) for d in skip_raw):
        entry.fail("skip", f"expected a list of dates like [2026-03-08], got {skip_raw!r}")
    has_slots = bool(days) or slot_time is not None or premiere is not None
    if has_slots:
        for name, value in (("days", days), ("time", slot_time), ("premiere", premiere)):
            if value is None or value == ():
                entry.fail(name, "missing: weekly slots need days, time, premiere and episodes")
        if episodes < 1:
            entry.fail("episodes", "missing: weekly slots need a number of episodes of at least 1")
        assert premiere is not None
        if premiere.weekday() not in days:
            entry.fail(
                "premiere",
                f"{premiere} is a {WEEKDAYS[premiere.weekday()]}, not one of the slot days {list(days_raw)}",
            )
    explicit = _parse_explicit(entry)
    if not has_slots and not explicit:
        entry.fail("days", "a show needs weekly slots (days, time, premiere, episodes) or explicit airings")
    cast = [_cast_member(entry, name, actors) for name in entry.texts("cast")]
    return Show(
        key=key,
        title=title,
        aliases=_with_korean_title(entry),
        network=entry.text("network", "?") if "network" in entry.data else "",
        zone=zone,
        days=days,
        slot_time=slot_time,
        premiere=premiere,
        episodes=episodes,
        runtime=runtime,
        skip=frozenset(skip_raw),
        explicit=explicit,
        cast=tuple(dict.fromkeys(cast)),
    )


def _cast_member(entry: _Entry, name: str, actors: dict[str, Actor]) -> str:
    """The actor key a cast name means: an [[actors]] entry by name or alias, or a new actor."""
    key = normalise(name)
    if not key:
        entry.fail("cast", f"cast name {name!r} has no letters or digits")
    if key in actors:
        return key
    by_alias = sorted(a.name for a in actors.values() if key in {normalise(alias) for alias in a.aliases})
    if len(by_alias) > 1:
        entry.fail("cast", f"cast name {name!r} is an alias of several actors ({', '.join(by_alias)}); use one's name")
    if by_alias:
        return normalise(by_alias[0])
    actors[key] = Actor(key, name)
    return key


def _parse_explicit(entry: _Entry) -> tuple[tuple[int, datetime], ...]:
    raw = entry.data.get("airings", [])
    if not isinstance(raw, list):
        entry.fail("airings", "expected a list like [{episode = 1, at = 2026-03-01T23:50:00+09:00}]")
    seen: dict[int, datetime] = {}
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or set(item) != {"episode", "at"}:
            entry.fail(f"airings[{i}]", "expected {episode = N, at = 2026-03-01T23:50:00+09:00}")
        episode, at = item["episode"], item["at"]
        if isinstance(episode, bool) or not isinstance(episode, int) or not 1 <= episode <= MAX_EPISODES:
            entry.fail(f"airings[{i}].episode", f"expected a whole number from 1 to {MAX_EPISODES}, got {episode!r}")
        if not isinstance(at, datetime) or at.tzinfo is None:
            entry.fail(f"airings[{i}].at", f"expected a date-time with a UTC offset like 2026-03-01T23:50:00+09:00, got {at!r}")
        if not EARLIEST_YEAR < at.year < LATEST_YEAR:
            entry.fail(f"airings[{i}].at", f"expected a year from {EARLIEST_YEAR + 1} to {LATEST_YEAR - 1}, got {at}")
        if episode in seen:
            entry.fail(f"airings[{i}].episode", f"episode {episode} is listed twice")
        seen[episode] = at
    return tuple(sorted(seen.items()))
