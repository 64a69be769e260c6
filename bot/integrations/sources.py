"""What a catalog snapshot is made of, and how it is made (pure).

`Sources` holds the bundled catalog, the shows and people imported from TVmaze, and owners'
`Edit`s; `build()` makes one immutable `Catalog` of them. A `Change` is what `LiveCatalog.apply`
(bot/live.py) is given. `imported_show` turns a TVmaze show into a catalog show: episodes with
an air time are explicit airings at their `airstamp`; episodes with only a date are `dated`
streaming releases (bot/releases.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..domain.catalog import Actor, Catalog, Show
from ..domain.zones import UTC
from .tvmaze import ImportedPerson, ImportedShow, airdate_day, airstamp_instant


@dataclass(frozen=True)
class Edit:
    """An owner's correction: skip a date (pre-empted), or move an episode to a date and time
    (both in the show's zone). For a bundled show a skip pushes later episodes one slot on; an
    imported show's skipped date just airs nothing (TVmaze gives the rest their dates)."""

    show_key: str
    kind: Literal["skip", "move"]
    day: date
    episode: int | None = None
    at_time: time | None = None

    def row(self) -> tuple[str, Literal["skip", "move"], str, int | None, str | None]:
        return (self.show_key, self.kind, self.day.isoformat(), self.episode,
                self.at_time.strftime("%H:%M") if self.at_time else None)

    @classmethod
    def from_row(cls, row: Sequence) -> Edit:
        show_key, kind, day, episode, at_time = row
        return cls(show_key, kind, date.fromisoformat(day), episode, time.fromisoformat(at_time) if at_time else None)


@dataclass(frozen=True)
class Change:
    """One change to apply: imported (or refreshed) shows and people, edits, a reloaded file."""

    shows: tuple[ImportedShow, ...] = ()
    people: tuple[ImportedPerson, ...] = ()
    edits: tuple[Edit, ...] = ()
    bundled: Catalog | None = None


@dataclass
class Sources:
    """Everything a snapshot is made of."""

    bundled: Catalog
    shows: dict[int, ImportedShow] = field(default_factory=dict)
    people: dict[int, ImportedPerson] = field(default_factory=dict)
    edits: list[Edit] = field(default_factory=list)

    def with_change(self, change: Change) -> Sources:
        return Sources(
            change.bundled or self.bundled,
            {**self.shows, **{s.id: s for s in change.shows}},
            {**self.people, **{p.id: p for p in change.people}},
            [*self.edits, *change.edits],
        )

    def build(self) -> Catalog:
        """The snapshot: bundled shows with their edits, imported shows with theirs and the cast
        their imported people bring, and every actor. Nothing imported or edited: the bundled
        catalog itself (start-up builds no second name index and news matcher)."""
        if not (self.shows or self.people or self.edits):
            return self.bundled
        by_show: dict[str, list[Edit]] = {}
        for edit in self.edits:
            by_show.setdefault(edit.show_key, []).append(edit)
        cast: dict[int, list[str]] = {}
        for person in self.people.values():
            for show_id in person.shows:
                cast.setdefault(show_id, []).append(person.key)
        shows = {key: _edited_bundled(show, by_show.get(key, ())) for key, show in self.bundled.shows.items()}
        for imported in self.shows.values():
            shows[imported.key] = imported_show(imported, tuple(cast.get(imported.id, ())), by_show.get(imported.key, ()))
        actors = dict(self.bundled.actors)
        actors.update((p.key, Actor(p.key, p.name)) for p in self.people.values())
        return Catalog(shows, actors, self.bundled.source)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return ZoneInfo("UTC")


def _instant(stamp: str) -> datetime | None:
    return airstamp_instant(stamp)


def _date(text: str) -> date | None:
    return airdate_day(text)


def imported_show(imported: ImportedShow, cast: tuple[str, ...] = (), edits: Iterable[Edit] = ()) -> Show:
    """A TVmaze show as a catalog show: every numbered episode with an air time is an explicit
    airing at its `airstamp`. Episodes are numbered as TVmaze numbers them when the show has one
    season, else counted through the seasons. Episodes with a date and no air time (streaming
    releases) are not airings, they have no instant: they are `dated` releases (bot.releases)."""
    numbered = sorted((e for e in imported.episodes if e.number is not None), key=lambda e: (e.season, e.number or 0))
    one_season = len({e.season for e in numbered}) <= 1
    zone = _zone(imported.timezone)
    explicit: dict[int, datetime] = {}
    dated: dict[int, date] = {}
    for ordinal, episode in enumerate(numbered, start=1):
        number = episode.number if one_season and episode.number else ordinal
        start = _instant(episode.airstamp) if episode.airtime else None
        if start is not None:
            explicit[number] = start
        elif episode.airtime and episode.airstamp:
            continue  # an impossible air time (stored before parsing checked it): not a streaming date either
        elif (day := _date(episode.airdate)) is not None:
            dated[number] = day
    for edit in edits:
        if edit.kind == "skip":
            explicit = {e: at for e, at in explicit.items() if at.astimezone(zone).date() != edit.day}
        elif edit.episode is not None and edit.at_time is not None:
            explicit[edit.episode] = datetime.combine(edit.day, edit.at_time, tzinfo=zone).astimezone(UTC)
    return Show(
        key=imported.key, title=imported.name, aliases=imported.aliases, network=imported.network, zone=zone,
        runtime=imported.runtime or 60, explicit=tuple(sorted(explicit.items())), cast=cast, dated=tuple(sorted(dated.items())),
    )


def _edited_bundled(show: Show, edits: Iterable[Edit]) -> Show:
    for edit in edits:
        if edit.kind == "skip":
            show = replace(show, skip=show.skip | {edit.day})
        elif edit.episode is not None and edit.at_time is not None:
            moved = {**dict(show.explicit), edit.episode: datetime.combine(edit.day, edit.at_time, tzinfo=show.zone)}
            show = replace(show, explicit=tuple(sorted(moved.items())))
    return show
