"""An operator's view of a running bot on the real clock: /livez and /readyz for the supervisor
(503, saying what, while a platform is disconnected), /metrics for dashboards (what was sent, by
platform, kind and outcome, and no chat id anywhere)."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import aiohttp
import pytest

from bot.domain.interfaces import Limits, Rate, RateLimited, SystemClock, Unreachable
from tests.scheduler.realclock import mock, reminders, seed, soon_catalog, start, wait_for
from tests.web.helpers import free_port, get

NOW = SystemClock().now


async def metrics_of(port: int) -> dict[str, str]:
    """/metrics read as a dashboard would: sample (with its labels) -> value."""
    text = (await get(f"http://127.0.0.1:{port}/metrics"))[2].decode()
    return dict(re.findall(r"^(dramabot_\w+(?:\{[^}]*\})?) (\S+)$", text, re.M))
FANS = ["777000111", "777000222", "777000333"]


async def test_readyz_turns_503_while_a_platform_is_disconnected_and_200_again(tmp_path):
    port = free_port()
    telegram, discord = mock("telegram"), mock("discord")
    process = await start(str(tmp_path / "bot.sqlite3"), soon_catalog(), {"telegram": telegram, "discord": discord},
                          web={"listen": f"127.0.0.1:{port}"})
    base = f"http://127.0.0.1:{port}"
    try:
        assert (await get(f"{base}/livez"))[0] == 200
        status, _, body = await get(f"{base}/readyz")
        assert (status, json.loads(body)) == (200, {"ready": True})
        telegram.connected = False  # the connection to Telegram is lost
        status, headers, body = await get(f"{base}/readyz")
        assert status == 503 and headers["Content-Type"].startswith("application/json")
        assert json.loads(body) == {"ready": False, "not_ready": {"telegram": "not connected"}}
        assert (await get(f"{base}/livez"))[0] == 200  # alive all the same: no restart needed for a reconnect
        telegram.connected = True
        assert (await get(f"{base}/readyz"))[0] == 200
    finally:
        await process.stop()
    with pytest.raises(aiohttp.ClientConnectionError):
        await get(f"{base}/livez")  # the server stopped with the bot


async def test_metrics_count_what_was_sent_by_platform_kind_and_outcome_without_a_chat_id(tmp_path):
    db, port = str(tmp_path / "bot.sqlite3"), free_port()
    await seed(db, "showa", FANS)
    adapter = mock("telegram")
    adapter.failures[FANS[2]] = Unreachable("the fan blocked the bot")
    adapter.failures[FANS[1]] = RateLimited(0.2, scope="chat")
    process = await start(db, soon_catalog(a=NOW() + timedelta(seconds=1)), {"telegram": adapter}, leads=["0m"],
                          web={"listen": f"127.0.0.1:{port}"})
    try:
        stats = process.core.delivery.outboxes["telegram"].stats
        assert await wait_for(lambda: len(reminders(adapter)) == 1 and stats.rate_limited >= 1, 15)
        del adapter.failures[FANS[1]]  # Telegram takes it after the wait it asked for
        assert await wait_for(lambda: len(reminders(adapter)) == 2, 15)
        status, headers, body = await get(f"http://127.0.0.1:{port}/metrics")
        text = body.decode()
        assert status == 200 and headers["Content-Type"].startswith("text/plain; version=0.0.4")
        samples = dict(re.findall(r"^(dramabot_\w+(?:\{[^}]*\})?) (\S+)$", text, re.M))
        assert samples['dramabot_messages_total{kind="reminder",outcome="sent",platform="telegram"}'] == "2.0"
        assert samples['dramabot_messages_total{kind="reminder",outcome="unreachable",platform="telegram"}'] == "1.0"
        assert float(samples['dramabot_rate_limited_total{platform="telegram"}']) >= 1
        assert samples['dramabot_queue_depth{platform="telegram"}'] == "0.0"
        assert samples['dramabot_sent_last_hour{platform="telegram"}'] == "2.0"
        assert abs(float(samples["dramabot_process_start_time_seconds"]) - NOW().timestamp()) < 60
        assert 0 <= float(samples["dramabot_fanout_lag_seconds"]) < 5  # queued within seconds of its due instant
        assert not any(fan in text for fan in FANS)  # no label holds a chat id
    finally:
        await process.stop()


async def test_metrics_show_the_queue_and_how_long_its_oldest_job_has_waited_during_a_slow_fan_out(tmp_path):
    db, port = str(tmp_path / "bot.sqlite3"), free_port()
    fans = [str(800_000_000 + n) for n in range(100)]
    await seed(db, "showa", fans)
    adapter = mock("telegram", limits=Limits(overall=Rate(20)))  # 100 fans at 20/s: five seconds of queue
    process = await start(db, soon_catalog(a=NOW() + timedelta(seconds=1)), {"telegram": adapter}, leads=["0m"],
                          web={"listen": f"127.0.0.1:{port}"})
    try:
        assert await wait_for(lambda: len(reminders(adapter)) >= 30, 15)
        samples = await metrics_of(port)
        assert float(samples['dramabot_queue_depth{platform="telegram"}']) > 0
        assert float(samples['dramabot_oldest_queued_seconds{platform="telegram"}']) >= 1.0  # 30 sent at 20/s: 1.5 s in
        assert await wait_for(lambda: len(reminders(adapter)) == 100, 20)
        await process.core.idle()
        samples = await metrics_of(port)
        assert samples['dramabot_oldest_queued_seconds{platform="telegram"}'] == "0.0"
        assert samples['dramabot_queue_depth{platform="telegram"}'] == "0.0"
    finally:
        await process.stop()
