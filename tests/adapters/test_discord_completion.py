"""Discord autocomplete follows the live catalog: a show another fan imported from TVmaze and a show
added to the catalog file (reloaded, as on SIGHUP) are offered as soon as they are in the catalog.
The production adapter against the fake Discord, TVmaze the fake in tests/fakes/tvmaze_api.py."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import pytest

from bot.catalog import parse_catalog
from tests.adapters.discord_bot import FAN, GUILD, OTHER, DiscordBot, answer, world
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.tvmaze_api import FakeTvmaze

OTHER_FAN = 1003


@pytest.fixture
async def server() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as fake:
        yield world(fake)


@pytest.fixture
async def tvmaze() -> AsyncIterator[FakeTvmaze]:
    async with FakeTvmaze() as fake:
        yield fake


async def values(server: FakeDiscord, typed: str) -> list[str]:
    choices = await server.autocomplete("subscribe", "name", {"name": typed}, user=OTHER_FAN, guild=GUILD)
    return [c["value"] for c in choices]


async def test_a_show_imported_from_tvmaze_is_offered_to_the_next_fan(server, tvmaze, tmp_path):
    bot = await DiscordBot.start(server, tmp_path, start="2027-01-04T00:00:00Z", tvmaze={"base_url": tvmaze.url})
    try:
        assert await values(server, "river runs") == []
        call = await server.slash("subscribe", {"name": "The River Runs Test"}, user=FAN, guild=GUILD, channel=OTHER)
        assert (await answer(call)).content.startswith("Subscribed to **The River Runs Test**")
        assert await values(server, "river runs") == ["The River Runs Test"]
    finally:
        await bot.stop()


async def test_a_show_added_to_the_catalog_file_is_offered_after_the_reload(server, tmp_path):
    bot = await DiscordBot.start(server, tmp_path)
    try:
        assert await values(server, "lantern fest") == []
        raw = {"shows": [{"title": "Lantern Festival Test", "network": "KBS2", "days": ["mon"], "time": "21:00",
                          "premiere": date(2023, 1, 2), "episodes": 4}]}
        await bot.process.core.live.reload(parse_catalog(raw))  # what SIGHUP does with the file read again
        assert await values(server, "lantern fest") == ["Lantern Festival Test"]
        assert await values(server, "interest of") == []  # the reloaded file no longer has it
    finally:
        await bot.stop()

