"""Discord: each interaction runs on its own (discord.py gives every one its own task), so a
member's /subscribe waiting on a silent TVmaze holds no other member's command. The production
adapter against the fake Discord and a fake TVmaze."""

from __future__ import annotations

import asyncio

from tests.adapters.discord_bot import ADMIN, FAN, GUILD, DiscordBot, answer, world
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.tvmaze_api import FakeTvmaze


async def test_a_member_waiting_on_a_silent_tvmaze_holds_no_other_members_command(tmp_path):
    async with FakeDiscord() as fake, FakeTvmaze() as tvmaze:
        server = world(fake)
        tvmaze.fail = ["slow"] * 6  # TVmaze takes the connection and never answers in time
        bot = await DiscordBot.start(server, tmp_path, tvmaze={"base_url": tvmaze.url})
        try:
            await answer(await server.slash("help", user=FAN, guild=GUILD))  # the fan's DM channel is known now
            waiting = await server.slash("subscribe", {"name": "Moonlit Harbor Lanterns"}, user=FAN, guild=GUILD)
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 10
            while not tvmaze.requests:
                assert loop.time() < deadline, "the lookup never reached TVmaze"
                await asyncio.sleep(0.02)

            asked = loop.time()
            reply = await answer(await server.slash("help", user=ADMIN, guild=GUILD))
            took = loop.time() - asked

            assert "/subscribe" in reply.content and took < 1.5, f"the other member's /help took {took:.1f} s"
            assert "could not ask TVmaze" in (await waiting.followup(timeout=15)).content
        finally:
            await bot.stop()
