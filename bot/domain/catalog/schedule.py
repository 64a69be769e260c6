"""One show's airings as arithmetic over slot indices, never a day-by-day walk."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from datetime import date, datetime

from ..zones import UTC
from .values import Airing, Show

# A slot's UTC instant lies within a day before and two days after the midnight UTC of its
# local date (a wall time is under 24 h past midnight, a UTC offset under 24 h either way), so
# slot dates from 3 days before a window's UTC date cover every airing that can start in it.
SLOT_DATE_MARGIN_DAYS = 3


def _by_start_then_episode(airing: Airing) -> tuple[datetime, int]:
    return airing.start, airing.episode


class Schedule:
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


def expand_airings(show: Show) -> list[Airing]:
    """Every broadcast of a show, in episode order: weekly slots from the premiere, minus skipped
    dates (each pushes later episodes to the next slot), with explicit airings replacing or
    adding episodes.

    A slot time that does not exist on a daylight-saving day (clocks jump over it) airs at the
    same instant as the hour before the jump plus the minutes, as `zoneinfo` resolves fold=0;
    a repeated wall-clock time takes its first occurrence. Computed arithmetically: the cost
    is one zone conversion per episode, however many weeks the show spans.
    """
    return Schedule(show).airings()
