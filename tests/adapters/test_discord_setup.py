"""Start-up and plumbing of the Discord adapter: command schema, installs, deferral, logs, the real clock."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import timedelta

import discord
import pytest

from adapters.discord import DiscordAdapter
from bot.cli import platform_adapters
from bot.domain.catalog import parse_catalog
from bot.domain.interfaces import ChatRef, IncomingMessage, Reply, SystemClock
from tests.adapters.discord_bot import (
    ADMIN_PERMISSIONS,
    FAN,
    GUILD,
    ROLE,
    DiscordBot,
    SlowInbox,
    answer,
    config_for,
    world,
)
from tests.fakes.discord_api import MANAGE_GUILD, FakeDiscord, point_discord_at, running


@pytest.fixture
async def server() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as fake:
        yield world(fake)


async def test_slash_commands_are_generated_from_the_core_and_installable_to_servers_and_users(server, tmp_path):
    bot = await DiscordBot.start(server, tmp_path, discord={"dev_guild": GUILD})
    try:
        synced = server.commands[None]
        assert sorted(synced) == ["calendar", "channel", "feeds", "help", "language", "news", "next", "remind", "schedule", "show", "subscribe",
                                  "subscriptions", "timezone", "unsubscribe"]
        subscribe = synced["subscribe"]
        assert subscribe["integration_types"] == [0, 1] and subscribe["contexts"] == [0, 1, 2]
        [name] = subscribe["options"]
        assert (name["name"], name["type"], name["required"], name["autocomplete"]) == ("name", 3, True, True)
        assert name["description"] == "a title, alias or actor name; Hangul works"
        channel = synced["channel"]
        assert int(channel["default_member_permissions"]) == MANAGE_GUILD
        assert channel["integration_types"] == [0] and channel["contexts"] == [0]
        subs = {o["name"]: o for o in channel["options"]}
        assert subs["ping"]["options"][0]["type"] == 8  # a role picker
        assert [c["value"] for c in subs["events"]["options"][0]["choices"]] == ["on", "off"]
        assert sorted(server.commands[GUILD]) == sorted(synced)  # the development server gets them at once
    finally:
        await bot.stop()


async def test_commands_carry_korean_descriptions_and_a_korean_locale_gets_korean_replies(server, tmp_path):
    bot = await DiscordBot.start(server, tmp_path)
    try:
        synced = server.commands[None]
        subscribe = synced["subscribe"]
        assert subscribe["description"].startswith("follow a show")
        assert subscribe["description_localizations"]["ko"] == "드라마(알림과 뉴스)나 배우(뉴스와 출연작 알림) 구독하기"
        assert subscribe["options"][0]["description_localizations"]["ko"] == "제목, 별칭 또는 배우 이름 (한글도 돼요)"
        assert "name_localizations" not in subscribe or not subscribe["name_localizations"]  # names unchanged
        subs = {o["name"]: o for o in synced["channel"]["options"]}
        assert subs["ping"]["description_localizations"]["ko"].startswith("이 채팅의 알림에서 역할 멘션하기")
        reply = await answer(await server.slash("help", user=FAN, locale="ko"))
        assert reply.content.startswith("구독한 K-드라마의 방송 전에")
        reply = await answer(await server.slash("help", user=FAN, locale="fr"))
        assert reply.content.startswith("구독한 K-드라마의")  # the fan's chat remembers Korean
        reply = await answer(await server.slash("help", user=FAN + 7, locale="fr"))
        assert reply.content.startswith("I remind you")  # a French client reads English
    finally:
        await bot.stop()


async def test_a_fixed_shard_count_connects_through_the_configured_gateway(server, tmp_path):
    bot = await DiscordBot.start(server, tmp_path, discord={"shards": 1})
    try:
        assert server.requests["GET /gateway/bot"] == 0 and server.identifies[0]["shard"] == [0, 1]
        reply = await answer(await server.slash("help", user=FAN))
        assert reply.content.startswith("I remind you")
    finally:
        await bot.stop()


async def test_a_slow_command_is_deferred_then_answered_in_a_followup(server):
    adapter = DiscordAdapter(config_for(server).discord, guild_ready_timeout=0.05, defer_after=0.05)
    await adapter.connect()
    inbox = SlowInbox(0.3)
    await adapter.listen(inbox)  # type: ignore[arg-type]
    try:
        call = await server.slash("subscribe", {"name": "The Interest of Love"}, user=FAN, guild=GUILD)
        first = await call.response()
        assert first.type == 5 and first.ephemeral  # deferred ("thinking"), privately
        followup = await call.followup()
        assert followup.content == "done: subscribe {'name': 'The Interest of Love'}"
        [msg] = inbox.seen
        assert msg.private and not msg.reaches_chat and msg.chat == ChatRef("discord", str(server.dm_channels[FAN]))

        admin = await server.slash("channel list", user=FAN, guild=GUILD, permissions=ADMIN_PERMISSIONS)
        assert (await admin.response()).type == 5 and not (await admin.response()).ephemeral
        assert await inbox.seen[1].ask_admin() and not inbox.seen[1].private
    finally:
        await adapter.stop()


async def test_the_token_never_appears_in_any_log_line(server, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    bot = await DiscordBot.start(server, tmp_path)
    try:
        await answer(await server.slash("subscribe", {"name": "The Interest of Love"}, user=FAN, guild=GUILD))
        await bot.advance("2022-12-21T13:00:00Z")
        assert server.dm_messages(FAN)
    finally:
        await bot.stop()
    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) > 20 and any("discord" in record.name for record in caplog.records)
    assert not [line for line in lines if server.token in line]
    assert server.token not in repr(config_for(server))


async def test_a_reminder_arrives_by_dm_on_the_real_clock(server, tmp_path):
    clock = SystemClock()
    airs = clock.now() + timedelta(seconds=0.6)
    catalog = parse_catalog({"shows": [{"title": "Right Now Show", "network": "KBS",
                                        "airings": [{"episode": 1, "at": airs}]}]})
    bot = await DiscordBot.start(server, tmp_path, catalog=catalog, clock=clock, leads=["0m"])
    try:
        await answer(await server.slash("subscribe", {"name": "Right Now Show"}, user=FAN))
        for _ in range(150):
            if server.dm_messages(FAN):
                break
            await asyncio.sleep(0.02)
        [dm] = server.dm_messages(FAN)
        assert dm.embeds[0]["title"] == "⏰ Right Now Show" and f"<t:{int(airs.timestamp())}:F>" in dm.embeds[0]["description"]
    finally:
        await bot.stop()


def test_dramabot_run_starts_the_discord_adapter_when_a_token_is_configured(server):
    adapters = platform_adapters(config_for(server))
    assert list(adapters) == ["discord"] and isinstance(adapters["discord"], DiscordAdapter)


async def test_a_wrong_token_fails_start_up_naming_discord_and_not_the_token(server, tmp_path):
    from scheduler.process import StartupError

    with pytest.raises(StartupError) as failed:
        await DiscordBot.start(server, tmp_path, discord={"token": "not-the-token"})
    assert "connecting to discord" in str(failed.value) and "not-the-token" not in str(failed.value)


async def test_the_fake_resolves_role_options(server):
    client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.05)
    tree = discord.app_commands.CommandTree(client)
    seen: list[object] = []

    @tree.command(name="pick", description="pick a role")
    async def pick(interaction: discord.Interaction, role: discord.Role) -> None:
        seen.append(role)
        await interaction.response.send_message(role.name)

    with point_discord_at(server):
        async with running(client, server.token):
            await tree.sync()
            assert (await answer(await server.slash("pick", {"role": ROLE}, guild=GUILD))).content == "Drama Fans"
    assert isinstance(seen[0], discord.Role)


class BrokenInbox(SlowInbox):
    """An inbox that fails on the bot's side: the adapter has to answer for it."""

    async def run(self, msg: IncomingMessage, command, args) -> Reply:
        raise RuntimeError("the database went away")


async def test_a_korean_member_is_told_in_korean_that_the_bot_is_starting_up_or_failed(server):
    adapter = DiscordAdapter(config_for(server).discord, guild_ready_timeout=0.05)
    await adapter.connect()  # commands synced, the core not listening yet
    try:
        starting = await answer(await server.slash("help", user=FAN, locale="ko"))
        assert starting.ephemeral and starting.content == "시작하는 중이에요. 잠시 후 다시 해 주세요."
        english = await answer(await server.slash("help", user=FAN, locale="en-GB"))
        assert english.content == "I am starting up; try again in a moment."
        await adapter.listen(BrokenInbox(0))  # type: ignore[arg-type]
        failed = await answer(await server.slash("subscribe", {"name": "The Interest of Love"}, user=FAN, locale="ko"))
        assert failed.ephemeral and failed.content == "죄송해요, 제 쪽에 문제가 생겼어요. 잠시 후 다시 해 주세요."
        english = await answer(await server.slash("next", user=FAN, guild=GUILD, locale="fr"))  # no French: English
        assert english.content == "Sorry, something went wrong on my side. Please try again later."
    finally:
        await adapter.stop()
