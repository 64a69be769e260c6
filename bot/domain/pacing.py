"""Pure pacing arithmetic: spacing sends under a rate, and when a fan-out must start.

`Spacing` is the generic cell rate algorithm with no burst: sends leave evenly spaced, so no
window of the rate's period ever holds more than its count (a platform counting in sliding
windows never sees a burst). `fanout_start` is the deadline plan: a reminder job whose audience
cannot be served between its due instant and air at the platform's rate starts early enough
that the last message leaves before air.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from .interfaces import Rate

SAFETY = 0.97  # pace a little under the declared rate: network jitter bunches arrivals
DEADLINE_MARGIN = timedelta(seconds=60)  # the last message leaves at least this long before air


class Spacing:
    """One rate, as the next free instant (monotonic seconds) for each key."""

    def __init__(self, rate: Rate, *, safety: float = SAFETY):
        self.interval = 1.0 / (rate.per_second * safety)
        self._next: dict[object, float] = {}

    def ready_at(self, key: object, now: float) -> float:
        """When `key` may send next (now or later)."""
        return max(self._next.get(key, now), now)

    def reserve(self, key: object, now: float) -> float:
        """Take the next slot of `key`; returns its instant (now or later)."""
        slot = self.ready_at(key, now)
        self._next[key] = slot + self.interval
        return slot

    def hold(self, key: object, until: float) -> None:
        """Nothing for `key` before `until` (a platform asked to wait)."""
        self._next[key] = max(self._next.get(key, until), until)

    def forget_idle(self, now: float) -> None:
        """Drop keys whose next slot has passed: they are as good as new."""
        if len(self._next) > 1024:
            self._next = {k: t for k, t in self._next.items() if t > now}


class Window:
    """At most `count` departures in any stretch of `seconds` plus a small margin, counted from
    the departures themselves: even spacing keeps the pace, this keeps a stalled event loop (whose
    late sends would all leave at once) from ever putting more than the count in one window.

    A send that reached the platform later than it left (the event loop or the network held it
    on the way) is counted where it arrived once its answer tells (`settle`): otherwise the next
    `count` sends, leaving on time, would meet it inside one of the platform's windows."""

    def __init__(self, rate: Rate, *, margin: float = 1 - SAFETY):
        self.count = max(1, int(rate.count))
        self.span = rate.seconds * (1 + margin)
        self._times: list[float] = []  # departures (or arrivals, once settled), sorted; the latest kept

    def ready_at(self, now: float) -> float:
        times = self._times
        if len(times) < self.count:
            return now
        return max(now, times[-self.count] + self.span)

    def depart(self, now: float) -> None:
        times = self._times
        if times and now < times[-1]:
            bisect.insort(times, now)
        else:
            times.append(now)
        if len(times) > 2 * self.count:
            del times[: len(times) - self.count]

    def settle(self, departed: float, arrived: float) -> None:
        """The send that left at `departed` reached the platform as late as `arrived`."""
        times = self._times
        if arrived <= departed or not times or arrived <= times[0]:
            return
        i = bisect.bisect_left(times, departed)
        if i < len(times) and times[i] == departed:
            del times[i]
        bisect.insort(times, arrived)


@dataclass(frozen=True)
class FanoutPlan:
    """When a reminder job starts, and why."""

    start: datetime
    early_by: timedelta  # zero when the nominal due instant is early enough
    needs: timedelta  # time the fan-out takes at the platforms' rates


def fanout_start(
    *,
    due: datetime,
    air: datetime,
    audience: Mapping[str, int],
    rates: Mapping[str, float | None],
    margin: timedelta = DEADLINE_MARGIN,
) -> FanoutPlan:
    """When to start fanning out `audience` (chats per platform) so the last message leaves by
    `air - margin`, each platform sending at its rate (messages per second; None: unlimited).

    Platforms send side by side, so the slowest one decides. Never later than `due`.
    """
    seconds = 0.0
    for platform, count in audience.items():
        rate = rates.get(platform)
        if count and rate:
            seconds = max(seconds, count / rate)
    needs = timedelta(seconds=math.ceil(seconds))
    latest = air - margin - needs
    start = min(due, latest)
    return FanoutPlan(start, due - start, needs)
