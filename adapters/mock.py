"""An in-memory adapter: records what the bot sends, rendered as the named platform would.

The simulator and the tests use one per platform ("telegram", "discord") on a virtual clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from bot.interfaces import DeliveryError, IncomingMessage, OnMessage, Outgoing
from bot.render import render_for


@dataclass(frozen=True)
class Sent:
    at: datetime
    platform: str
    chat: str
    kind: str
    text: str


class MockAdapter:
    """Stands in for a platform whose bot is called @dramabot."""

    def __init__(
        self, platform: str, now: Callable[[], datetime], outbox: list[Sent] | None = None, bot_username: str = "dramabot"
    ):
        self.platform = platform
        self.bot_username = bot_username
        self._now = now
        self.outbox: list[Sent] = [] if outbox is None else outbox
        self.on_message: OnMessage | None = None
        self.failures: dict[str, DeliveryError] = {}  # chat -> error to raise on send

    async def start(self, on_message: OnMessage) -> None:
        self.on_message = on_message

    async def stop(self) -> None:
        self.on_message = None

    async def send(self, chat: str, message: Outgoing) -> None:
        failure = self.failures.get(chat)
        if failure is not None:
            raise failure
        self.outbox.append(Sent(self._now(), self.platform, chat, message.kind, render_for(self.platform, message.body)))

    async def receive(self, chat: str, user: str, text: str, *, admin: bool = False) -> None:
        """A user types `text` in `chat`; `chat == user` is a private chat."""
        if self.on_message is None:
            raise RuntimeError(f"the {self.platform} mock adapter is not started")
        await self.on_message(
            IncomingMessage(self.platform, chat, user, chat == user, admin, text, bot_username=self.bot_username)
        )
