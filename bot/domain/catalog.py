"""The catalog of shows and actors: loading a TOML file and turning slots into airings.

Expansion is pure: a show's weekly slots (wall-clock times in its own zone) become concrete
airings (show, episode, start instant in UTC), skipping pre-empted dates, so daylight-saving
changes in the show's zone and weekday shifts for viewers fall out of `zoneinfo`.

Nothing is expanded up front: a show's slot dates are arithmetic over "slot indices" (the
n-th slot day on or after the premiere), so one episode's airing, the airings in a window,
or a show's first and last airing cost a handful of date and zone computations however long
the show's history is. `Catalog.by_show` and `Catalog.airings` still give whole histories,
computed on demand, for commands that list a show and for tests.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .names import NameIndex, Target, normalise
from .news import NewsMatcher
from .tomlfile import read_toml
from .zones import UTC

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = {
    **{d: i for i, d in enumerate(WEEKDAYS)},
    **{d: i for i, d in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))},
}
MAX_EPISODES = 1000
EARLIEST_YEAR, LATEST_YEAR = 1970, 8000  # instants are stored as Unix time; far from datetime's limits
# A slot's UTC instant lies within a day before and two days after the midnight UTC of its
# local date (a wall time is under 24 h past midnight, a UTC offset under 24 h either way), so
# slot dates from 3 days before a window's UTC date cover every airing that can start in it.
SLOT_DATE_MARGIN_DAYS = 3
SEOUL = ZoneInfo("Asia/Seoul")  # a show's zone unless the catalog names one
BY_SHOW_CACHE = 128  # whole histories kept by Catalog.by_show: at most 128 x 1,000 airings


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


def _by_start(airing: Airing) -> tuple[datetime, str, int]:
    return airing.start, airing.show_key, airing.episode


@dataclass
class Catalog:
    """Shows and actors, with airings answered on demand.

    The catalog is read-only once built: `shows` must not change, since per-show schedules
    (and `by_show`, `airings`) are cached. Instants given to its methods must be aware.
    """

    shows: dict[str, Show]
    actors: dict[str, Actor]
    source: str = "<memory>"
    by_show: Mapping[str, tuple[Airing, ...]] = field(init=False, repr=False, compare=False)
    names: NameIndex = field(init=False, repr=False)
    news: NewsMatcher = field(init=False, repr=False)
    _schedules: dict[str, _Schedule] = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        # Start-up path: no airing is computed here, whatever the shows' histories.
        self.by_show = _AiringsByShow(self, BY_SHOW_CACHE)
        named = list(self.named_targets())
        self.names = NameIndex(named)
        # context for names that are ordinary words: a show's network and cast, an actor's shows
        context: dict[Target, list[str]] = {}
        for show in self.shows.values():
            cast = [self.actors[key] for key in show.cast if key in self.actors]
            cast_names = (n for a in cast for n in (a.name, *a.aliases))
            context[Target("show", show.key, show.title)] = [show.network, *cast_names]
            for actor in cast:
                context.setdefault(Target("actor", actor.key, actor.name), []).extend((show.title, *show.aliases))
        self.news = NewsMatcher(named, context=context)

    @cached_property
    def airings(self) -> tuple[Airing, ...]:
        """Every airing of every show, by (start, show key, episode): the whole history, for tests
        and small catalogs; the bot itself asks for windows (`airings_between`)."""
        everything = [a for key, show in self.shows.items() for a in self._schedule(key).airings()]
        return tuple(sorted(everything, key=_by_start))

    def _schedule(self, show_key: str) -> _Schedule:
        schedule = self._schedules.get(show_key)
        if schedule is None:
            schedule = self._schedules[show_key] = _Schedule(self.shows[show_key])
        return schedule

    def airings_between(self, start: datetime, end: datetime) -> list[Airing]:
        """Every airing with start <= airing.start < end, by (start, show key, episode).

        Costs O(number of shows) plus the airings found: a show that ends before the window or
        begins after it is passed over on its first and last airing, and within a show only the
        slot dates near the window are converted.
        """
        if not start < end:
            return []
        from_ordinal = start.astimezone(UTC).toordinal() - SLOT_DATE_MARGIN_DAYS
        found: list[Airing] = []
        for key in self.shows:
            schedule = self._schedule(key)
            if schedule.first is None or schedule.last is None or schedule.first.start >= end or schedule.last.start < start:
                continue
            found.extend(schedule.between(start, end, from_ordinal))
        found.sort(key=_by_start)
        return found

    def airing(self, key: str) -> Airing | None:
        """The airing whose `Airing.key` is `key`, or None: an unknown show or episode, a key that
        is not an airing key, or an episode that has moved since the key was made."""
        show_key, _, rest = key.partition("#")
        episode_text, at, _ = rest.partition("@")
        if not at or not (episode_text.isascii() and episode_text.isdigit()) or show_key not in self.shows:
            return None
        found = self._schedule(show_key).airing_of(int(episode_text))
        return found if found is not None and found.key == key else None

    def next_airing(self, show_keys: Iterable[str], after: datetime) -> Airing | None:
        """The earliest airing of these shows that starts strictly after `after` (ties by show
        key, then episode), or None. Unknown show keys are ignored. An explicit airing can come
        before a lower-numbered episode, so this is not always the next episode number."""
        from_ordinal = after.astimezone(UTC).toordinal() - SLOT_DATE_MARGIN_DAYS
        best: Airing | None = None
        for key in dict.fromkeys(show_keys):
            if key not in self.shows:
                continue
            schedule = self._schedule(key)
            if schedule.last is None or schedule.last.start <= after:
                continue
            candidate = schedule.next_after(after, from_ordinal)
            if candidate is not None and (best is None or _by_start(candidate) < _by_start(best)):
                best = candidate
        return best

    def last_airing(self, show_key: str) -> Airing | None:
        """The show's latest airing (by start, then episode), or None for an unknown show."""
        return self._schedule(show_key).last if show_key in self.shows else None

    def is_finished(self, show_key: str, now: datetime) -> bool:
        """True when no airing of the show starts after `now` (also for an unknown show)."""
        last = self.last_airing(show_key)
        return last is None or last.start <= now

    def named_targets(self) -> Iterator[tuple[str, Target]]:
        for show in self.shows.values():
            target = Target("show", show.key, show.title)
            for name in (show.title, *show.aliases):
                yield name, target
        for actor in self.actors.values():
            target = Target("actor", actor.key, actor.name)
            for name in (actor.name, *actor.aliases):
                yield name, target

    def target(self, kind: str, key: str) -> Target | None:
        if kind == "show" and key in self.shows:
            return Target("show", key, self.shows[key].title)
        if kind == "actor" and key in self.actors:
            return Target("actor", key, self.actors[key].name)
        return None

    def shows_of_actor(self, actor_key: str) -> list[Show]:
        return [s for s in self.shows.values() if actor_key in s.cast]

    def shows_followed(self, targets: list[tuple[str, str]]) -> set[str]:
        """Show keys reached by (kind, key) subscriptions: directly or through an actor in the cast."""
        keys: set[str] = set()
        for kind, key in targets:
            if kind == "show" and key in self.shows:
                keys.add(key)
            elif kind == "actor":
                keys.update(s.key for s in self.shows_of_actor(key))
        return keys


def _by_start_then_episode(airing: Airing) -> tuple[datetime, int]:
    return airing.start, airing.episode


class _Schedule:
    """One show's airings as arithmetic, never a day-by-day walk.

    Slot index k counts the show's slot days from the premiere on (k = 0 is the first slot day
    on or after the premiere), skipped or not; its date is week arithmetic on the sorted slot
    weekdays. A skipped slot airs nothing and pushes later episodes one slot on, so episode e
    airs on the slot index that has exactly e - 1 unskipped indices before it. An explicit
    airing takes its episode off the slots (the slot then airs nothing) or adds an episode.
    Slot instants never decrease with the index: slot dates are a day or more apart, and no
    zone's offset has grown by more than a day between two dates (Samoa's jump over 30 December
    2011, exactly a day, gives the slots of the 30th and the 31st the same instant).
    """

    __slots__ = ("days", "explicit", "explicit_airings", "explicit_starts", "first", "last", "last_index", "offset",
                 "position", "shifted", "show", "skipped", "week0")

    def __init__(self, show: Show):
        self.show = show
        self.explicit = {episode: start.astimezone(UTC) for episode, start in show.explicit}
        self.explicit_airings = sorted((Airing(show.key, e, s) for e, s in self.explicit.items()), key=_by_start_then_episode)
        self.explicit_starts = [a.start for a in self.explicit_airings]
        self.days: tuple[int, ...] = ()
        self.position: dict[int, int] = {}  # slot weekday -> its place in days
        self.week0 = self.offset = 0
        self.skipped: list[int] = []
        self.shifted: list[int] = []
        self.last_index = -1  # the slot index of the last weekly episode; -1: no weekly slots
        if show.days and show.slot_time is not None and show.premiere is not None and show.episodes > 0:
            self.days = tuple(sorted(set(show.days)))
            self.position = {weekday: j for j, weekday in enumerate(self.days)}
            self.week0 = show.premiere.toordinal() - show.premiere.weekday()  # the premiere week's Monday
            self.offset = bisect_left(self.days, show.premiere.weekday())  # slot days of that week before the premiere
            self.skipped = sorted(k for k in map(self._index_of, show.skip) if k is not None)
            # skipped[i] - i: how many unskipped slots come before the i-th skipped one.
            self.shifted = [k - i for i, k in enumerate(self.skipped)]
            self.last_index = self._index_of_episode(show.episodes)
        # First and last airing: among the first and the last weekly episode not moved by an
        # explicit airing (weekly instants rise with the episode) and the explicit extremes.
        weekly = range(1, show.episodes + 1) if self.last_index >= 0 else range(0)
        ends = [next((e for e in order if e not in self.explicit), None) for order in (weekly, reversed(weekly))]
        bounds = [a for a in map(self.airing_of, filter(None, ends)) if a is not None]
        bounds += self.explicit_airings[:1] + self.explicit_airings[-1:]
        self.first = min(bounds, key=_by_start_then_episode, default=None)
        self.last = max(bounds, key=_by_start_then_episode, default=None)

    # ---- slot arithmetic --------------------------------------------------------------------

    def _index_of(self, day: date) -> int | None:
        """The slot index of `day`, or None when it is not a slot day on or after the premiere."""
        weeks, weekday = divmod(day.toordinal() - self.week0, 7)
        j = self.position.get(weekday)
        if j is None:
            return None
        k = weeks * len(self.days) + j - self.offset
        return k if k >= 0 else None

    def _index_from(self, ordinal: int) -> int:
        """The first slot index whose date is on or after the day `ordinal` (any integer)."""
        weeks, weekday = divmod(ordinal - self.week0, 7)
        return max(0, weeks * len(self.days) + bisect_left(self.days, weekday) - self.offset)

    def _index_of_episode(self, episode: int) -> int:
        """The slot index weekly episode `episode` (from 1) airs on, past the skipped slots."""
        return episode - 1 + bisect_right(self.shifted, episode - 1)

    def _start_at(self, k: int) -> datetime:
        """The UTC instant of slot k: the slot time on its date in the show's zone, fold as given
        (0: a time in a spring-forward gap reads with the offset before the jump, a repeated
        time is its first occurrence)."""
        weeks, j = divmod(k + self.offset, len(self.days))
        day = date.fromordinal(self.week0 + 7 * weeks + self.days[j])
        assert self.show.slot_time is not None
        return datetime.combine(day, self.show.slot_time, tzinfo=self.show.zone).astimezone(UTC)

    def _slots_from(self, k: int) -> Iterator[tuple[int, int]]:
        """(episode, slot index) of each slot from index k on that airs its weekly episode (not
        skipped, episode not moved by an explicit airing), in order, up to the last episode."""
        skipped, explicit = self.skipped, self.explicit
        i = bisect_left(skipped, k)
        episode = k - i + 1
        while k <= self.last_index:
            if i < len(skipped) and skipped[i] == k:
                i += 1
            else:
                if episode not in explicit:
                    yield episode, k
                episode += 1
            k += 1

    # ---- airings ----------------------------------------------------------------------------

    def airing_of(self, episode: int) -> Airing | None:
        """The episode's explicit airing, else its weekly slot; None if it has neither."""
        if episode in self.explicit:
            return Airing(self.show.key, episode, self.explicit[episode])
        if self.last_index < 0 or not 1 <= episode <= self.show.episodes:
            return None
        return Airing(self.show.key, episode, self._start_at(self._index_of_episode(episode)))

    def airings(self) -> list[Airing]:
        """The whole history, in episode order."""
        key = self.show.key
        weekly = [Airing(key, episode, self._start_at(k)) for episode, k in self._slots_from(0)]
        return sorted(weekly + self.explicit_airings, key=lambda a: a.episode)

    def between(self, start: datetime, end: datetime, from_ordinal: int) -> list[Airing]:
        """Airings with start <= airing.start < end; `from_ordinal` is a day ordinal at least
        SLOT_DATE_MARGIN_DAYS before the UTC date of `start`."""
        key, found = self.show.key, []
        if self.last_index >= 0:
            for episode, k in self._slots_from(self._index_from(from_ordinal)):
                at = self._start_at(k)
                if at >= end:
                    break
                if at >= start:
                    found.append(Airing(key, episode, at))
        lo = bisect_left(self.explicit_starts, start)
        found.extend(self.explicit_airings[lo:bisect_left(self.explicit_starts, end, lo)])
        return found

    def next_after(self, after: datetime, from_ordinal: int) -> Airing | None:
        """The first airing (by start, then episode) strictly after `after`; `from_ordinal` as in
        `between`."""
        candidates = []
        if self.last_index >= 0:
            for episode, k in self._slots_from(self._index_from(from_ordinal)):
                at = self._start_at(k)
                if at > after:
                    candidates.append(Airing(self.show.key, episode, at))
                    break
        i = bisect_right(self.explicit_starts, after)
        candidates += self.explicit_airings[i:i + 1]
        return min(candidates, key=_by_start_then_episode, default=None)


class _AiringsByShow(Mapping[str, tuple[Airing, ...]]):
    """Catalog.by_show: show key -> its airings in episode order, computed on first access.

    The most recently used `capacity` histories are kept, so looking shows up one by one over
    a long run never holds every history at once.
    """

    def __init__(self, catalog: Catalog, capacity: int):
        self._catalog, self._capacity = catalog, capacity
        self._cache: OrderedDict[str, tuple[Airing, ...]] = OrderedDict()

    def __getitem__(self, show_key: str) -> tuple[Airing, ...]:
        cached = self._cache.get(show_key)
        if cached is not None:
            self._cache.move_to_end(show_key)
            return cached
        if show_key not in self._catalog.shows:
            raise KeyError(show_key)
        airings = self._cache[show_key] = tuple(self._catalog._schedule(show_key).airings())
        if len(self._cache) > self._capacity:
            self._cache.popitem(last=False)
        return airings

    def __contains__(self, show_key: object) -> bool:
        return show_key in self._catalog.shows

    def __iter__(self) -> Iterator[str]:
        return iter(self._catalog.shows)

    def __len__(self) -> int:
        return len(self._catalog.shows)

    def __repr__(self) -> str:
        return f"<airings of {len(self)} shows, {len(self._cache)} computed>"


def expand_airings(show: Show) -> list[Airing]:
    """Every broadcast of a show, in episode order: weekly slots from the premiere, minus skipped
    dates (each pushes later episodes to the next slot), with explicit airings replacing or
    adding episodes.

    A slot time that does not exist on a daylight-saving day (clocks jump over it) airs at the
    same instant as the hour before the jump plus the minutes, as `zoneinfo` resolves fold=0;
    a repeated wall-clock time takes its first occurrence. Computed arithmetically: the cost
    is one zone conversion per episode, however many weeks the show spans.
    """
    return _Schedule(show).airings()


# ---- loading -------------------------------------------------------------------------------


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
    "id", "title", "aliases", "network", "timezone", "days", "time", "premiere", "episodes", "runtime", "skip",
    "cast", "airings",
}


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
        aliases=entry.texts("aliases"),
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
