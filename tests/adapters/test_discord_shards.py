"""Discord shards: each shard connected by exactly one adapter, moved between adapters, counted once.

Two adapters stand for two processes of one bot; the fake Discord routes a server's events and
interactions to the session of its shard ((guild_id >> 22) % count) and DMs to shard 0.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from adapters.discord import DiscordAdapter
from adapters.discord.shards import SHARDS_META
from bot.domain.interfaces import ChatRef, Outgoing
from bot.domain.render import Message
from bot.domain.roles import SCHEDULER, Role
from tests.adapters.discord_bot import FAN, DiscordBot, SlowInbox, answer, config_for
from tests.fakes.discord_api import FakeDiscord, InteractionCall

COMMANDS = "PUT /applications/{application_id}/commands"


def guild_on(shard: int, count: int) -> int:
    """A server id whose events come on `shard` of `count`."""
    return ((count * 5 + shard) << 22) | 1


@pytest.fixture
async def server() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(shards=4) as fake:
        for shard in range(4):
            guild = guild_on(shard, 4)
            fake.add_guild(guild, f"Shard {shard} Club", channels={guild + 1: "general"}, members=[FAN])
        yield fake


async def adapter_holding(server: FakeDiscord, shards: set[int], *, sync: bool = False) -> tuple[DiscordAdapter, SlowInbox]:
    """An adapter of a process whose shards are handed out by roles, holding `shards` of 4."""
    adapter = DiscordAdapter(config_for(server, discord={"shards": 4}).discord, shards_by_role=True,
                             identify_every=0.0, guild_ready_timeout=0.05, defer_after=0.5)
    await adapter.connect()
    inbox = SlowInbox(0.0)
    await adapter.listen(inbox)  # type: ignore[arg-type]
    await adapter.set_shards(frozenset(shards), count=4, sync=sync)
    return adapter, inbox


async def answered_once(call: InteractionCall) -> str:
    """What the user sees, after checking that one process answered (a second answer is refused)."""
    reply = await answer(call)
    assert len(call.responses) == 1 and len(call.followups) <= 1
    return reply.content


async def test_two_processes_split_four_shards_and_each_command_is_answered_once_by_its_shards_holder(server):
    first, first_inbox = await adapter_holding(server, {0, 1}, sync=True)
    second, second_inbox = await adapter_holding(server, {2, 3})
    try:
        assert server.identifies_by_shard == {(0, 4): 1, (1, 4): 1, (2, 4): 1, (3, 4): 1}
        assert server.shard_conflicts == [] and server.requests[COMMANDS] == 1  # synced once, by the first
        assert first.shards.held == {0, 1} and second.shards.held == {2, 3}
        assert {g.id for g in second.shards.guilds} == {guild_on(2, 4), guild_on(3, 4)}

        call = await server.slash("subscribe", {"name": "The Interest of Love"}, user=FAN, guild=guild_on(3, 4))
        assert await answered_once(call) == "done: subscribe {'name': 'The Interest of Love'}"
        assert len(second_inbox.seen) == 1 and first_inbox.seen == []

        dm = await server.slash("help", user=FAN)  # DMs come on shard 0
        assert await answered_once(dm) == "done: help {}"
        assert len(first_inbox.seen) == 1 and len(second_inbox.seen) == 1
    finally:
        await first.stop()
        await second.stop()


async def test_a_shard_moved_to_the_other_process_is_identified_once_there_and_answers_there(server):
    first, first_inbox = await adapter_holding(server, {0, 1}, sync=True)
    second, second_inbox = await adapter_holding(server, {2, 3})
    try:
        await second.set_shards(frozenset({2}), count=4)  # it loses shard 3 ...
        await first.set_shards(frozenset({0, 1, 3}))  # ... which the first takes over
        assert server.identifies_by_shard == {(0, 4): 1, (1, 4): 1, (2, 4): 1, (3, 4): 2}
        assert server.shard_conflicts == [] and sorted(s.shard for s in server.live_sessions()) == [
            (0, 4), (1, 4), (2, 4), (3, 4)]  # the others were not disturbed
        assert first.shards.held == {0, 1, 3} and second.shards.held == {2}

        call = await server.slash("subscribe", {"name": "The Interest of Love"}, user=FAN, guild=guild_on(3, 4))
        assert await answered_once(call) == "done: subscribe {'name': 'The Interest of Love'}"
        assert len(first_inbox.seen) == 1 and second_inbox.seen == []
        other = await server.slash("next", user=FAN, guild=guild_on(2, 4))
        assert await answered_once(other) == "done: next {}"
        assert len(second_inbox.seen) == 1
    finally:
        await first.stop()
        await second.stop()


async def test_a_process_holding_no_shard_still_sends(server):
    adapter, _ = await adapter_holding(server, set(), sync=True)
    try:
        assert server.identifies == [] and adapter.connected
        channel = guild_on(1, 4) + 1
        await adapter.send(ChatRef("discord", str(channel)), Outgoing("news", Message.of("Episode 1 airs soon")))
        [posted] = server.messages[channel]
        assert "Episode 1 airs soon" in str(posted.payload)
    finally:
        await adapter.stop()


async def test_auto_asks_discord_once_keeps_the_count_in_the_database_and_connects_every_shard(tmp_path):
    async with FakeDiscord(shards=3) as server:
        guild = guild_on(2, 3)
        server.add_guild(guild, "Shard 2 Club", channels={guild + 1: "general"}, members=[FAN])
        bot = await DiscordBot.start(server, tmp_path, discord={"shards": "auto"},
                                     adapter_options={"identify_every": 0.0})
        try:
            assert server.requests["GET /gateway/bot"] == 1
            assert server.identifies_by_shard == {(0, 3): 1, (1, 3): 1, (2, 3): 1} and server.shard_conflicts == []
            assert await bot.process.core.store.get_meta(SHARDS_META) == "3"
            assert (await answered_once(await server.slash("help", user=FAN, guild=guild))).startswith("I remind you")
        finally:
            await bot.stop()

        server.shards = 5  # Discord would now say 5; the bot keeps splitting as it did
        bot = await DiscordBot.start(server, tmp_path, discord={"shards": "auto"},
                                     adapter_options={"identify_every": 0.0})
        try:
            assert server.requests["GET /gateway/bot"] == 1  # not asked again
            assert server.identifies_by_shard == {(0, 3): 2, (1, 3): 2, (2, 3): 2}
            assert server.requests[COMMANDS] == 2  # once per start
        finally:
            await bot.stop()


async def test_one_process_spaces_its_identifies_and_refuses_a_shard_beyond_the_count(server):
    adapter = DiscordAdapter(config_for(server, discord={"shards": 4}).discord, shards_by_role=True,
                             identify_every=0.2, guild_ready_timeout=0.05)
    await adapter.connect()
    try:
        started = asyncio.get_running_loop().time()
        await adapter.set_shards(frozenset({0, 1, 2}))
        assert asyncio.get_running_loop().time() - started >= 0.4  # Discord allows one IDENTIFY per 5 s
        assert server.identifies_by_shard == {(0, 4): 1, (1, 4): 1, (2, 4): 1}
        with pytest.raises(ValueError, match="not all in 0..3"):
            await adapter.set_shards(frozenset({4}))
        assert adapter.shards.held == {0, 1, 2}
    finally:
        await adapter.stop()


async def test_a_command_under_way_on_a_shard_taken_away_is_still_answered(server):
    adapter, inbox = await adapter_holding(server, {3}, sync=True)
    inbox.seconds = 0.6  # the command is still working when the shard goes (deferred after 0.5 s)
    try:
        call = await server.slash("channel list", user=FAN, guild=guild_on(3, 4))
        while not inbox.seen:
            await asyncio.sleep(0.01)
        await adapter.set_shards(frozenset())
        assert adapter.shards.held == frozenset() and server.live_sessions() == []
        assert await answered_once(call) == "done: channel list {}"
    finally:
        await adapter.stop()


async def test_the_roles_a_process_holds_become_its_shards_and_the_holder_of_shard_0_syncs_commands(server):
    adapter = DiscordAdapter(config_for(server, discord={"shards": 4}).discord, shards_by_role=True,
                             identify_every=0.0, guild_ready_timeout=0.05)
    await adapter.connect()
    try:
        assert [r.name for r in adapter.shard_roles] == [f"shard:discord:{n}" for n in range(4)]
        assert server.identifies == [] and server.requests[COMMANDS] == 0
        await adapter.hold_roles([SCHEDULER, Role("send", "discord"), *adapter.shard_roles[:2]])
        assert adapter.shards.held == {0, 1} and server.requests[COMMANDS] == 1
        await adapter.hold_roles(adapter.shard_roles[:3])  # gains shard 2: no second sync
        assert adapter.shards.held == {0, 1, 2} and server.requests[COMMANDS] == 1
        await adapter.hold_roles([Role.parse("shard:discord:2")])
        assert adapter.shards.held == {2} and sorted(s.shard for s in server.live_sessions()) == [(2, 4)]
        assert server.identifies_by_shard == {(0, 4): 1, (1, 4): 1, (2, 4): 1}
    finally:
        await adapter.stop()
