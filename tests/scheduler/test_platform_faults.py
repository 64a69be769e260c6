"""The real-clock path (BotProcess with APScheduler) when the platform misbehaves in ways seen
from outside: one chat asked to wait a long time, every answer slow, the disk full. Each test
names what users saw before."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.interfaces import Limits, Rate, RateLimited, SystemClock

from .realclock import ledger_states, mock, reminders, seed, soon_catalog, start, wait_for

NOW = SystemClock().now


class Failures(dict):
    """A mock's `failures` that notes which chats a send was tried for."""

    def __init__(self, **failures: BaseException):
        super().__init__(failures)
        self.tried: set[str] = set()

    def get(self, key, default=None):
        self.tried.add(key)
        return super().get(key, default)


async def test_one_private_chat_asked_to_wait_100_s_holds_up_neither_the_others_nor_replies(tmp_path):
    """Seen: retry_after=100 on one private chat during a fan-out stopped every send, replies
    included, for 100 s (/help answered after 83 s, reminders dropped as too late)."""
    db = str(tmp_path / "bot.sqlite3")
    airs = NOW() + timedelta(minutes=1, seconds=0.3)
    chats = [f"fan{n:03d}" for n in range(150)]
    await seed(db, "showa", chats)
    adapter = mock(latency=0.01, limits=Limits(overall=Rate(100), per_chat=Rate(1), in_flight=8))
    # Telegram reports a 429 in a private chat as the bot's own (platform) limit
    adapter.failures = Failures(fan050=RateLimited(100, reason="Too Many Requests: retry after 100"))
    process = await start(db, soon_catalog(a=airs), {"telegram": adapter}, leads=["1m"])
    try:
        assert await wait_for(lambda: "fan050" in adapter.failures.tried, 10)  # refused: wait 100 s
        asked = NOW()
        reply = await adapter.receive("someone", "someone", "/help")
        assert reply is not None and (reply.at - asked).total_seconds() < 6
        assert await wait_for(lambda: len(reminders(adapter)) == 149, 15), len(reminders(adapter))
        assert "fan050" not in {s.chat for s in reminders(adapter)}
    finally:
        await process.stop()
    assert ledger_states(db) == {"sent": 149, "claimed": 1}  # fan050 waits its 100 s: retried at the next start


async def test_a_platform_answering_in_a_second_still_gets_its_full_rate(tmp_path):
    """Seen: at 2 s per sendMessage the outbox sent about 8/s (its in-flight count over the answer
    time) while the plan assumed 29/s, and 461 of 1,000 reminders were dropped as too late."""
    db = str(tmp_path / "bot.sqlite3")
    chats = [f"fan{n:03d}" for n in range(200)]
    await seed(db, "showa", chats)
    limits = Limits(overall=Rate(40), in_flight=4, max_in_flight=64)
    adapter = mock(latency=1.0, limits=limits, enforce=Limits(overall=Rate(40)))
    process = await start(db, soon_catalog(a=NOW() + timedelta(minutes=1, seconds=0.3)), {"telegram": adapter}, leads=["1m"])
    try:
        assert await wait_for(lambda: len(reminders(adapter)) == 200, 20), len(reminders(adapter))
        sent = sorted(s.at for s in reminders(adapter))
        took = (sent[-1] - sent[0]).total_seconds()
        assert took < 10, took  # 200 at 40/s take 5 s; 4 in flight at 1 s each took 50 s
        assert adapter.refused == 0
        await process.core.idle()
    finally:
        await process.stop()
    assert ledger_states(db) == {"sent": 200}


async def test_a_platform_slower_than_any_in_flight_count_allows_is_planned_at_the_rate_it_gets(tmp_path, caplog):
    """The deadline plan of the next reminder job uses the rate achieved, not the declared one."""
    db = str(tmp_path / "bot.sqlite3")
    await seed(db, "showa", [f"a{n:03d}" for n in range(200)])
    await seed(db, "showb", [f"b{n:04d}" for n in range(3000)])
    airs = NOW() + timedelta(minutes=1, seconds=0.3)
    catalog = soon_catalog(a=airs, b=airs + timedelta(hours=2))
    # at most 8 in flight, each answered after 0.5 s: 16/s, not the declared 40/s
    adapter = mock(latency=0.5, limits=Limits(overall=Rate(40), in_flight=4, max_in_flight=8))
    process = await start(db, catalog, {"telegram": adapter}, leads=["1m"])
    try:
        [b1, _] = process.core.catalog.by_show["showb"]
        due = b1.start - timedelta(minutes=1)
        # the last message leaves a minute before air: 3,000 at the declared 40/s start 75 s early
        assert due - await process.core.reminders.fanout_plan_start(b1, due) == timedelta(seconds=75)
        assert await wait_for(lambda: 12 < (process.core.delivery.rates()["telegram"] or 0) < 18, 20), process.core.delivery.rates()
        assert await wait_for(lambda: any("delivers at" in r.getMessage() and r.levelname == "WARNING"
                                          for r in caplog.records), 5)
        start_at = await process.core.reminders.fanout_plan_start(b1, due)
        assert timedelta(seconds=150) < due - start_at < timedelta(seconds=250)  # 3,000 at 16/s: 188 s early
    finally:
        await process.stop()
