"""What one platform's outbox counts for operators (the web server's /metrics and /status):
messages by kind and outcome, rate-limit refusals, and accepted sends of the last hour. Plain
counters, no chat or user id; reading them costs nothing on the send path."""

from __future__ import annotations

from collections import Counter, deque
from typing import Literal

from ..domain.interfaces import ChatMoved, RateLimited, Unreachable

Outcome = Literal["sent", "rate_limited", "unreachable", "moved", "failed"]
HOUR = 3600.0


def outcome_of(error: BaseException | None) -> Outcome:
    if error is None:
        return "sent"
    if isinstance(error, RateLimited):
        return "rate_limited"
    if isinstance(error, Unreachable):
        return "unreachable"
    if isinstance(error, ChatMoved):
        return "moved"
    return "failed"


class DeliveryStats:
    def __init__(self) -> None:
        self.outcomes: Counter[tuple[str, Outcome]] = Counter()  # (job kind, outcome) -> messages
        self.rate_limited = 0  # 429s: refusals of a message or a reply
        self._recent: deque[float] = deque()  # monotonic instants of accepted messages, the last hour

    def count(self, kind: str, error: BaseException | None, now: float) -> None:
        outcome = outcome_of(error)
        self.outcomes[(kind, outcome)] += 1
        if outcome == "sent":
            self._recent.append(now)
            if len(self._recent) > 4096 and self._recent[0] < now - HOUR:
                self._forget(now)

    def _forget(self, now: float) -> None:
        while self._recent and self._recent[0] < now - HOUR:
            self._recent.popleft()

    def sent_last_hour(self, now: float) -> int:
        self._forget(now)
        return len(self._recent)
