"""Three `dramabot run` processes on one PostgreSQL database against the fake Bot API with
Telegram's 30/s enforced (issue 17): one reminder fan-out reaches every chat once at the bot-wide
pace with no 429; when the process sending dies (SIGKILL) the others finish the fan-out and only
its last unconfirmed sends repeat; when it stops (SIGTERM) nothing repeats. Slow (real processes,
real clock): about a minute each."""

from __future__ import annotations

import asyncio
import signal

from tests.adapters.shared_processes import Group, kill, reminders, store_fans
from tests.fakes.telegram_api import FakeTelegram, FloodLimits

START_UP = 12.0  # seconds for three processes to start and share their roles before the reminder is due


async def everyone_reached(server: FakeTelegram, chats: list[int], timeout: float) -> None:
    await server.wait_until(lambda: set(reminders(server)) >= set(chats), timeout, "every chat's reminder")


async def test_three_processes_send_one_fan_out_to_every_chat_once_without_a_429(tmp_path, postgres_url):
    chats = await store_fans(postgres_url, 1000)
    async with FakeTelegram() as server:
        server.flood = FloodLimits(per_second=30)
        group = Group(server, tmp_path, postgres_url)
        try:
            await group.start(3, due_in=START_UP)
            await everyone_reached(server, chats, timeout=START_UP + 1000 / 30 + 30)
            await asyncio.sleep(1.0)
        finally:
            await group.stop()
        got = reminders(server)
        assert set(got) == set(chats) and max(got.values()) == 1  # every chat once
        assert server.count_429 == 0
        assert all(p.returncode == 0 for p in group.processes), group.logs()[-3000:]
        assert "queued for the process sending telegram" in group.logs()  # the scheduler's process is not the sender
        times = [m.at for m in server.sent if "Shared Love" in m.plain_text]
        assert (max(times) - min(times)) * 30 >= 999 * 0.95  # never faster than the bot-wide cap allows


async def _interrupted_fan_out(tmp_path, postgres_url, how: signal.Signals) -> tuple[list[int], FakeTelegram, Group, int]:
    chats = await store_fans(postgres_url, 600)
    server = FakeTelegram()
    await server.start()
    server.flood = FloodLimits(per_second=30)
    group = Group(server, tmp_path, postgres_url)
    await group.start(3, due_in=START_UP)
    await server.wait_until(lambda: len(reminders(server)) >= 150, START_UP + 30, "the fan-out under way")
    victim = await group.sender()
    kill(victim, how)
    at_kill = sum(reminders(server).values())
    await everyone_reached(server, chats, timeout=600 / 30 + 60)
    await asyncio.sleep(1.0)
    return chats, server, group, at_kill


async def test_the_others_finish_a_fan_out_whose_sender_was_killed_and_repeat_only_its_last_sends(tmp_path, postgres_url):
    chats, server, group, _ = await _interrupted_fan_out(tmp_path, postgres_url, signal.SIGKILL)
    try:
        got = reminders(server)
        assert set(got) == set(chats)  # nobody lost
        twice = [chat for chat, n in got.items() if n > 1]
        assert max(got.values()) <= 2 and len(twice) <= 30 * 0.25 + 16  # its last quarter second and those in flight
        assert server.count_429 == 0
        assert "queued again" in group.logs()  # the new sender took back what the dead one had taken
    finally:
        await group.stop()
        await server.stop()


async def test_a_sender_stopped_mid_fan_out_hands_over_and_nothing_is_repeated(tmp_path, postgres_url):
    chats, server, group, _ = await _interrupted_fan_out(tmp_path, postgres_url, signal.SIGTERM)
    try:
        got = reminders(server)
        assert set(got) == set(chats) and max(got.values()) == 1
        assert server.count_429 == 0
        assert "handed back to the queue" in group.logs()
    finally:
        await group.stop()
        await server.stop()
