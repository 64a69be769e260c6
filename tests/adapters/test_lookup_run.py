"""`dramabot run` as a user starts it, on the real clock, against the fake Telegram and the fake
TVmaze: the show a fan names is the show they get, whatever another fan imported before, and
what a fan types is never echoed with characters that flip or hide text."""

from __future__ import annotations

import asyncio
import signal
import unicodedata

from tests.adapters.telegram_process import start_telegram_bot
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.tvmaze_api import FakeTvmaze
from tests.stories.test_lookup_order import add_river_shows

FIRST, SECOND, THIRD = 41, 42, 43


async def test_dramabot_run_gives_each_fan_the_show_they_named(tmp_path):
    async with FakeTelegram() as server, FakeTvmaze() as tvmaze:
        add_river_shows(tvmaze)
        bot = await start_telegram_bot(tmp_path, server, sections=f'[tvmaze]\nbase_url = "{tvmaze.url}"\n')

        async def says(chat: int, text: str) -> str:
            before = len(server.sent_to(chat))
            server.push_message(chat, chat, text)
            sent = await server.wait_sent(before + 1, timeout=15, chat_id=chat)
            return sent[before].plain_text

        try:
            await server.wait_requests("getUpdates", timeout=30)
            assert (await says(FIRST, "/subscribe River Lantern")).startswith("Subscribed to River Lantern:")
            assert (await says(SECOND, "/subscribe River Lanterns")).startswith("Subscribed to River Lanterns:")
            offer = await says(THIRD, "/subscribe River")
            assert offer.startswith('"River" could be several shows or people; pick one:\n• River Lantern: /subscribe River Lantern\n')
            assert "• River Lanterns: /subscribe River Lanterns\n" in offer  # imported by the second fan
            assert "• The River Runs Test (JTBC, KR, 2027): /subscribe tvmaze:7001" in offer
            assert (await says(THIRD, "/subscribe tvmaze:7001")).startswith("Subscribed to The River Runs Test:")
            unknown = await says(THIRD, "/unsubscribe Nothing\u202eKnown")
            assert '"NothingKnown"' in unknown
            assert [c for c in unknown if unicodedata.category(c) in ("Cc", "Cf") and c != "\n"] == []
        finally:
            bot.send_signal(signal.SIGTERM)
            _, stderr = await asyncio.wait_for(bot.communicate(), 30)
        assert bot.returncode == 0, stderr.decode()
