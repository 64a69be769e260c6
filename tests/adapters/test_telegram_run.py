"""`dramabot run` with a Telegram token and a self-hosted Bot API URL, as a user starts it."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.fakes.telegram_api import FakeTelegram

ROOT = Path(__file__).resolve().parents[2]


async def test_dramabot_run_answers_on_telegram_and_logs_no_token_at_debug(tmp_path):
    async with FakeTelegram() as server:
        config = tmp_path / "dramabot.toml"
        config.write_text(
            f'database = "bot.sqlite3"\n[telegram]\nbase_url = "{server.base_url}"\nchat_messages_per_second = 100\n'
            "[tvmaze]\nenabled = false\n",  # no network in tests
            encoding="utf-8",
        )
        env = {**os.environ, "DRAMABOT_TELEGRAM_TOKEN": server.token, "PYTHONPATH": str(ROOT)}
        bot = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--config", str(config), "--log-level", "DEBUG",
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env,
        )
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
