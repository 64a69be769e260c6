"""How many TVmaze lookups one person may ask for: a fan sending thirty names in a row must not
use up the bot's TVmaze budget (`[tvmaze] max_requests`, shared by every fan and the refresh).

A person (platform and user id) may have at most AT_ONCE lookups under way and start at most
PER_WINDOW in any WINDOW seconds; past that the lookup is refused at once, with a reason that
says how long to wait, and nothing is asked of TVmaze. Memory is bounded: people with nothing
under way and no recent lookup are forgotten.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from .i18n import Said, said

AT_ONCE = 2
PER_WINDOW = 6
WINDOW = 60.0  # seconds
MAX_PEOPLE = 10_000  # remembered at once; past it, the idle ones are dropped


class LookupQuota:
    def __init__(self, *, at_once: int = AT_ONCE, per_window: int = PER_WINDOW, window: float = WINDOW,
                 clock: Callable[[], float] = time.monotonic):
        self.at_once, self.per_window, self.window, self.clock = at_once, per_window, window, clock
        self._started: dict[str, deque[float]] = {}
        self._running: dict[str, int] = {}

    @contextmanager
    def take(self, who: str) -> Iterator[Said | None]:
        """`with quota.take(who) as refused:` None while the lookup may go on (it counts until the
        block ends), else the reason, for the person, that it may not."""
        refused = self._refusal(who)
        if refused is not None:
            yield refused
            return
        self._started.setdefault(who, deque()).append(self.clock())
        self._running[who] = self._running.get(who, 0) + 1
        try:
            yield None
        finally:
            self._running[who] -= 1
            if not self._running[who]:
                del self._running[who]

    def _refusal(self, who: str) -> Said | None:
        now = self.clock()
        if len(self._started) > MAX_PEOPLE:
            self._forget_idle(now)
        started = self._started.get(who)
        while started and started[0] <= now - self.window:
            started.popleft()
        if self._running.get(who, 0) >= self.at_once:
            return said("lookup-waiting", count=self.at_once)
        if started and len(started) >= self.per_window:
            wait = max(1, round(started[0] + self.window - now))
            return said("lookup-too-often", count=len(started), wait=wait)
        return None

    def _forget_idle(self, now: float) -> None:
        for who in [w for w, s in self._started.items() if w not in self._running and (not s or s[-1] <= now - self.window)]:
            del self._started[who]
