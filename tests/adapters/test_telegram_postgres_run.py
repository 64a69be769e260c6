"""`dramabot run` on a PostgreSQL database, on the real clock, against the fake Bot API: a fan
subscribes and the reminder arrives; a restart keeps the subscription."""

from __future__ import annotations

import asyncio
import signal
from datetime import UTC, datetime, timedelta

from tests.adapters.telegram_process import start_telegram_bot
from tests.fakes.telegram_api import FakeTelegram

AIRS_IN = timedelta(seconds=25)  # time enough to start and subscribe; the reminder is the air-time one (0m)


async def stop(bot: asyncio.subprocess.Process) -> str:
    bot.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.wait_for(bot.communicate(), 20)
    assert bot.returncode == 0, stderr.decode()
    return stderr.decode()


async def test_a_fan_subscribes_on_postgresql_gets_the_reminder_and_a_restart_keeps_the_subscription(tmp_path, postgres_url):
    airs = (datetime.now(UTC) + AIRS_IN).replace(microsecond=0)
    (tmp_path / "catalog.toml").write_text(
        f'[[shows]]\ntitle = "Postgres Love"\nnetwork = "JTBC"\ntimezone = "Asia/Seoul"\n'
        f'airings = [{{episode = 1, at = {airs.isoformat()}}}, {{episode = 2, at = {(airs + timedelta(days=7)).isoformat()}}}]\n',
        encoding="utf-8",
    )
    top = 'catalog = "catalog.toml"\ntimezone = "UTC"\nleads = ["0m"]\n'
    async with FakeTelegram() as server:
        bot = await start_telegram_bot(tmp_path, server, top=top, database=postgres_url, log_level="INFO")
        try:
            await server.wait_requests("getUpdates", timeout=30)
            server.push_message(42, 42, "/subscribe Postgres Love")
            [answer] = await server.wait_sent(1, timeout=10)
            assert answer.plain_text.startswith("Subscribed to Postgres Love")
            wait = (airs - datetime.now(UTC)).total_seconds() + 15
            [_, reminder] = await server.wait_sent(2, timeout=wait)
            assert reminder.chat_id == 42 and reminder.plain_text.startswith("⏰ Postgres Love, episode 1")
        finally:
            log = await stop(bot)
        assert "database PostgreSQL database" in log and "@" not in log.split("database PostgreSQL database", 1)[1].split("\n", 1)[0]

        again = await start_telegram_bot(tmp_path, server, top=top, database=postgres_url)
        try:
            await server.wait_requests("getUpdates", timeout=30)
            server.push_message(42, 42, "/subscriptions")
            [*_, listed] = await server.wait_sent(3, timeout=10)
            assert listed.chat_id == 42 and "Postgres Love" in listed.plain_text
        finally:
            await stop(again)
        assert len([m for m in server.sent if "Postgres Love" in m.plain_text and m is not answer]) == 2  # one reminder, one list
