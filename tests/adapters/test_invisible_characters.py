"""Invisible characters a fan, a feed or a catalog may send: control, bidi and zero-width
characters are never echoed (an unclosed U+202E would flip the rest of the line), and names match
without them. The real adapters against the fake Telegram Bot API server and the fake Discord."""

from __future__ import annotations

import unicodedata

from bot.domain.article import Article
from bot.domain.catalog import parse_catalog
from tests.adapters.discord_bot import ADMIN, ADMIN_PERMISSIONS, CHANNEL, GUILD, DiscordBot, answer, eventually, world
from tests.adapters.telegram_bot import FAN, telegram_bot
from tests.conftest import at
from tests.fakes.discord_api import FakeDiscord

RLO, ZWSP, ZWJ, WJ, BEL = "\u202e", "\u200b", "\u200d", "\u2060", "\x07"


def invisible(text: str) -> list[str]:
    """The control, format (bidi, zero-width) characters in `text`, newlines aside."""
    return [f"U+{ord(c):04X}" for c in text if c != "\n" and unicodedata.category(c) in ("Cc", "Cf")]


async def test_a_fans_stray_characters_are_not_echoed_and_do_not_spoil_a_command(tmp_path):
    async with telegram_bot(tmp_path) as (bot, server):
        unknown = await bot.says(FAN, FAN, f"/unsubscribe Nothing{RLO}Known{BEL} here")
        assert unknown.plain_text.startswith('I know no show or actor called "NothingKnown here".')
        assert invisible(unknown.plain_text) == []
        zone = await bot.says(FAN, FAN, f"/timezone Seoul{RLO}")
        assert "Asia/Seoul" in zone.plain_text and invisible(zone.plain_text) == []
        subscribed = await bot.says(FAN, FAN, f"/subscribe Ki{ZWSP}ss &{WJ} <Te{ZWJ}ll>")
        assert subscribed.plain_text.startswith("Subscribed to Kiss & <Tell>: reminders before every episode")


async def test_a_feed_titles_stray_characters_are_not_posted(tmp_path):
    async with telegram_bot(tmp_path) as (bot, server):
        await bot.says(FAN, FAN, "/subscribe Kiss & <Tell>")
        await bot.process.core.news.publish_article(Article(
            feed="soompi", id="1", title=f"Kiss & <Tell> {RLO}wins big{BEL}", link="https://example.com/a",
            summary=f"Ha{ZWSP}n Ji Min{WJ} smiles.{RLO}",
        ))
        await bot.process.core.idle()
        [news] = bot.received(FAN, "📰")
        assert news.plain_text == "📰 Kiss & <Tell> wins big\nHan Ji Min smiles.\nFrom soompi · You follow: Kiss & <Tell>"
        assert [e["url"] for e in news.entities] == ["https://example.com/a"]
        await bot.process.core.news.publish_article(Article(
            feed="soompi", id="2", title="Kiss & <Tell> again", link=f"https://example.com/{RLO}gpj.exe",
        ))
        await bot.process.core.idle()
        [_, hidden] = bot.received(FAN, "📰")
        assert hidden.entities == [] and invisible(hidden.plain_text) == []  # a link hiding characters is left out


async def test_a_discord_server_event_names_a_show_without_its_stray_characters(tmp_path):
    catalog = parse_catalog({"shows": [{"title": f"Night{RLO} Owl{ZWSP} Test", "network": f"tvN{BEL}",
                                        "airings": [{"episode": 1, "at": at("2022-12-21T13:30:00Z")}]}]})
    async with FakeDiscord() as server:
        world(server)
        bot = await DiscordBot.start(server, tmp_path, catalog=catalog)
        try:
            where = dict(user=ADMIN, guild=GUILD, channel=CHANNEL, permissions=ADMIN_PERMISSIONS)
            await answer(await server.slash("channel subscribe", {"name": "Night Owl Test"}, **where))
            await answer(await server.slash("channel events", {"state": "on"}, **where))
            await eventually(lambda: len(server.scheduled_events.get(GUILD, {})) == 1)
            [event] = server.scheduled_events[GUILD].values()
            assert (event["name"], event["entity_metadata"]) == ("Night Owl Test · episode 1", {"location": "tvN"})
            assert invisible(event["description"]) == []
        finally:
            await bot.stop()
