"""Fan-outs under Discord's rate limits, and scheduled events kept in step with the schedule."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.domain.catalog import parse_catalog
from tests.adapters.discord_bot import ADMIN, ADMIN_PERMISSIONS, CHANNEL, GUILD, DiscordBot, answer, eventually, world
from tests.fakes.discord_api import FakeDiscord, Sent

MESSAGES = "POST /channels/{channel_id}/messages"


@pytest.fixture
async def server() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as fake:
        yield world(fake)


async def test_a_429_during_a_fan_out_delays_it_and_every_fan_gets_the_reminder_once(server, tmp_path):
    bot = await DiscordBot.start(server, tmp_path)
    try:
        fans = list(range(5001, 5021))
        for fan in fans:  # each in their DM with the bot
            reply = await answer(await server.slash("subscribe", {"name": "The Interest of Love"}, user=fan))
            assert reply.content.startswith("Subscribed")
        server.limit_global(3, 0.1)  # 30 requests/s: the bot's 50/s pace runs into it
        await bot.advance("2022-12-21T13:00:00Z")
        assert server.rate_limited > 0  # it really was limited...
        assert [len(server.dm_messages(fan)) for fan in fans] == [1] * len(fans)  # ...and each DM went out once
        assert server.requests["POST /users/@me/channels"] == 0  # DM channels came with the commands
    finally:
        await bot.stop()


def moving_catalog(first, second) -> dict:
    return {"shows": [{"title": "Moving Show", "network": "tvN", "runtime": 70,
                       "airings": [{"episode": 1, "at": first}, {"episode": 2, "at": second},
                                   {"episode": 3, "at": first + timedelta(days=30)}]}]}


async def events_on(server: FakeDiscord) -> Sent:
    """The admins subscribe CHANNEL to Moving Show (no events yet: they are opt-in), then turn events on."""
    await answer(await server.slash("channel subscribe", {"name": "Moving Show"}, user=ADMIN, guild=GUILD, channel=CHANNEL,
                                    permissions=ADMIN_PERMISSIONS))
    assert server.scheduled_events.get(GUILD, {}) == {}  # opt-in
    return await answer(await server.slash("channel events", {"state": "on"}, user=ADMIN, guild=GUILD, channel=CHANNEL,
                                           permissions=ADMIN_PERMISSIONS))


async def test_scheduled_events_are_created_for_the_week_and_moved_with_the_schedule(server, tmp_path):
    from tests.conftest import at

    first = at("2022-12-21T13:30:00Z")
    bot = await DiscordBot.start(server, tmp_path, catalog=parse_catalog(moving_catalog(first, first + timedelta(days=1))))
    try:
        on = await events_on(server)
        assert "server event" in on.content
        await eventually(lambda: len(server.scheduled_events.get(GUILD, {})) == 2)
        events = sorted(server.scheduled_events[GUILD].values(), key=lambda e: e["scheduled_start_time"])
        assert [e["name"] for e in events] == ["Moving Show · episode 1", "Moving Show · episode 2"]  # not episode 3
        assert events[1]["scheduled_start_time"].startswith("2022-12-22T13:30:00")
        assert events[1]["scheduled_end_time"].startswith("2022-12-22T14:40:00")  # 70 minutes
        assert events[1]["entity_type"] == 3 and events[1]["entity_metadata"] == {"location": "tvN"}
    finally:
        await bot.stop()

    # episode 2 is pre-empted by a day; the bot restarts with the new schedule
    moved = await DiscordBot.start(server, tmp_path, catalog=parse_catalog(moving_catalog(first, first + timedelta(days=2))))
    try:
        await eventually(lambda: moved.adapter.calendar is not None and moved.adapter.calendar.synced >= 1)
        events = sorted(server.scheduled_events[GUILD].values(), key=lambda e: e["scheduled_start_time"])
        assert len(events) == 2 and events[1]["scheduled_start_time"].startswith("2022-12-23T13:30:00")
        assert server.requests["PATCH /guilds/{guild_id}/scheduled-events/{event_id}"] == 1

        calendar = moved.adapter.calendar
        assert calendar is not None
        synced = calendar.synced
        await answer(await server.slash("channel events", {"state": "off"}, user=ADMIN, guild=GUILD, channel=CHANNEL,
                                  permissions=ADMIN_PERMISSIONS))
        await eventually(lambda: calendar.synced > synced)
        assert server.scheduled_events[GUILD] == {}  # upcoming events removed
    finally:
        await moved.stop()


async def test_scheduled_events_are_kept_by_the_process_holding_their_servers_shard(server, tmp_path):
    from tests.conftest import at

    first = at("2022-12-21T13:30:00Z")
    bot = await DiscordBot.start(server, tmp_path, catalog=parse_catalog(moving_catalog(first, first + timedelta(days=1))))
    try:
        await events_on(server)
        await eventually(lambda: len(server.scheduled_events.get(GUILD, {})) == 2)
    finally:
        await bot.stop()

    # episode 2 moves; the new process is given its shards by roles, none at first
    moved = await DiscordBot.start(server, tmp_path, catalog=parse_catalog(moving_catalog(first, first + timedelta(days=2))),
                                   adapter_options={"shards_by_role": True, "identify_every": 0.0})
    try:
        calendar = moved.adapter.calendar
        assert calendar is not None
        await eventually(lambda: calendar.synced >= 1)
        assert server.requests["PATCH /guilds/{guild_id}/scheduled-events/{event_id}"] == 0  # not its server yet
        synced = calendar.synced
        await moved.adapter.set_shards(frozenset({0}), sync=True)
        await eventually(lambda: calendar.synced > synced)
        assert server.requests["PATCH /guilds/{guild_id}/scheduled-events/{event_id}"] == 1
        events = sorted(server.scheduled_events[GUILD].values(), key=lambda e: e["scheduled_start_time"])
        assert events[1]["scheduled_start_time"].startswith("2022-12-23T13:30:00")
    finally:
        await moved.stop()
