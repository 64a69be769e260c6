"""`dramabot run` with a Discord token, as a user starts it: a subprocess talking to the fake Discord."""

from __future__ import annotations

import asyncio
import signal
import sys

from tests.fakes.discord_api import FakeDiscord

FAN = 1001


async def test_dramabot_run_answers_a_slash_command_and_stops_cleanly_without_logging_the_token(tmp_path):
    async with FakeDiscord() as server:  # no servers: READY comes at once
        config = tmp_path / "dramabot.toml"
        config.write_text(
            f'database = "bot.sqlite3"\n[discord]\nrest_url = "{server.url}"\ngateway_url = "{server.gateway_url}"\n'
            "[tvmaze]\nenabled = false\n",  # no network in tests
            encoding="utf-8",
        )
        env = {"DRAMABOT_DISCORD_TOKEN": server.token, "PATH": "/usr/bin:/bin"}
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--config", str(config), "--log-level", "DEBUG",
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env,
        )
        try:
            for _ in range(200):
                if "subscribe" in server.commands.get(None, {}):
                    break
                await asyncio.sleep(0.02)
            for _ in range(100):  # commands are synced at connect; the bot listens once the rest has started
                call = await server.slash("subscribe", {"name": "The Interest of Love"}, user=FAN)
                reply = await call.response(timeout=3)
                if "starting up" not in reply.content:
                    break
                await asyncio.sleep(0.1)
            assert reply.ephemeral and "**The Interest of Love**" in reply.content
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
            out, err = await asyncio.wait_for(process.communicate(), 10)
        assert process.returncode == 0, err.decode()[-2000:]
        log = err.decode()
        assert "logged in as dramabot" in log and "Traceback" not in log
        assert server.token not in log and server.token not in out.decode()
        assert (tmp_path / "bot.sqlite3").exists()
