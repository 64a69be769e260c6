"""Fans and admins on Discord: the production adapter and a real discord.py client against the fake Discord."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.domain.catalog import parse_catalog
from tests.adapters.discord_bot import (
    ADMIN,
    ADMIN_PERMISSIONS,
    CHANNEL,
    EPISODE_1,
    FAN,
    GUILD,
    OTHER,
    ROLE,
    DiscordBot,
    answer,
    eventually,
    world,
)
from tests.fakes.discord_api import FakeDiscord

MESSAGES = "POST /channels/{channel_id}/messages"
T = int(EPISODE_1.timestamp())


@pytest.fixture
async def server() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as fake:
        yield world(fake)


@pytest.fixture
async def bot(server: FakeDiscord, tmp_path) -> AsyncIterator[DiscordBot]:
    running = await DiscordBot.start(server, tmp_path)
    yield running
    await running.stop()


async def test_a_member_subscribes_with_autocomplete_and_gets_a_dm_reminder_in_their_own_time(server, bot):
    choices = await server.autocomplete("subscribe", "name", {"name": "interest of"}, user=FAN, guild=GUILD)
    assert {"name": "The Interest of Love", "value": "The Interest of Love"} in choices
    hangul = await server.autocomplete("subscribe", "name", {"name": "사랑의"}, user=FAN, guild=GUILD)
    assert any(c["value"] == "The Interest of Love" and c["name"].startswith("사랑의 이해") for c in hangul)

    call = await server.slash("subscribe", {"name": choices[0]["value"]}, user=FAN, guild=GUILD, channel=OTHER)
    assert (await call.response()).type == 5  # the fan's DM channel must be created first: deferred at once
    reply = await answer(call)
    assert reply.ephemeral and reply.content.startswith("Subscribed to **The Interest of Love**")
    assert f"<t:{T}:F>" in reply.content and reply.allowed_mentions == {"parse": []}
    assert server.messages.get(OTHER) is None  # nothing posted in the server channel

    await bot.advance("2022-12-21T12:59:00Z")
    assert server.dm_messages(FAN) == []
    await bot.advance("2022-12-21T13:00:00Z")
    [dm] = server.dm_messages(FAN)
    [embed] = dm.embeds
    assert embed["title"] == "⏰ The Interest of Love"
    assert embed["description"] == f"Episode 1, starts <t:{T}:R>: <t:{T}:F> (JTBC)."
    assert dm.content == "" and dm.allowed_mentions == {"parse": []}


async def test_a_dm_chat_is_the_same_chat_wherever_the_fan_types(server, bot):
    await answer(await server.slash("subscribe", {"name": "The Interest of Love"}, user=FAN, guild=GUILD))
    listed = await answer(await server.slash("subscriptions", user=FAN))  # now in the DM
    assert "**The Interest of Love**" in listed.content and listed.ephemeral
    assert server.requests["POST /users/@me/channels"] == 1  # created once, then known


async def test_an_admin_routes_reminders_to_a_channel_with_a_role_ping(server, bot):
    call = await server.slash("channel subscribe", {"name": "Moon Ga Young"}, user=ADMIN, guild=GUILD, channel=CHANNEL,
                              permissions=ADMIN_PERMISSIONS)
    reply = await answer(call)
    assert not reply.ephemeral and reply.content.startswith("Following **Moon Ga Young**")
    ping = await answer(await server.slash("channel ping", {"role": ROLE}, user=ADMIN, guild=GUILD, channel=CHANNEL,
                                     permissions=ADMIN_PERMISSIONS))
    assert "mention the role" in ping.content

    await bot.advance("2022-12-21T13:00:00Z")
    [post] = server.messages[CHANNEL]
    assert post.content == f"<@&{ROLE}>"
    assert post.allowed_mentions == {"parse": [], "roles": [ROLE]}  # that role only
    assert post.embeds[0]["title"] == "⏰ The Interest of Love"
    assert server.dm_messages(FAN) == [] and OTHER not in server.messages

    await answer(await server.slash("channel ping", user=ADMIN, guild=GUILD, channel=CHANNEL,
                              permissions=ADMIN_PERMISSIONS))
    await bot.advance("2022-12-22T13:00:00Z")
    assert server.messages[CHANNEL][-1].content == "" and server.messages[CHANNEL][-1].allowed_mentions == {"parse": []}


async def test_a_member_without_manage_server_is_refused(server, bot):
    call = await server.slash("channel subscribe", {"name": "The Interest of Love"}, user=FAN, guild=GUILD,
                              channel=CHANNEL)
    assert (await answer(call)).content.startswith("Only admins of this chat can do that")
    await bot.advance("2022-12-21T13:00:00Z")
    assert CHANNEL not in server.messages


async def test_closed_dms_pause_the_fan_at_the_first_refusal_and_their_next_command_says_why(server, bot):
    await answer(await server.slash("subscribe", {"name": "The Interest of Love"}, user=FAN, guild=GUILD))
    server.block_dms(FAN)
    await bot.advance("2022-12-21T13:00:00Z")
    assert server.invalid_requests == 1 and server.requests[MESSAGES] == 1
    await bot.advance("2022-12-29T13:00:00Z")  # three more episodes: not one more try
    assert server.requests[MESSAGES] == 1 and server.invalid_requests == 1

    told = await answer(await server.slash("next", user=FAN, guild=GUILD))
    assert told.ephemeral
    assert told.content.startswith("Your reminders and news are paused: Discord refused my direct message to you (error 50007)")
    assert "Privacy Settings" in told.content and "Next: **The Interest of Love**" in told.content

    server._blocked_dms.discard(FAN)  # the fan opens their DMs and writes to the bot there
    resumed = await answer(await server.slash("subscriptions", user=FAN))
    assert resumed.content.startswith("Delivery to this chat had been paused")
    await bot.advance("2022-12-29T13:00:00Z")
    await bot.advance("2023-01-04T13:00:00Z")
    assert [m.embeds[0]["title"] for m in server.dm_messages(FAN)] == ["⏰ The Interest of Love"]


async def test_a_deleted_channel_is_paused_and_the_admins_are_told_on_their_next_command(server, bot):
    await answer(await server.slash("channel subscribe", {"name": "The Interest of Love"}, user=ADMIN, guild=GUILD,
                              channel=CHANNEL, permissions=ADMIN_PERMISSIONS))
    server.delete_channel(CHANNEL)
    await server.dispatch("CHANNEL_DELETE", server.channels[CHANNEL])  # the bot's cache forgets it, as on Discord
    assert bot.adapter.client is not None
    await eventually(lambda: bot.adapter.shards.get_channel(CHANNEL) is None)
    await bot.advance("2022-12-22T13:00:00Z")
    assert server.requests[MESSAGES] == 1  # refused once (404), then paused: episode 2 was not tried
    member = await answer(await server.slash("next", user=FAN, guild=GUILD, channel=OTHER))
    assert "could not post" not in member.content
    admin = await answer(await server.slash("channel list", user=ADMIN, guild=GUILD, channel=OTHER,
                                      permissions=ADMIN_PERMISSIONS))
    assert admin.content.startswith(f"⚠️ I could not post in <#{CHANNEL}>: the channel was deleted")
    again = await answer(await server.slash("channel list", user=ADMIN, guild=GUILD, channel=OTHER,
                                      permissions=ADMIN_PERMISSIONS))
    assert "could not post" not in again.content  # told once


async def test_a_korean_admin_is_told_in_korean_about_a_channel_the_bot_cannot_post_in(server, bot):
    await answer(await server.slash("channel subscribe", {"name": "The Interest of Love"}, user=ADMIN, guild=GUILD,
                              channel=CHANNEL, permissions=ADMIN_PERMISSIONS, locale="ko"))
    server.delete_channel(CHANNEL)
    await server.dispatch("CHANNEL_DELETE", server.channels[CHANNEL])
    assert bot.adapter.client is not None
    await eventually(lambda: bot.adapter.shards.get_channel(CHANNEL) is None)
    await bot.advance("2022-12-22T13:00:00Z")
    admin = await answer(await server.slash("channel list", user=ADMIN, guild=GUILD, channel=OTHER,
                                      permissions=ADMIN_PERMISSIONS, locale="ko"))
    assert admin.content.startswith(
        f"⚠️ <#{CHANNEL}>에 글을 올릴 수 없었어요: 채널이 삭제되었어요 (Discord 오류 10003). 이 채널의 알림은 멈춰 있어요. "
        "문제를 해결한 뒤 그 채널에서 `/channel list`를 실행하면 다시 시작해요.")
    assert "could not post" not in admin.content


async def test_a_hostile_title_is_escaped_and_mentions_nobody(server, tmp_path):
    title = "**Boom** @everyone <@&1> _x_ `y`"
    catalog = parse_catalog({"shows": [{"title": title, "network": "KBS",
                                        "airings": [{"episode": 1, "at": EPISODE_1}]}]})
    bot = await DiscordBot.start(server, tmp_path, catalog=catalog)
    try:
        reply = await answer(await server.slash("channel subscribe", {"name": "Boom everyone"}, user=ADMIN, guild=GUILD,
                                          channel=CHANNEL, permissions=ADMIN_PERMISSIONS))
        escaped = "\\*\\*Boom\\*\\* @\u200beveryone <\u200b@&1> \\_x\\_ \\`y\\`"
        assert escaped in reply.content and reply.allowed_mentions == {"parse": []}
        await bot.advance("2022-12-21T13:00:00Z")
        [post] = server.messages[CHANNEL]
        assert post.embeds[0]["title"] == f"⏰ {escaped}"
        assert post.allowed_mentions == {"parse": []} and post.content == ""
    finally:
        await bot.stop()


async def test_a_channel_command_in_a_thread_routes_reminders_to_that_thread(server, bot):
    thread = 730_000_000_000_000_001
    server.channels[thread] = {
        "id": str(thread), "type": 11, "guild_id": str(GUILD), "parent_id": str(CHANNEL), "name": "episode talk",
        "owner_id": str(ADMIN), "message_count": 0, "member_count": 1, "rate_limit_per_user": 0, "flags": 0,
        "thread_metadata": {"archived": False, "auto_archive_duration": 1440, "locked": False,
                            "archive_timestamp": "2022-12-20T00:00:00+00:00"},
    }
    reply = await answer(await server.slash("channel subscribe", {"name": "The Interest of Love"}, user=ADMIN, guild=GUILD,
                                            channel=thread, permissions=ADMIN_PERMISSIONS))
    assert reply.content.startswith("Subscribed to **The Interest of Love**") and not reply.ephemeral
    await bot.advance("2022-12-21T13:00:00Z")
    assert [m.embeds[0]["title"] for m in server.messages[thread]] == ["⏰ The Interest of Love"]
    assert CHANNEL not in server.messages


async def test_news_reaches_a_channel_as_a_linked_embed_without_the_role_ping(server, bot):
    from bot.domain.article import Article
    from tests.conftest import at

    for command, options in (("channel subscribe", {"name": "Moon Ga Young"}), ("channel ping", {"role": ROLE})):
        await answer(await server.slash(command, options, user=ADMIN, guild=GUILD, channel=CHANNEL,
                                        permissions=ADMIN_PERMISSIONS))
    await bot.process.core.news.publish_article(Article(
        "soompi", "1", "Moon Ga Young *shines* in new stills", "https://www.soompi.com/a/1", "Fans @everyone cheer",
        at("2022-12-20T00:00:00Z")))
    await bot.process.core.idle()
    [post] = server.messages[CHANNEL]
    [embed] = post.embeds
    assert embed["title"] == "📰 Moon Ga Young \\*shines\\* in new stills" and embed["url"] == "https://www.soompi.com/a/1"
    assert embed["description"] == "Fans @\u200beveryone cheer\nFrom soompi · You follow: Moon Ga Young"
    assert post.content == "" and post.allowed_mentions == {"parse": []}
