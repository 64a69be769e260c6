"""`dramabot run` as an operator starts it, with `[web] listen` and Telegram through the fake Bot
API: a fan asks /calendar and the link the bot answers with serves the fan's feed; the token
appears in no log line."""

from __future__ import annotations

import asyncio
import signal

from tests.adapters.telegram_process import start_telegram_bot
from tests.fakes.telegram_api import FakeTelegram
from tests.web.helpers import events_of, free_port, get, link_in


async def test_a_fan_asks_for_the_calendar_and_the_link_serves_the_feed(tmp_path):
    port = free_port()
    async with FakeTelegram() as server:
        bot = await start_telegram_bot(tmp_path, server, log_level="DEBUG", sections=(
            f'[tvmaze]\nenabled = false\n[web]\nlisten = "127.0.0.1:{port}"\npublic_url = "http://127.0.0.1:{port}/"\n'
        ))
        try:
            await server.wait_requests("getUpdates", timeout=15)
            server.push_message(42, 42, "/subscribe The Interest of Love")
            await server.wait_sent(1, timeout=10)
            server.push_message(42, 42, "/calendar")
            [_, answer] = await server.wait_sent(2, timeout=10)
            assert answer.chat_id == 42 and answer.plain_text.startswith("Your personal calendar link:")
            url = link_in(answer.plain_text)
            assert url.startswith(f"http://127.0.0.1:{port}/cal/")
            status, headers, body = await get(url)
            assert status == 200 and headers["Content-Type"] == "text/calendar; charset=utf-8"
            uids = set(events_of(body))
            assert uids <= {f"interestoflove#{n}@dramabot" for n in range(1, 17)}  # its episodes, whatever today is
            assert (await get(f"http://127.0.0.1:{port}/readyz"))[0] == 200
        finally:
            bot.send_signal(signal.SIGTERM)
            stdout, stderr = await asyncio.wait_for(bot.communicate(), 15)
        assert bot.returncode == 0, stderr.decode()
        token = url.rsplit("/", 1)[1].removesuffix(".ics")
        log = stderr.decode()
        assert token not in log and "/cal/<hidden>.ics" in log  # never logged, even where DEBUG logs the reply sent
        assert (tmp_path / "bot.sqlite3.calendar-key").stat().st_mode & 0o077 == 0  # the key is its owner's only


async def test_on_postgresql_calendars_need_a_key_file_named_in_the_config_and_use_it(tmp_path, postgres_url):
    """No database file to keep the key beside, and several processes must share one key: without
    `[web] calendar_key_file` start-up stops with one line; with it, the key is made there."""
    port = free_port()
    web = f'[tvmaze]\nenabled = false\n[web]\nlisten = "127.0.0.1:{port}"\n'
    async with FakeTelegram() as server:
        refused = await start_telegram_bot(tmp_path, server, database=postgres_url, sections=web)
        _, stderr = await asyncio.wait_for(refused.communicate(), 30)
        assert refused.returncode == 2
        assert stderr.decode().count("\n") == 1 and stderr.decode().startswith("dramabot: [web] calendar_key_file must name")
        bot = await start_telegram_bot(tmp_path, server, database=postgres_url, sections=web + 'calendar_key_file = "cal.key"\n')
        try:
            await server.wait_requests("getUpdates", timeout=30)
            server.push_message(42, 42, "/calendar")
            [answer] = await server.wait_sent(1, timeout=10)
            status, _, _ = await get(link_in(answer.plain_text))
            assert status == 200
        finally:
            bot.send_signal(signal.SIGTERM)
            _, stderr = await asyncio.wait_for(bot.communicate(), 15)
        assert bot.returncode == 0, stderr.decode()
        assert (tmp_path / "cal.key").stat().st_mode & 0o077 == 0  # beside the config file, its owner's only
