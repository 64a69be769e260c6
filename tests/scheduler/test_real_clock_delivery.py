"""The real-clock path (BotProcess with APScheduler) with slow, limited, hanging and failing
platforms: where the core used to stall, repeat or lose messages. Each test names the failure
it guards against."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from datetime import timedelta

from bot.domain.catalog import parse_catalog
from bot.domain.interfaces import DeliveryError, Limits, Rate, SystemClock, Unreachable
from scheduler.aps import JOB_ID

from .realclock import ledger_states, mock, reminders, seed, soon_catalog, start, wait_for

NOW = SystemClock().now


async def test_a_show_due_during_a_big_fan_out_is_reminded_at_once_and_the_scheduler_keeps_going(tmp_path):
    """Failure 1: the next wake-up was lost when a job fell due during a fan-out."""
    db = str(tmp_path / "bot.sqlite3")
    a_airs = NOW() + timedelta(seconds=1)
    catalog = soon_catalog(a=a_airs, b=a_airs + timedelta(seconds=1))
    await seed(db, "showa", (str(n) for n in range(600)))
    await seed(db, "showb", ["b-fan"])
    adapter = mock(latency=0.01, limits=Limits(in_flight=2))  # about 200 sends a second: 3 s for show A
    process = await start(db, catalog, {"telegram": adapter}, leads=["0m"])
    try:
        assert await wait_for(lambda: len(reminders(adapter, "b")) == 1, 10)
        [b] = reminders(adapter, "b")
        assert b.chat == "b-fan" and "starts now" in b.text
        assert (b.at - (a_airs + timedelta(seconds=1))).total_seconds() < 0.5  # not behind show A's 600
        assert len(reminders(adapter, "a")) < 600  # show A was still going out
        assert await wait_for(lambda: len(reminders(adapter, "a")) == 600, 10)
        assert sorted(s.chat for s in reminders(adapter, "a")) == sorted(str(n) for n in range(600))
        # a next wake-up is set: episode 2, a week on (or the plan's horizon before it)
        assert await wait_for(lambda: (process.driver.next_run_time() or NOW()) > NOW() + timedelta(days=3), 10)
    finally:
        await process.stop()
    assert ledger_states(db) == {"sent": 601}


async def test_more_than_five_hundred_retries_due_at_once_all_go_in_one_start(tmp_path):
    """Failures 1 and 3: retries were taken 500 at a time and the rest stalled for good."""
    db = str(tmp_path / "bot.sqlite3")
    airs = NOW() + timedelta(hours=2)
    catalog = soon_catalog(a=airs)
    chats = [str(n) for n in range(1200)]
    await seed(db, "showa", chats, leads="60")
    airing = parse_catalog(catalog).by_show["showa"][0]
    job = f"{airing.key}|60"
    with sqlite3.connect(db) as conn:  # a crash (or a 429 burst) left them all to retry now
        conn.executemany(
            "INSERT INTO deliveries (kind, job, platform, chat_id, expires_at, state, attempts, next_attempt_at) "
            "VALUES ('reminder', ?, 'telegram', ?, ?, 'failed', 1, ?)",
            [(job, c, int(airs.timestamp()), int(NOW().timestamp()) - 5) for c in chats],
        )
    adapter = mock()
    process = await start(db, catalog, {"telegram": adapter}, leads=["1h"])
    try:
        assert await wait_for(lambda: len(reminders(adapter)) == 1200, 10)
        assert all("starts in 2 hours" in s.text or "starts in 1 hour 59 minutes" in s.text for s in reminders(adapter))
        await process.core.idle()
    finally:
        await process.stop()
    assert ledger_states(db) == {"sent": 1200}


async def test_a_failed_run_is_tried_again_by_itself(tmp_path):
    """Failure 1: after a failed run (database locked) nothing was scheduled any more."""
    db = str(tmp_path / "bot.sqlite3")
    catalog = soon_catalog(a=NOW() + timedelta(seconds=0.5))
    await seed(db, "showa", ["1", "2"])
    adapter = mock()
    process = await start(db, catalog, {"telegram": adapter}, leads=["0m"])
    real_claim = process.core.store.claim
    failures = []

    async def locked_once(*args, **kwargs):
        if not failures:
            failures.append(1)
            raise sqlite3.OperationalError("database is locked")
        return await real_claim(*args, **kwargs)

    process.core.store.claim = locked_once  # type: ignore[method-assign]
    try:
        assert await wait_for(lambda: len(reminders(adapter)) == 2, 10)
        assert failures == [1]
        assert {s.chat for s in reminders(adapter)} == {"1", "2"}
    finally:
        await process.stop()


async def test_a_hanging_send_times_out_and_holds_up_nobody(tmp_path):
    """Failure 5: a send that never returned held every other show and the next wake-up."""
    db = str(tmp_path / "bot.sqlite3")
    due = NOW() + timedelta(seconds=0.5)
    catalog = soon_catalog(a=due + timedelta(minutes=1), b=due + timedelta(minutes=1))
    await seed(db, "showa", ["hangs", "a-fan"])
    await seed(db, "showb", ["b-fan"])
    adapter = mock(limits=Limits(in_flight=1))  # one send at a time: the hanging one blocks the worker
    adapter.hang.add("hangs")
    process = await start(db, catalog, {"telegram": adapter}, leads=["1m"], delivery={"send_timeout": 0.3})
    try:
        assert await wait_for(lambda: {s.chat for s in reminders(adapter)} == {"a-fan", "b-fan"}, 10)
        assert all((s.at - due).total_seconds() < 1.0 for s in reminders(adapter))
        await process.core.idle()
        states = await process.core.store.delivery_states()
        assert sorted(state for d, state in states.items() if d.chat_id == "hangs") == ["failed"]  # retried later
        assert await wait_for(lambda: process.driver.next_run_time() is not None, 10)
    finally:
        started = time.monotonic()
        await process.stop()
        assert time.monotonic() - started < 2


async def test_sends_that_raise_anything_at_all_are_failures_of_that_chat_only(tmp_path):
    """Failure 5: a CancelledError or another BaseException from a send took the fan-out down."""
    db = str(tmp_path / "bot.sqlite3")
    catalog = soon_catalog(a=NOW() + timedelta(minutes=1, seconds=0.3))
    await seed(db, "showa", ["cancelled", "exits", "bug", "fine"])
    adapter = mock()
    adapter.failures.update({"cancelled": asyncio.CancelledError(), "exits": SystemExit(3), "bug": KeyError("x")})
    process = await start(db, catalog, {"telegram": adapter}, leads=["1m"])
    try:
        assert await wait_for(lambda: [s.chat for s in reminders(adapter)] == ["fine"], 10)
        await process.core.idle()
        states = {d.chat_id: s for d, s in (await process.core.store.delivery_states()).items()}
        assert states == {"cancelled": "failed", "exits": "failed", "bug": "failed", "fine": "sent"}
        assert await wait_for(lambda: process.driver.next_run_time() is not None, 10)
    finally:
        await process.stop()


async def test_stop_is_bounded_while_a_send_hangs(tmp_path):
    """Failure 5: a hanging send blocked stop(), so SIGTERM could not end the bot."""
    db = str(tmp_path / "bot.sqlite3")
    catalog = soon_catalog(a=NOW() + timedelta(seconds=0.2))
    await seed(db, "showa", ["hangs"])
    adapter = mock()
    adapter.hang.add("hangs")
    process = await start(db, catalog, {"telegram": adapter}, leads=["0m"], delivery={"stop_grace": 0.5})
    assert await wait_for(lambda: any(w.sending_since for w in process.core.delivery.outboxes["telegram"]._workers), 10)
    started = time.monotonic()
    await process.stop()
    assert time.monotonic() - started < 1.5
    assert ledger_states(db) == {"claimed": 1}  # never confirmed: retried at the next start


async def test_a_message_reflects_the_chat_as_it_is_when_sent(tmp_path):
    """Failure 6: followers and zones were read once, when a long fan-out began."""
    db = str(tmp_path / "bot.sqlite3")
    catalog = soon_catalog(a=NOW() + timedelta(seconds=0.3))
    chats = [f"fan{n:03d}" for n in range(60)]
    await seed(db, "showa", chats, zone="UTC")
    adapter = mock(latency=0.02, limits=Limits(in_flight=1))  # 60 sends take over a second
    process = await start(db, catalog, {"telegram": adapter}, leads=["0m"])
    try:
        assert await wait_for(lambda: len(reminders(adapter)) >= 5, 10)
        await adapter.receive("fan058", "fan058", "/unsubscribe Show A")
        await adapter.receive("fan059", "fan059", "/timezone Asia/Seoul")
        assert await wait_for(lambda: process.core.delivery.outboxes["telegram"].queued == 0, 10)
        got = {s.chat: s.text for s in reminders(adapter)}
        assert "fan058" not in got and len(got) == 59
        assert "(Asia/Seoul)" in got["fan059"] and "(UTC)" in got["fan057"]
        await process.core.idle()
        states = {d.chat_id: s for d, s in (await process.core.store.delivery_states()).items()}
        assert states["fan058"] == "dropped"
    finally:
        await process.stop()


async def test_outcomes_that_could_not_be_written_are_written_once_the_store_works(tmp_path):
    """Failure 7: a database error on a confirmation left rows claimed until a restart."""
    db = str(tmp_path / "bot.sqlite3")
    catalog = soon_catalog(a=NOW() + timedelta(minutes=1, seconds=0.3))
    await seed(db, "showa", [str(n) for n in range(50)])
    adapter = mock()
    adapter.failures["13"] = DeliveryError("502 Bad Gateway")
    process = await start(db, catalog, {"telegram": adapter}, leads=["1m"])
    real = process.core.store.record_outcomes
    broken = {"left": 2}

    async def disk_full(*args, **kwargs):
        if broken["left"]:
            broken["left"] -= 1
            raise sqlite3.OperationalError("database or disk is full")
        return await real(*args, **kwargs)

    process.core.store.record_outcomes = disk_full  # type: ignore[method-assign]
    try:
        assert await wait_for(lambda: len(reminders(adapter)) == 49, 10)
        assert await wait_for(lambda: ledger_states(db) == {"sent": 49, "failed": 1}, 10)
        assert broken["left"] == 0
    finally:
        await process.stop()


async def test_paced_sends_keep_under_the_platforms_limit_and_replies_jump_the_queue(tmp_path):
    """Delivery at platform speed: the declared rate is used, the platform refuses nothing, and
    a person's reply does not wait behind a fan-out."""
    db = str(tmp_path / "bot.sqlite3")
    catalog = soon_catalog(a=NOW() + timedelta(seconds=0.2))
    await seed(db, "showa", [str(n) for n in range(60)])
    limits = Limits(overall=Rate(40), in_flight=8)
    adapter = mock(latency=0.02, limits=limits, enforce=Limits(overall=Rate(40)))
    process = await start(db, catalog, {"telegram": adapter}, leads=["0m"])
    try:
        assert await wait_for(lambda: len(reminders(adapter)) >= 10, 10)
        asked = NOW()
        reply = await adapter.receive("fan", "fan", "/help")
        assert reply is not None and (reply.at - asked).total_seconds() < 0.2
        assert await wait_for(lambda: len(reminders(adapter)) == 60, 10)
        sent = sorted(s.at for s in reminders(adapter))
        rate = (len(sent) - 1) / (sent[-1] - sent[0]).total_seconds()
        assert 0.85 * 40 <= rate <= 40
        assert adapter.refused == 0
    finally:
        await process.stop()


async def test_a_rate_limit_pauses_the_platform_and_nothing_is_lost_or_sent_twice(tmp_path):
    """A 429 with retry_after pauses the platform's outbox; nothing counts as sent before the
    platform accepted it."""
    db = str(tmp_path / "bot.sqlite3")
    catalog = soon_catalog(a=NOW() + timedelta(seconds=0.2))
    chats = [str(n) for n in range(40)]
    await seed(db, "showa", chats)
    adapter = mock(latency=0.005, limits=Limits(overall=Rate(200), in_flight=4), enforce=Limits(overall=Rate(20, 0.5)))
    process = await start(db, catalog, {"telegram": adapter}, leads=["0m"])
    try:
        assert await wait_for(lambda: len(reminders(adapter)) == 40, 10)
        assert adapter.refused > 0
        assert sorted(s.chat for s in reminders(adapter)) == sorted(chats)
        await process.core.idle()
    finally:
        await process.stop()
    assert ledger_states(db) == {"sent": 40}


async def test_confirmations_reach_the_ledger_every_quarter_second_of_sending(tmp_path):
    db = str(tmp_path / "bot.sqlite3")
    catalog = soon_catalog(a=NOW() + timedelta(seconds=0.2))
    await seed(db, "showa", [str(n) for n in range(100)])
    adapter = mock(latency=0.02, limits=Limits(in_flight=1))  # about 50 a second: 2 s in all
    process = await start(db, catalog, {"telegram": adapter}, leads=["0m"])
    try:
        assert await wait_for(lambda: len(reminders(adapter)) >= 40, 10)
        seen = len(reminders(adapter))
        await asyncio.sleep(0.35)
        assert ledger_states(db).get("sent", 0) >= seen  # what had left 0.35 s ago is confirmed
        assert ledger_states(db).get("sent", 0) < 100
    finally:
        await process.stop()


async def test_an_unreachable_chat_is_paused_and_skipped_by_later_fan_outs(tmp_path):
    db = str(tmp_path / "bot.sqlite3")
    airs = NOW() + timedelta(seconds=0.2)
    catalog = soon_catalog(a=airs, b=airs + timedelta(seconds=0.5))
    await seed(db, "showa", ["blocked", "ok"])
    await seed(db, "showb", ["blocked", "ok"])
    adapter = mock()
    adapter.failures["blocked"] = Unreachable("Forbidden: bot was blocked by the user")
    process = await start(db, catalog, {"telegram": adapter}, leads=["0m"])
    try:
        assert await wait_for(lambda: len(reminders(adapter, "b")) == 1, 10)
        assert [s.chat for s in reminders(adapter)] == ["ok", "ok"]
        await process.core.idle()
        states = {(d.job[:5], d.chat_id): s for d, s in (await process.core.store.delivery_states()).items()}
        assert states[("showa", "blocked")] == "dropped"
        assert ("showb", "blocked") not in states  # skipped: never claimed
        assert (await process.core.store.chat(platform="telegram", chat_id="blocked")).paused_reason.startswith("Forbidden")
    finally:
        await process.stop()


async def test_the_scheduler_holds_one_date_job_and_a_watchdog_whatever_the_audience(tmp_path):
    db = str(tmp_path / "bot.sqlite3")
    catalog = soon_catalog(a=NOW() + timedelta(hours=1))
    await seed(db, "showa", [str(n) for n in range(500)])
    process = await start(db, catalog, {"telegram": mock()}, leads=["30m"])
    try:
        jobs = process.driver.scheduler.get_jobs()
        assert len(jobs) == 2 and process.driver.scheduler.get_job(JOB_ID) is not None
    finally:
        await process.stop()
