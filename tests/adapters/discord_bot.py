"""A dramabot process with the production Discord adapter, pointed at the fake Discord.

    bot = await DiscordBot.start(server, tmp_path)           # virtual clock at 2022-12-20
    call = await server.slash("subscribe", {"name": "The Interest of Love"}, user=FAN, guild=GUILD)
    await bot.advance("2022-12-21T13:00:00Z")                 # the reminder goes out over HTTP
    [dm] = server.dm_messages(FAN)

The adapter reaches the fake only through its `rest_url` and `gateway_url` settings.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from adapters.discord import DiscordAdapter
from bot.config import Config, parse_config
from bot.domain.catalog import Catalog
from bot.domain.dbfile import is_postgres
from bot.domain.interfaces import ChatRef, Clock, IncomingMessage, Reply, Upcoming, VirtualClock
from bot.domain.render import Message
from scheduler.process import BotProcess
from scheduler.virtual import VirtualDriver
from tests.conftest import at, bundled_catalog
from tests.fakes.discord_api import MANAGE_GUILD, MEMBER_PERMISSIONS, FakeDiscord, InteractionCall, Sent

GUILD = 700_000_000_000_000_001
CHANNEL = 710_000_000_000_000_001  # where admins route reminders
OTHER = 710_000_000_000_000_002
ROLE = 720_000_000_000_000_001
FAN = 1001
ADMIN = 1002
ADMIN_PERMISSIONS = MEMBER_PERMISSIONS | MANAGE_GUILD
EPISODE_1 = at("2022-12-21T13:30:00Z")  # The Interest of Love, episode 1 (22:30 KST)


def world(server: FakeDiscord) -> FakeDiscord:
    server.add_guild(GUILD, "Drama Club", channels={CHANNEL: "reminders", OTHER: "general"}, members=[FAN, ADMIN],
                     roles={ROLE: "Drama Fans"})
    return server


def config_for(server: FakeDiscord, discord: dict[str, Any] | None = None, **raw: Any) -> Config:
    """A config (raw TOML keys) whose [discord] section points at the fake."""
    section = {"token": server.token, "rest_url": server.url, "gateway_url": server.gateway_url} | (discord or {})
    raw.setdefault("tvmaze", {"enabled": False})  # no internet in tests; a test may point it at the fake
    return parse_config({"discord": section, **raw})


@dataclass
class DiscordBot:
    process: BotProcess
    adapter: DiscordAdapter
    clock: Clock

    @classmethod
    async def start(cls, server: FakeDiscord, tmp_path: Any, *, start: str | datetime = "2022-12-20T00:00:00Z",
                    catalog: Catalog | None = None, clock: Clock | None = None, db: str = "bot.sqlite3",
                    adapter_options: dict[str, Any] | None = None, **config: Any) -> DiscordBot:
        cfg = config_for(server, **config)
        clock = clock or VirtualClock(at(start))
        options: dict[str, Any] = {"guild_ready_timeout": 0.05, "ready_timeout": 3.0, "clock": clock} | (adapter_options or {})
        adapter = DiscordAdapter(cfg.discord, **options)
        process = await BotProcess.start(config=cfg, catalog=catalog or bundled_catalog(), clock=clock,
                                         adapters={"discord": adapter},
                                         db_path=db if is_postgres(db) else str(tmp_path / db))
        return cls(process, adapter, clock)

    async def advance(self, to: str | datetime) -> None:
        assert isinstance(self.process.driver, VirtualDriver)
        await self.process.driver.advance_to(at(to))

    async def stop(self) -> None:
        await self.process.stop()


async def eventually(check: Callable[[], bool], seconds: float = 2.0) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("the condition did not hold in time")
        await asyncio.sleep(0.01)


async def answer(call: InteractionCall) -> Sent:
    """What the user sees: the reply, or the followup of a deferred ("thinking") reply."""
    first = await call.response()
    if first.type != 5:
        return first
    followup = await call.followup()
    assert followup.ephemeral == first.ephemeral  # a followup of a deferral keeps its privacy
    return followup


class SlowInbox:
    """An inbox whose commands take longer than Discord's patience."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.seen: list[IncomingMessage] = []

    async def run(self, msg: IncomingMessage, command, args) -> Reply:
        self.seen.append(msg)
        await asyncio.sleep(self.seconds)
        return Reply(Message.of(f"done: {' '.join(command)} {dict(args)}"), personal=command[0] != "channel")

    def names(self, lang: str = "en") -> list[tuple[str, str]]:
        return [("The Interest of Love", "The Interest of Love"), ("사랑의 이해", "The Interest of Love")]

    async def upcoming(self, chat: ChatRef, days: int) -> list[Upcoming]:
        return []

    async def chats_with_events(self, platform) -> list[ChatRef]:
        return []

    async def request_slot(self, platform) -> None:
        return None
