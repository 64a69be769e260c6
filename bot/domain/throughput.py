"""How fast an outbox really sends, for the outbox itself and for the deadline plan.

A paced platform's rate holds only while enough sends await it at once: at 2 s per answer and 16
in flight, a 30/s platform gets 8/s. `InFlight` keeps `rate x observed latency` sends in flight
(with some headroom, never below the adapter's base count nor above its bound). `Achieved`
measures the rate actually reached while messages were waiting, so a fan-out that cannot keep
the declared rate is planned with the rate it gets (`bot.domain.pacing.fanout_start`).
"""

from __future__ import annotations

import math
from collections import deque

HEADROOM = 1.25  # in flight = rate x latency x this: answers vary around the average
SMOOTHING = 0.1  # weight of the newest answer time in the moving average
SAMPLES = 300  # sends the achieved rate is measured over at most
MIN_SAMPLES = 100  # ...and at least, over at least MIN_SPAN seconds (a 429's short pause must not count as slow)
MIN_SPAN = 4.0


class InFlight:
    """How many sends may await the platform at once, from the answer times seen."""

    def __init__(self, *, rate: float | None, base: int, bound: int):
        self.rate = rate
        self.base = max(1, base)
        self.bound = max(self.base, bound) if rate else self.base
        self.latency: float | None = None  # seconds, moving average
        self.allowed = self.base

    @property
    def adaptive(self) -> bool:
        return self.bound > self.base

    def observe(self, seconds: float) -> bool:
        """Note one answer time; True when `allowed` grew."""
        self.latency = seconds if self.latency is None else self.latency + (seconds - self.latency) * SMOOTHING
        assert self.rate is not None
        wanted = min(self.bound, max(self.base, math.ceil(self.rate * self.latency * HEADROOM)))
        if wanted > self.allowed:
            self.allowed = wanted
            return True
        if wanted < self.allowed * 0.75 or wanted == self.base:  # shrink on a clear change only (no flapping)
            self.allowed = wanted
        return False


class Achieved:
    """Sends per second over the last SAMPLES sends made while more was waiting than could be in
    flight, or as the last such backlog ended; None until one was long enough to measure (an
    outbox that was never behind is as fast as declared)."""

    def __init__(self) -> None:
        self._times: deque[float] = deque(maxlen=SAMPLES)
        self._last: float | None = None

    def sent(self, at: float, *, behind: bool) -> None:
        if behind:
            self._times.append(at)
        elif self._times:  # caught up: keep what this backlog showed, measure the next one afresh
            self._last = self._measured()
            self._times.clear()

    def _measured(self) -> float | None:
        times = self._times
        if len(times) < MIN_SAMPLES or times[-1] - times[0] < MIN_SPAN:
            return self._last
        return (len(times) - 1) / (times[-1] - times[0])

    def rate(self) -> float | None:
        return self._measured()
