"""`dramabot run` on Telegram with commands that wait (a silent TVmaze, a slow feed, one fan
flooding lookups): every other fan is still answered at once, and one chat's commands are
handled in the order they were sent. The bot is a subprocess on the real clock, against the
fake Bot API and a fake TVmaze on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from bot.domain.quota import PER_WINDOW
from tests.adapters.telegram_process import start_telegram_bot
from tests.fakes.feeds_server import FeedServer
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.tvmaze_api import FakeTvmaze

FAN, OWNER = 6000, 6999
OTHER_FANS = range(6001, 6011)
PROMPT = 3.0  # seconds: "at once" on a loaded machine; a lookup holding everyone holds them 4.5 s or more


@contextlib.asynccontextmanager
async def dramabot_run(tmp_path: Path, server: FakeTelegram, tvmaze: FakeTvmaze, extra: str = "") -> AsyncIterator[None]:
    bot = await start_telegram_bot(tmp_path, server, top=f'owners = ["telegram:{OWNER}"]\n',
                                   sections=f'[tvmaze]\nbase_url = "{tvmaze.url}"\n{extra}', stdout=asyncio.subprocess.DEVNULL)
    try:
        await server.wait_requests("getUpdates", timeout=30)
        yield
    finally:
        bot.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(bot.communicate(), 60)
        assert bot.returncode == 0, stderr.decode()[-3000:]


async def until(predicate: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    """Wait for something outside the fake Bot API (it wakes its own waiters only)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, f"waited {timeout:g} s for {what}"
        await asyncio.sleep(0.02)


def answered_at(server: FakeTelegram, chat: int) -> list[float]:
    """When each message to `chat` was sent (the fake's clock, time.monotonic)."""
    return [c.at for c in server.calls if c.method == "sendMessage" and c.params.get("chat_id") == str(chat)]


async def help_from_other_fans(server: FakeTelegram) -> float:
    """Ten other fans ask for /help at once; the longest any of them waited for the answer."""
    asked = server.clock()
    for fan in OTHER_FANS:
        server.push_message(fan, fan, "/help")
    await server.wait_until(lambda: all(answered_at(server, f) for f in OTHER_FANS), timeout=30, what="ten /help answers")
    return max(answered_at(server, f)[0] for f in OTHER_FANS) - asked


async def test_a_fan_waiting_on_a_silent_tvmaze_holds_no_other_fans_reply(tmp_path):
    async with FakeTelegram() as server, FakeTvmaze() as tvmaze:
        tvmaze.fail = ["slow"] * 8  # TVmaze takes the connection and never answers in time
        async with dramabot_run(tmp_path, server, tvmaze):
            server.push_message(FAN, FAN, "/subscribe Moonlit Harbor Lanterns")
            server.push_message(FAN, FAN, "/subscribe Silent Winter Tide")  # 4.5 s each: 9 s for this fan
            await until(lambda: bool(tvmaze.requests), "the lookup reaching TVmaze")

            waited = await help_from_other_fans(server)

            assert waited < PROMPT, f"the ten /help answers took up to {waited:.1f} s"
            assert not server.sent_to(FAN), "the lookups are still waiting on TVmaze"
            answers = await server.wait_sent(2, timeout=30, chat_id=FAN)
            assert [a.plain_text.split('"')[1] for a in answers] == ["Moonlit Harbor Lanterns", "Silent Winter Tide"]
            assert all("could not ask TVmaze: TVmaze did not answer in time" in a.plain_text for a in answers)


async def test_an_owner_adding_a_slow_feed_holds_no_other_fans_reply(tmp_path):
    feeds = await FeedServer(mode="slow").start()  # answers after 30 s
    try:
        async with FakeTelegram() as server, FakeTvmaze() as tvmaze:
            async with dramabot_run(tmp_path, server, tvmaze, '[news]\nallow_hosts = ["127.0.0.1"]\n'):
                server.push_message(OWNER, OWNER, f"/feeds add {feeds.url('/wp/feed/')} slowsite")
                await until(lambda: bool(feeds.requests), "the owner's feed being fetched")

                waited = await help_from_other_fans(server)

                assert waited < PROMPT, f"the ten /help answers took up to {waited:.1f} s"
    finally:
        await feeds.stop()


async def test_one_chats_commands_are_handled_and_answered_in_the_order_sent(tmp_path):
    async with FakeTelegram() as server, FakeTvmaze() as tvmaze:
        tvmaze.fail = ["slow"] * 2  # the first command waits on TVmaze
        async with dramabot_run(tmp_path, server, tvmaze):
            zones = ["Asia/Seoul", "America/New_York", "Europe/London", "Europe/Paris", "Asia/Tokyo"]
            server.push_message(FAN, FAN, "/subscribe Moonlit Harbor Lanterns")
            for zone in zones:
                server.push_message(FAN, FAN, f"/timezone {zone}")
            server.push_message(FAN, FAN, "/timezone")

            answers = [a.plain_text for a in await server.wait_sent(7, timeout=30, chat_id=FAN)]

            assert "could not ask TVmaze" in answers[0]
            assert [a.split(".")[0] for a in answers[1:6]] == [f"Time zone set to {z}" for z in zones]
            assert answers[6].startswith("Times here are shown in Asia/Tokyo")


async def test_a_fan_flooding_lookups_neither_holds_others_nor_uses_up_tvmaze(tmp_path):
    async with FakeTelegram() as server, FakeTvmaze() as tvmaze:
        async with dramabot_run(tmp_path, server, tvmaze):
            for n in range(30):
                server.push_message(FAN, FAN, f"/subscribe Nowhere Show {n}")
            await until(lambda: len(tvmaze.requests) >= 2, "the flood reaching TVmaze")

            asked = server.clock()
            server.push_message(OTHER_FANS[0], OTHER_FANS[0], "/subscribe The River Runs Test")
            [answer] = await server.wait_sent(1, timeout=30, chat_id=OTHER_FANS[0])
            waited = answered_at(server, OTHER_FANS[0])[0] - asked
            assert answer.plain_text.startswith("Subscribed to The River Runs Test"), answer.plain_text
            assert waited < 5.0, f"the other fan's lookup took {waited:.1f} s"
            assert await help_from_other_fans(server) < PROMPT

            flood = [a.plain_text for a in await server.wait_sent(30, timeout=60, chat_id=FAN)]
            looked_up = [a for a in flood if "TVmaze knows none either" in a]
            refused = [a for a in flood if "wait" in a and "TVmaze" in a]
            assert len(looked_up) + len(refused) == 30, flood[-1]
            assert 0 < len(looked_up) <= PER_WINDOW and refused
            searches = [path for _, path in tvmaze.requests if "Nowhere" in path]
            assert len(searches) == 2 * len(looked_up)  # what TVmaze was asked: a show and a people search each
