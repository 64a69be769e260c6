"""The buttons of ambiguous answers: which choice a tap's callback data stands for.

Telegram carries at most 64 bytes of callback data, too few for a command and a long name, so
the choices stay here and a button carries "<token>:<index>". A token lives a day (and the
table holds at most `capacity` of them); data that is unknown, expired, malformed or tapped in
another chat than the one it was sent to finds nothing, and the tap changes nothing.
"""

from __future__ import annotations

import re
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from bot.domain.interfaces import Choice

DATA = re.compile(r"([A-Za-z0-9_-]{8}):([0-9]{1,2})")


@dataclass(frozen=True)
class _Entry:
    chat: str  # ChatRef.key the buttons were sent to
    choices: tuple[Choice, ...]
    expires: float


class ChoiceTable:
    def __init__(self, *, ttl: float = 86400.0, capacity: int = 10000, clock: Callable[[], float] = time.monotonic):
        self.ttl, self.capacity, self._clock = ttl, capacity, clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()

    def put(self, chat: str, choices: tuple[Choice, ...]) -> list[str]:
        """Remember `choices` offered in `chat`; the callback data of each, in order."""
        token = secrets.token_urlsafe(6)  # 8 characters
        self._entries[token] = _Entry(chat, choices, self._clock() + self.ttl)
        while len(self._entries) > self.capacity:
            self._entries.popitem(last=False)
        return [f"{token}:{i}" for i in range(len(choices))]

    def get(self, data: str, chat: str) -> Choice | None:
        """The choice `data` names when tapped in `chat`, or None (stale, forged, or elsewhere)."""
        match = DATA.fullmatch(data or "")
        entry = self._entries.get(match.group(1)) if match else None
        if match is None or entry is None or entry.chat != chat:
            return None
        if entry.expires < self._clock():
            del self._entries[match.group(1)]
            return None
        index = int(match.group(2))
        return entry.choices[index] if index < len(entry.choices) else None

    def forget(self, data: str) -> None:
        """The choice was made: the other buttons of that message are spent too."""
        match = DATA.fullmatch(data or "")
        if match:
            self._entries.pop(match.group(1), None)
