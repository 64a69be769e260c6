"""The bot's own pace of REST requests: evenly spaced, and never more than a cap in any second.

Discord allows 50 requests per second per bot. Even spacing alone is not enough: when the event
loop stalls (a long callback, the garbage collector), requests whose slots passed meanwhile leave
together, and a one-second window on Discord's side can then hold more than 50. A sliding window
of send times caps that: however the loop stalls, no second of sends holds more than `cap`.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable

from bot.interfaces import Rate
from bot.pacing import Spacing


class RequestPacer:
    def __init__(self, rate: Rate, *, cap: int, safety: float = 0.97, monotonic: Callable[[], float] = time.monotonic):
        self._spacing = Spacing(rate, safety=safety)
        self._cap, self._period = cap, rate.seconds
        self._sent: deque[float] = deque()
        self._mono = monotonic
        self._lock = asyncio.Lock()

    async def slot(self) -> None:
        """Wait until one more request may leave now."""
        now = self._mono()
        at = self._spacing.reserve(None, now)
        if at > now:
            await asyncio.sleep(at - now)
        async with self._lock:  # one at a time through the window, in order
            while True:
                now = self._mono()
                while self._sent and self._sent[0] <= now - self._period:
                    self._sent.popleft()
                if len(self._sent) < self._cap:
                    self._sent.append(now)
                    return
                await asyncio.sleep(self._sent[0] + self._period - now)
