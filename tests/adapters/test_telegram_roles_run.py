"""Several `dramabot run` processes on one PostgreSQL database and one fake Bot API act as one bot:
each command is answered once, a reminder fires once, one process polls getUpdates; when the
process holding the roles is killed, stopped or paused, another takes them over."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from datetime import UTC, datetime, timedelta

from bot.storage.postgres import PostgresStorage
from tests.adapters.telegram_process import ROOT, start_telegram_bot
from tests.fakes.feeds_server import FeedServer
from tests.fakes.telegram_api import FakeTelegram

CONFLICTS = 409
EARLY = timedelta(seconds=61)  # a 0m reminder's fan-out starts this long before air (pacing's deadline margin)


def write_catalog(tmp_path, airs: datetime) -> str:
    (tmp_path / "catalog.toml").write_text(
        f'[[shows]]\ntitle = "Shared Love"\nnetwork = "JTBC"\ntimezone = "Asia/Seoul"\n'
        f'airings = [{{episode = 1, at = {airs.isoformat()}}}, {{episode = 2, at = {(airs + timedelta(days=7)).isoformat()}}}]\n',
        encoding="utf-8",
    )
    return 'catalog = "catalog.toml"\ntimezone = "UTC"\nleads = ["0m"]\n'


async def start_bots(tmp_path, server: FakeTelegram, url: str, count: int, *, top: str = "",
                     sections: str = "[tvmaze]\nenabled = false\n") -> list[asyncio.subprocess.Process]:
    return [await start_telegram_bot(tmp_path, server, top=top, sections=sections, database=url, log_level="INFO")
            for _ in range(count)]


async def holders(url: str) -> dict[str, int]:
    """Each role held now, by the pid of its holder (`host:pid:random`)."""
    store = await PostgresStorage.open(url)
    try:
        rows = await store.leases()
    finally:
        await store.close()
    now = time.time()
    return {row.role: int(row.holder.split(":")[1]) for row in rows if row.expires_at > now}


async def wait_holder(url: str, role: str, *, other_than: int | None = None, timeout: float = 20.0) -> tuple[int, float]:
    """The pid that holds `role` (not `other_than`) once one does, and how long that took."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        pid = (await holders(url)).get(role)
        if pid is not None and pid != other_than:
            return pid, time.monotonic() - started
        await asyncio.sleep(0.2)
    raise AssertionError(f"nobody took {role} within {timeout} s: {await holders(url)}")


async def shared_out(url: str, timeout: float = 15.0) -> None:
    """Wait until the scheduler and Telegram's sending are held by different processes."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        held = await holders(url)
        if "scheduler" in held and "send:telegram" in held and held["scheduler"] != held["send:telegram"]:
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"the scheduler and sending stayed together: {await holders(url)}")


async def stop_all(bots: list[asyncio.subprocess.Process]) -> list[str]:
    for bot in bots:
        if bot.returncode is None:
            bot.send_signal(signal.SIGTERM)
    outs = await asyncio.gather(*(asyncio.wait_for(bot.communicate(), 30) for bot in bots))
    return [stderr.decode() for _, stderr in outs]


def conflicts(server: FakeTelegram) -> int:
    return sum(1 for method, status, _ in server.errors if method == "getUpdates" and status == CONFLICTS)


async def test_three_processes_answer_each_command_once_fire_a_reminder_once_and_one_polls(tmp_path, postgres_url):
    airs = (datetime.now(UTC) + timedelta(seconds=20)).replace(microsecond=0)
    top = write_catalog(tmp_path, airs)
    async with FakeTelegram() as server:
        bots = await start_bots(tmp_path, server, postgres_url, 3, top=top)
        try:
            await wait_holder(postgres_url, "receive:telegram")
            await shared_out(postgres_url)  # the subscriptions must reach the scheduler's plan from another process
            server.push_message(42, 42, "/subscribe Shared Love")
            server.push_message(43, 43, "/subscribe Shared Love")
            await server.wait_sent(2, timeout=10)
            status = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "status", "--db", postgres_url, stdout=asyncio.subprocess.PIPE,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
            )
            shown, _ = await asyncio.wait_for(status.communicate(), 20)
            await server.wait_sent(4, timeout=(airs - datetime.now(UTC)).total_seconds() + 15)
            await asyncio.sleep(2)  # a second reminder or answer would have come by now
        finally:
            logs = await stop_all(bots)
    lines = shown.decode().splitlines()
    held = {line.split()[0]: line.split()[1] for line in lines[2:]}
    assert {"scheduler", "send:telegram", "receive:telegram"} <= set(held) and held["send:telegram"] == held["receive:telegram"]
    assert sum(1 for line in lines if line.startswith("process")) == 3
    assert sorted((m.chat_id, m.plain_text[:16]) for m in server.sent) == [
        (42, "Subscribed to Sh"), (42, "⏰ Shared Love, e"), (43, "Subscribed to Sh"), (43, "⏰ Shared Love, e"),
    ], server.sent
    assert conflicts(server) == 0  # one process polled getUpdates all along
    assert sum(log.count("role receive:telegram gained") for log in logs) >= 1  # handed over as roles were shared out
    assert all(bot.returncode == 0 for bot in bots), logs


async def test_a_killed_holder_is_replaced_within_15_s_and_a_stopped_one_at_once(tmp_path, postgres_url):
    async with FakeTelegram() as server:
        bots = await start_bots(tmp_path, server, postgres_url, 2)
        by_pid = {bot.pid: bot for bot in bots}
        try:
            first, _ = await wait_holder(postgres_url, "receive:telegram")
            assert (await holders(postgres_url))["scheduler"] in by_pid
            by_pid[first].send_signal(signal.SIGKILL)
            second, took = await wait_holder(postgres_url, "receive:telegram", other_than=first)
            assert took <= 15 and (await wait_holder(postgres_url, "scheduler", other_than=first))[0] == second
            server.push_message(42, 42, "/help")
            [answer] = await server.wait_sent(1, timeout=10)
            assert answer.chat_id == 42

            bots += await start_bots(tmp_path, server, postgres_url, 1)
            await asyncio.sleep(3)  # it is up and has a seat
            by_pid[second].send_signal(signal.SIGTERM)  # hands its roles over, then stops
            _, handed = await wait_holder(postgres_url, "receive:telegram", other_than=second)
            assert handed <= 4
            await asyncio.wait_for(by_pid[second].wait(), 20)
            server.push_message(42, 42, "/help")
            await server.wait_sent(2, timeout=10)
            await asyncio.sleep(1)
        finally:
            logs = await stop_all(bots)
    assert len(server.sent) == 2  # each /help answered once
    assert "handed over (stopping)" in logs[bots.index(by_pid[second])] and by_pid[second].returncode == 0


async def test_a_paused_holder_drops_its_roles_when_it_resumes_and_does_not_poll_again(tmp_path, postgres_url):
    async with FakeTelegram() as server:
        bots = await start_bots(tmp_path, server, postgres_url, 2)
        by_pid = {bot.pid: bot for bot in bots}
        try:
            paused, _ = await wait_holder(postgres_url, "receive:telegram")
            by_pid[paused].send_signal(signal.SIGSTOP)
            other, _ = await wait_holder(postgres_url, "receive:telegram", other_than=paused)
            await asyncio.sleep(1)
            before = conflicts(server)
            by_pid[paused].send_signal(signal.SIGCONT)
            await asyncio.sleep(4)  # it resumes, finds its leases expired by its own clock, and drops them
            await wait_holder(postgres_url, "receive:telegram")  # (the roles may be shared out again meanwhile)
            server.push_message(42, 42, "/help")
            await server.wait_sent(1, timeout=10)
            await asyncio.sleep(1)
            after = conflicts(server)
        finally:
            logs = await stop_all(bots)
    paused_log = logs[[bot.pid for bot in bots].index(paused)]
    assert "role receive:telegram lost" in paused_log and "not renewed before its expiry" in paused_log
    assert len(server.sent) == 1
    assert after == before, server.errors  # the resumed process did not poll over the one that took over
    assert other in by_pid


async def test_a_feed_an_owner_adds_through_one_process_is_polled_by_the_scheduler_s_holder(tmp_path, postgres_url):
    feeds = await FeedServer().start()
    try:
        async with FakeTelegram() as server:
            bots = await start_bots(tmp_path, server, postgres_url, 2, top='owners = ["telegram:7"]\n',
                                    sections='[tvmaze]\nenabled = false\n[news]\nallow_hosts = ["127.0.0.1"]\n')
            try:
                await wait_holder(postgres_url, "receive:telegram")
                await shared_out(postgres_url)  # the command comes to one process, the feed is polled by the other
                server.push_message(7, 7, f"/feeds add {feeds.url('/wp/feed/')} Soompi")
                [answer] = await server.wait_sent(1, timeout=15)
                checked = len(feeds.requests)  # the receiving process fetched it once to check it
                await asyncio.sleep(4)
                polled = len(feeds.requests) - checked
            finally:
                await stop_all(bots)
    finally:
        await feeds.stop()
    assert answer.plain_text.startswith("Added the feed Soompi"), answer.plain_text
    assert polled >= 1  # its first poll, by the scheduler's holder


async def test_a_killed_scheduler_holder_is_replaced_and_the_reminder_still_comes_once(tmp_path, postgres_url):
    fires = (datetime.now(UTC) + timedelta(seconds=24)).replace(microsecond=0)  # after the takeover
    top = write_catalog(tmp_path, fires + EARLY)
    async with FakeTelegram() as server:
        bots = await start_bots(tmp_path, server, postgres_url, 2, top=top)
        by_pid = {bot.pid: bot for bot in bots}
        try:
            await wait_holder(postgres_url, "receive:telegram")
            await shared_out(postgres_url)
            server.push_message(42, 42, "/subscribe Shared Love")
            await server.wait_sent(1, timeout=10)
            scheduler = (await holders(postgres_url))["scheduler"]
            await asyncio.sleep(1.5)  # the subscription reached its plan
            by_pid[scheduler].send_signal(signal.SIGKILL)
            killed_at = asyncio.get_running_loop().time()
            _, took = await wait_holder(postgres_url, "scheduler", other_than=scheduler)
            [_, reminder] = await server.wait_sent(2, timeout=(fires - datetime.now(UTC)).total_seconds() + 15)
            await asyncio.sleep(2)
        finally:
            await stop_all(bots)
    assert took <= 15
    assert reminder.chat_id == 42 and reminder.plain_text.startswith("⏰ Shared Love, episode 1") and len(server.sent) == 2
    assert reminder.at > killed_at + took, (reminder.at - killed_at, took)  # sent by the process that took over
