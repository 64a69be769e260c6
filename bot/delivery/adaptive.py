"""The pace of one outbox at its platform: each send counted in the platform's window when it
leaves and when it arrives, as many sends in flight as rate x answer time needs, the rate achieved,
and the rate a fan-out can count on (with the drops, reported once a watchdog round)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from ..domain.interfaces import Limits
from ..domain.pacing import SAFETY, Window
from ..domain.throughput import Achieved, InFlight

log = logging.getLogger(__name__)


def _per_second(rate: float | None) -> str:
    return "no set rate" if rate is None else f"{rate:.1f}/s"


class Throughput:
    """The window, the in-flight bound and the rates of an outbox (the `Outbox` sets the rest)."""

    platform: str
    _window: Window | None
    _paused_until: float
    _outstanding: int
    _closing: asyncio.Event
    _mono: Callable[[], float]

    def __init__(self, *, rate: float | None, limits: Limits, on_rate: Callable[[], None]):
        self.rate = rate
        self._in_flight = InFlight(rate=self.rate, base=limits.in_flight, bound=limits.max_in_flight or 0)
        self._adaptive = self._in_flight.adaptive  # (read on the hot path)
        self._more = asyncio.Event()  # set (and replaced) when more workers may send
        self._achieved = Achieved()
        self._quickest: float | None = None  # seconds: the quickest answer seen lately (rising slowly)
        self._on_rate = on_rate
        self._planned_rate = self.rate
        self._dropped: dict[tuple[str, str, str], int] = {}  # (kind, job, why) -> messages dropped, not yet logged

    async def _pause(self, seconds: float) -> bool:
        """Sleep unless the outbox closes first; True when closing."""
        if seconds <= 0:
            return self._closing.is_set()
        try:
            await asyncio.wait_for(self._closing.wait(), seconds)
        except TimeoutError:
            pass
        return self._closing.is_set()

    async def _depart(self) -> float | None:
        """Wait until the platform's window (and any pause) allows one more send, and count it as
        leaving now: when it goes to the platform, not when it was picked. Rendering a message can
        wait on the database (a chat that changed is read again), and sends picked in even steps
        but delayed unevenly would reach the platform bunched, over its limit. Returns the instant
        it leaves, or None when the outbox closes meanwhile (the send does not happen)."""
        window = self._window
        assert window is not None
        while True:
            now = self._mono()
            ready = max(window.ready_at(now), self._paused_until)
            if ready <= now:
                window.depart(now)
                return now
            if await self._pause(ready - now):
                return None

    def _arrived(self, departed: float) -> None:
        """A send that left at `departed` was answered now: it reached the platform no later than
        now minus the quickest answer seen lately, so the window counts it there (a send held on its
        way, then answered as fast as usual, reached the platform late by that much)."""
        assert self._window is not None
        now = self._mono()
        answer = now - departed
        quickest = self._quickest
        self._quickest = answer if quickest is None or answer < quickest else quickest + (answer - quickest) * 0.01
        self._window.settle(departed, now - self._quickest)

    def _answered(self, started: float) -> None:
        """A platform call came back: keep rate x answer time in flight, and measure the rate."""
        now = self._mono()
        if self._in_flight.observe(now - started):
            self._more.set()
            self._more = asyncio.Event()
        self._achieved.sent(now, behind=self._outstanding > self._in_flight.allowed)

    @property
    def planning_rate(self) -> float | None:
        """The rate a fan-out can count on: the declared one, or the one achieved the last time
        messages waited, when that was clearly lower (a platform slower than the in-flight bound
        allows for). It changes only when the achieved rate moved clearly, once a second at most,
        so plans made from it are not remade for every send."""
        return self._planned_rate

    def _rate_now(self) -> float | None:
        achieved = self._achieved.rate()
        if self.rate is None or achieved is None or achieved >= 0.85 * self.rate * SAFETY:
            return self.rate
        return achieved

    def _report(self) -> None:
        """Log the drops counted since the last report, and tell the planner when the rate a
        fan-out can count on changed clearly."""
        dropped, self._dropped = self._dropped, {}
        for (kind, job, why), count in dropped.items():
            log.warning("%d %s %s messages of %s were dropped: %s (sending at %s, %d in flight, answers in %.1f s)",
                        count, self.platform, kind, job, why, _per_second(self._achieved.rate() or self.rate),
                        self._in_flight.allowed, self._in_flight.latency or 0.0)
        rate = self._rate_now()
        if rate != self._planned_rate and (rate is None or self._planned_rate is None
                                           or abs(rate - self._planned_rate) > 0.1 * self._planned_rate):
            if rate == self.rate:
                log.info("%s delivers at its declared %s again", self.platform, _per_second(rate))
            else:
                log.warning("%s delivers at %s, not the declared %s: reminder jobs are planned at that rate",
                            self.platform, _per_second(rate), _per_second(self.rate))
            self._planned_rate = rate
            self._on_rate()
