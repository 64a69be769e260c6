"""`Catalog`: the shows and actors, their airings answered on demand (a window, one episode, the
next or last airing), the index of their names for commands and the news matcher."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from ..names import NameIndex, Target
from ..news import NewsMatcher
from ..zones import UTC
from .schedule import SLOT_DATE_MARGIN_DAYS, Schedule
from .values import Actor, Airing, Show

BY_SHOW_CACHE = 128  # whole histories kept by Catalog.by_show: at most 128 x 1,000 airings


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
    _schedules: dict[str, Schedule] = field(init=False, repr=False, compare=False, default_factory=dict)

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

    def _schedule(self, show_key: str) -> Schedule:
        schedule = self._schedules.get(show_key)
        if schedule is None:
            schedule = self._schedules[show_key] = Schedule(self.shows[show_key])
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
