"""Helpers for the Telegram adapter tests: the real adapter against the fake Bot API server.

    async with telegram_bot(tmp_path) as (bot, server):
        server.push_message(FAN, FAN, "/subscribe Kiss & <Tell>")
        reply = await bot.reply_to(FAN)
        await bot.advance(AIRS - timedelta(minutes=30))

The bot runs `BotProcess` on a virtual clock (reminders fire when the test moves it), with
`TelegramAdapter` unmodified, its `base_url` pointing at the fake: every call goes through
python-telegram-bot's real HTTP stack.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from adapters.telegram import TelegramAdapter
from bot.catalog import Catalog, parse_catalog
from bot.config import parse_config
from bot.interfaces import VirtualClock
from scheduler.process import BotProcess
from tests.fakes.telegram_api import FakeTelegram, SentMessage

START = datetime(2030, 1, 7, 12, 0, tzinfo=timezone.utc)  # a Monday
AIRS = START + timedelta(days=1)  # Kiss & <Tell> episode 1: Tue 8 Jan 2030 12:00 UTC
FAN, OTHER_FAN = 4001, 4002
GROUP, ADMIN, MEMBER = -100777, 5001, 5002


def catalog() -> Catalog:
    return parse_catalog({
        "shows": [
            {"title": "Kiss & <Tell>", "network": "JTBC", "cast": ["Han Ji Min"],
             "airings": [{"episode": 1, "at": AIRS}, {"episode": 2, "at": AIRS + timedelta(days=7)}]},
            {"title": "Moon River", "network": "KBS", "airings": [{"episode": 1, "at": START + timedelta(days=2)}]},
            {"title": "Moon Lovers", "network": "SBS", "airings": [{"episode": 1, "at": START + timedelta(days=3)}]},
        ],
        "actors": [{"name": "Han Ji Min"}],
    })


@dataclass
class TelegramBot:
    process: BotProcess
    adapter: TelegramAdapter
    server: FakeTelegram
    clock: VirtualClock

    async def reply_to(self, chat: int, count: int = 1, timeout: float = 2.0) -> str:
        """The plain text of the `count`-th message this chat received (waiting for it)."""
        sent = await self.server.wait_sent(count, timeout=timeout, chat_id=chat)
        return sent[count - 1].plain_text

    async def says(self, chat: int, user: int, text: str, **options: Any) -> SentMessage:
        """A user writes in a chat; the bot's answer (the next message to that chat)."""
        before = len(self.server.sent_to(chat))
        self.server.push_message(chat, user, text, **options)
        sent = await self.server.wait_sent(before + 1, chat_id=chat)
        return sent[before]

    async def advance(self, to: datetime) -> None:
        """Move the virtual clock, firing every reminder due on the way; wait until all is sent."""
        await self.process.driver.advance_to(to)  # type: ignore[union-attr]
        await self.process.core.idle()

    def received(self, chat: int, marker: str = "⏰") -> list[SentMessage]:
        return [m for m in self.server.sent_to(chat) if m.plain_text.startswith(marker)]


def bot_config(server: FakeTelegram, **telegram: Any) -> Any:
    """The bot's config for a story; Telegram's 1 message a second per chat is lifted (unless a
    test sets it) so that a conversation of a few lines takes milliseconds, not seconds."""
    settings = {"chat_messages_per_second": 100, "group_messages_per_minute": 6000, **telegram}
    return parse_config({
        "leads": ["30m"],
        "delivery": {"send_timeout": 2, "stop_grace": 1},
        "telegram": {"token": server.token, "base_url": server.base_url, "base_file_url": server.base_file_url, **settings},
        "tvmaze": {"enabled": False},  # no internet in tests: a near name would ask TVmaze
    })


@contextlib.asynccontextmanager
async def telegram_bot(
    tmp_path: Path, server: FakeTelegram | None = None, *, start: datetime = START, **telegram: Any
) -> AsyncIterator[tuple[TelegramBot, FakeTelegram]]:
    async with contextlib.AsyncExitStack() as stack:
        if server is None:
            server = await stack.enter_async_context(FakeTelegram())
        config = bot_config(server, **telegram)
        adapter = TelegramAdapter(config.telegram, request_timeout=2.0, poll_timeout=0.5)
        clock = VirtualClock(start)
        process = await BotProcess.start(
            config=config, catalog=catalog(), clock=clock, adapters={"telegram": adapter},
            db_path=str(tmp_path / "bot.sqlite3"),
        )
        try:
            yield TelegramBot(process, adapter, server, clock), server
        finally:
            await process.stop()
