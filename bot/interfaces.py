"""What the core and the outside world exchange: messages in and out, the adapter contract, clocks.

Adapters (Discord, Telegram, console, mock) are small objects composed with the core: the
core calls `send`; the adapter calls the `on_message` callback it was started with. No
platform object ever crosses this line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Awaitable, Callable, Protocol

from .render import Message

KINDS = ("reply", "reminder", "news", "notice")


@dataclass(frozen=True)
class IncomingMessage:
    """A user typing in a chat, as any platform reports it."""

    platform: str
    chat: str
    user: str
    is_private: bool
    is_admin: bool
    text: str
    thread: str | None = None
    bot_username: str | None = None  # the bot's own name here, when known: "/help@other_bot" is ignored


@dataclass(frozen=True)
class Outgoing:
    """A message for one chat: its kind ("reply", "reminder", "news", "notice") and neutral body."""

    kind: str
    body: Message
    thread: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown message kind {self.kind!r}; one of {', '.join(KINDS)}")


class DeliveryError(Exception):
    """A send that failed. `retry_after` seconds when the platform asked to wait (rate limit);
    `permanent` when retrying cannot help (the bot was blocked, the chat is gone)."""

    def __init__(self, reason: str, *, retry_after: float | None = None, permanent: bool = False):
        super().__init__(reason)
        self.retry_after = retry_after
        self.permanent = permanent


OnMessage = Callable[[IncomingMessage], Awaitable[None]]


class Adapter(Protocol):
    platform: str

    async def start(self, on_message: OnMessage) -> None:
        """Connect, and report every incoming message through `on_message`."""

    async def stop(self) -> None:
        """Disconnect; pending sends may be abandoned (the ledger retries them)."""

    async def send(self, chat: str, message: Outgoing) -> None:
        """Render and send one message; raise DeliveryError when it cannot be sent."""


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, aware, in UTC."""


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class VirtualClock:
    """A clock that only moves when told to: the simulator's and the tests' time."""

    def __init__(self, start: datetime):
        self._now = start.astimezone(timezone.utc)

    def now(self) -> datetime:
        return self._now

    def set(self, instant: datetime) -> None:
        instant = instant.astimezone(timezone.utc)
        if instant < self._now:
            raise ValueError(f"the clock cannot go back from {self._now.isoformat()} to {instant.isoformat()}")
        self._now = instant
