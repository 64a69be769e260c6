"""Two bot processes on one PostgreSQL database share Discord's shards through the shard roles:
each shard connected by exactly one of them, every command answered once, and a stopped
process's shards come back on the other."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.domain.interfaces import SystemClock
from tests.adapters.discord_bot import FAN, DiscordBot, answer
from tests.fakes.discord_api import FakeDiscord

COUNT = 4


def guild_on(shard: int) -> int:
    return ((COUNT * 9 + shard) << 22) | 1


async def until(check, seconds: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "the condition did not hold in time"
        await asyncio.sleep(0.05)


def world(server: FakeDiscord, database: str) -> dict[str, Any]:
    """A server on each shard; the options of a process on `database` whose shard count is "auto"."""
    for shard in range(COUNT):
        server.add_guild(guild_on(shard), f"Shard {shard} Club", channels={guild_on(shard) + 1: "general"}, members=[FAN])
    return {"adapter_options": {"identify_every": 0.0}, "clock": SystemClock(), "db": database,
            "discord": {"shards": "auto"}}


def live_shards(server: FakeDiscord) -> list[int]:
    return sorted(s.shard[0] for s in server.live_sessions())


async def test_two_processes_share_the_shards_answer_once_and_take_over_a_stopped_ones(tmp_path, postgres_url):
    async with FakeDiscord(shards=COUNT) as server:
        options = world(server, postgres_url)
        first = await DiscordBot.start(server, tmp_path, **options)
        second = None
        try:
            await until(lambda: live_shards(server) == [0, 1, 2, 3])  # alone, the first holds them all
            second = await DiscordBot.start(server, tmp_path, **options)
            await until(lambda: len(first.adapter.shards.held) == 2 and len(second.adapter.shards.held) == 2)
            await until(lambda: live_shards(server) == [0, 1, 2, 3])
            assert server.shard_conflicts == [] and server.requests["GET /gateway/bot"] == 1  # "auto" asked once
            for shard in range(COUNT):
                reply = await answer(await server.slash("help", user=FAN, guild=guild_on(shard)))
                assert reply.content.startswith("I remind you")
            assert all(len(call.responses) == 1 for call in server.interactions.values())

            moved = set(first.adapter.shards.held)
            await first.stop()  # SIGTERM's way: its roles are handed over at once
            await until(lambda: second.adapter.shards.held == {0, 1, 2, 3} and live_shards(server) == [0, 1, 2, 3])
            assert server.shard_conflicts == []
            assert {shard for (shard, _), n in server.identifies_by_shard.items() if n > 1} >= moved
            reply = await answer(await server.slash("help", user=FAN, guild=guild_on(min(moved))))
            assert reply.content.startswith("I remind you")
        finally:
            await first.stop()  # a second stop does nothing
            if second is not None:
                await second.stop()


async def test_a_killed_processs_shards_come_back_on_the_other_once_its_leases_expire(tmp_path, postgres_url):
    async with FakeDiscord(shards=COUNT) as server:
        options = world(server, postgres_url)
        first = await DiscordBot.start(server, tmp_path, **options)
        second = await DiscordBot.start(server, tmp_path, **options)
        try:
            await until(lambda: len(first.adapter.shards.held) == 2 and len(second.adapter.shards.held) == 2)
            lost = set(first.adapter.shards.held)
            await first.process.kill()
            await first.adapter.stop()  # its gateway sockets die with it
            killed = asyncio.get_running_loop().time()
            await until(lambda: second.adapter.shards.held == {0, 1, 2, 3}, seconds=25)
            took = asyncio.get_running_loop().time() - killed
            assert took <= 15  # the leases' 10 s, and a round of the keeper
            assert server.shard_conflicts == [] and live_shards(server) == [0, 1, 2, 3]
            reply = await answer(await server.slash("help", user=FAN, guild=guild_on(min(lost))))
            assert reply.content.startswith("I remind you")
        finally:
            await second.stop()
