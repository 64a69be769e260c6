"""`dramabot run` with a Telegram token and a self-hosted Bot API URL, as a user starts it."""

from __future__ import annotations

import asyncio
import signal

from tests.adapters.telegram_process import start_telegram_bot
from tests.fakes.telegram_api import FakeTelegram


async def test_dramabot_run_answers_on_telegram_and_logs_no_token_at_debug(tmp_path):
    async with FakeTelegram() as server:
        bot = await start_telegram_bot(tmp_path, server, log_level="DEBUG")
        try:
            await server.wait_requests("getUpdates", timeout=15)
            server.push_message(42, 42, "/subscribe The Interest of Love")
            [answer] = await server.wait_sent(1, timeout=5)
            assert answer.chat_id == 42 and answer.plain_text.startswith("Subscribed to The Interest of Love")
        finally:
            bot.send_signal(signal.SIGTERM)
            stdout, stderr = await asyncio.wait_for(bot.communicate(), 15)
        assert bot.returncode == 0, stderr.decode()
        assert stdout == b""  # no console adapter: Telegram is configured
        log = stderr.decode()
        assert "getUpdates" in log and "DEBUG" in log
        assert server.token.split(":", 1)[1] not in log
