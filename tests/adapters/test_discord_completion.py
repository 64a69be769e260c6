"""Discord autocomplete follows the live catalog: a show another fan imported from TVmaze and a show
added to the catalog file (reloaded on SIGHUP) are offered as soon as they are in the catalog.
The production adapter against the fake Discord (in process, and `dramabot run` as a subprocess
on the real clock), TVmaze the fake in tests/fakes/tvmaze_api.py."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import AsyncIterator
from datetime import date

import pytest

from bot.domain.catalog import parse_catalog
from tests.adapters.discord_bot import FAN, GUILD, OTHER, DiscordBot, answer, world
from tests.conftest import bundled_catalog
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



async def test_a_name_shared_by_a_show_and_an_actor_is_offered_in_the_korean_fans_language(server, tmp_path):
    raw = {"shows": [{"title": "Jisoo", "network": "KBS2", "days": ["mon"], "time": "21:00",
                      "premiere": date(2023, 1, 2), "episodes": 4}],
           "actors": [{"name": "Jisoo"}]}
    bot = await DiscordBot.start(server, tmp_path, catalog=parse_catalog(raw))
    try:
        korean = await server.autocomplete("subscribe", "name", {"name": "jisoo"}, user=OTHER_FAN, guild=GUILD, locale="ko")
        assert korean == [{"name": "Jisoo → 드라마: Jisoo", "value": "드라마: Jisoo"},
                          {"name": "Jisoo → 배우: Jisoo", "value": "배우: Jisoo"}]
        english = await server.autocomplete("subscribe", "name", {"name": "jisoo"}, user=FAN, guild=GUILD, locale="en-US")
        assert [c["value"] for c in english] == ["show: Jisoo", "actor: Jisoo"]
        call = await server.slash("subscribe", {"name": korean[1]["value"]}, user=OTHER_FAN, guild=GUILD,
                                  channel=OTHER, locale="ko")
        assert "**Jisoo**" in (await answer(call)).content  # the Korean word picks the actor when sent
    finally:
        await bot.stop()


def catalog_toml(title: str) -> str:
    return (f'[[shows]]\ntitle = "{title}"\nnetwork = "KBS2"\ntimezone = "Asia/Seoul"\n'
            'days = ["mon"]\ntime = "21:00"\npremiere = 2023-01-02\nepisodes = 4\n')


async def completed(server: FakeDiscord, typed: str, want: str, seconds: float = 20.0) -> list[str]:
    """The autocomplete values for `typed`, asked again until `want` is among them or time is up."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        found = await values(server, typed)
        if want in found or asyncio.get_running_loop().time() > deadline:
            return found
        await asyncio.sleep(0.1)


async def test_dramabot_run_offers_a_show_of_the_catalog_file_after_sighup(tmp_path):
    async with FakeDiscord() as server:
        world(server)
        (tmp_path / "catalog.toml").write_text(catalog_toml("Harbor Lights Test"), encoding="utf-8")
        config = tmp_path / "dramabot.toml"
        config.write_text(
            f'database = "bot.sqlite3"\ncatalog = "catalog.toml"\n[discord]\nrest_url = "{server.url}"\n'
            f'gateway_url = "{server.gateway_url}"\n[tvmaze]\nenabled = false\n',
            encoding="utf-8",
        )
        env = {"DRAMABOT_DISCORD_TOKEN": server.token, "PATH": "/usr/bin:/bin"}
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--config", str(config),
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env,
        )
        try:
            for _ in range(500):
                if "subscribe" in server.commands.get(None, {}):
                    break
                await asyncio.sleep(0.02)
            assert await completed(server, "harbor", "Harbor Lights Test") == ["Harbor Lights Test"]  # listening
            assert await values(server, "lantern fest") == []
            (tmp_path / "catalog.toml").write_text(catalog_toml("Lantern Festival Test"), encoding="utf-8")
            process.send_signal(signal.SIGHUP)
            assert await completed(server, "lantern fest", "Lantern Festival Test") == ["Lantern Festival Test"]
            assert await values(server, "harbor") == []
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
            _, err = await asyncio.wait_for(process.communicate(), 20)
        assert process.returncode == 0, err.decode()[-2000:]


async def test_a_catalog_change_that_renames_nothing_rebuilds_no_index(make_story):
    story = await make_story()
    core = story.sim.process.core
    names = core.listings.names()
    await core.live.reload(bundled_catalog())  # the same file read again: every name as it was
    assert core.listings.names() is names
    raw = {"shows": [{"title": "Lantern Festival Test", "network": "KBS2", "days": ["mon"], "time": "21:00",
                      "premiere": date(2023, 1, 2), "episodes": 4}]}
    await core.live.reload(parse_catalog(raw))
    assert core.listings.names() is not names and ("Lantern Festival Test", "Lantern Festival Test") in core.listings.names()
