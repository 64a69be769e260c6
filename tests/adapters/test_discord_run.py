"""`dramabot run` with a Discord token, as a user starts it: a subprocess talking to the fake Discord."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

from tests.adapters.test_telegram_roles_run import holders, stop_all, wait_holder
from tests.fakes.discord_api import FakeDiscord, Sent

FAN = 1001


async def start_run(server: FakeDiscord, tmp_path: Path, discord: str = "", *,
                    database: str = "bot.sqlite3") -> asyncio.subprocess.Process:
    """`dramabot run` on `database` (a SQLite file beside the config, or a postgresql:// URL), its [discord]
    section pointing at the fake (plus `discord` lines)."""
    config = tmp_path / "dramabot.toml"
    config.write_text(
        f'database = "{database}"\n[discord]\nrest_url = "{server.url}"\ngateway_url = "{server.gateway_url}"\n'
        f"{discord}[tvmaze]\nenabled = false\n",  # no network in tests
        encoding="utf-8",
    )
    env = {"DRAMABOT_DISCORD_TOKEN": server.token, "PATH": "/usr/bin:/bin"}
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--config", str(config), "--log-level", "DEBUG",
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env,
    )


async def first_answer(server: FakeDiscord, command: str, options: dict[str, str] | None = None, *,
                       seconds: float = 12.0, **where: int) -> Sent:
    """The answer to `command` once the bot has synced its commands, holds the shard of `where`'s guild and
    listens (it says it is starting up until then); a deferred answer's followup."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    guild = where.get("guild")
    while command not in server.commands.get(None, {}) or not any(
            s.shard[0] == server.shard_of(guild or 0, s.shard[1]) for s in server.live_sessions()):
        assert loop.time() < deadline, "the bot did not connect the shard and sync its commands in time"
        await asyncio.sleep(0.02)
    while True:
        call = await server.slash(command, options, user=FAN, **where)
        reply = await call.response(timeout=3)
        if reply.type == 5:
            reply = await call.followup(timeout=3)
        if "starting up" not in reply.content or loop.time() > deadline:
            return reply
        await asyncio.sleep(0.1)


async def stopped(process: asyncio.subprocess.Process) -> tuple[str, str]:
    """SIGTERM, then its output (stdout, stderr) once it exited."""
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
    out, err = await asyncio.wait_for(process.communicate(), 10)
    return out.decode(), err.decode()


async def test_dramabot_run_answers_a_slash_command_and_stops_cleanly_without_logging_the_token(tmp_path):
    async with FakeDiscord() as server:  # no servers: READY comes at once
        process = await start_run(server, tmp_path)
        try:
            reply = await first_answer(server, "subscribe", {"name": "The Interest of Love"})
            assert reply.ephemeral and "**The Interest of Love**" in reply.content
        finally:
            out, log = await stopped(process)
        assert process.returncode == 0, log[-2000:]
        assert "logged in as dramabot" in log and "Traceback" not in log
        assert server.token not in log and server.token not in out
        assert (tmp_path / "bot.sqlite3").exists()


async def test_dramabot_run_with_auto_shards_connects_each_shard_once_and_answers_on_both(tmp_path):
    async with FakeDiscord(shards=2) as server:
        guild = (3 << 22) | 1  # on shard 1 of 2
        server.add_guild(guild, "Drama Club", channels={guild + 1: "general"}, members=[FAN])
        process = await start_run(server, tmp_path, 'shards = "auto"\n')
        try:
            in_dm = await first_answer(server, "help")  # DMs come on shard 0
            in_server = await first_answer(server, "help", guild=guild)  # this server on shard 1
            assert in_dm.content.startswith("I remind you") and in_server.content.startswith("I remind you")
        finally:
            out, log = await stopped(process)
        assert process.returncode == 0, log[-2000:]
        assert server.requests["GET /gateway/bot"] == 1 and server.shard_conflicts == []
        assert server.identifies_by_shard == {(0, 2): 1, (1, 2): 1}
        assert "2 shard(s)" in log and "Traceback" not in log


async def test_two_runs_on_postgresql_connect_each_shard_once_and_a_killed_ones_shard_comes_back(tmp_path, postgres_url):
    async with FakeDiscord(shards=2) as server:
        guilds = [((2 * 7 + shard) << 22) | 1 for shard in (0, 1)]  # one server on each shard
        for guild in guilds:
            server.add_guild(guild, "Drama Club", channels={guild + 1: "general"}, members=[FAN])
        bots = [await start_run(server, tmp_path, "shards = 2\n", database=postgres_url) for _ in range(2)]
        try:
            first, _ = await wait_holder(postgres_url, "shard:discord:0", timeout=30)
            second, _ = await wait_holder(postgres_url, "shard:discord:1", other_than=first, timeout=30)
            for guild in guilds:
                reply = await first_answer(server, "help", guild=guild, seconds=20)
                assert reply.content.startswith("I remind you")
            assert sorted(s.shard for s in server.live_sessions()) == [(0, 2), (1, 2)] and server.shard_conflicts == []
            assert all(len(call.responses) == 1 for call in server.interactions.values())  # answered once each

            [killed] = [bot for bot in bots if bot.pid == second]
            [survivor] = [bot for bot in bots if bot.pid == first]
            killed.kill()  # SIGKILL: its leases expire by themselves
            taker, took = await wait_holder(postgres_url, "shard:discord:1", other_than=second, timeout=30)
            assert taker == first and took <= 15
            reply = await first_answer(server, "help", guild=guilds[1], seconds=10)
            assert reply.content.startswith("I remind you")
            assert server.identifies_by_shard[1, 2] >= 2 and server.shard_conflicts == []
            assert set((await holders(postgres_url)).values()) == {first}
        finally:
            logs = await stop_all(bots)
        assert "Traceback" not in logs[bots.index(survivor)]
