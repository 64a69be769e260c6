"""The production driver: APScheduler's AsyncIOScheduler on the real clock, one derived job."""

import asyncio
from datetime import datetime, timedelta

from adapters.mock import MockAdapter
from bot.config import parse_config
from bot.domain.catalog import parse_catalog
from bot.domain.interfaces import SystemClock
from scheduler.aps import JOB_ID, WATCHDOG_ID, ApsDriver
from scheduler.jobs import HORIZON
from scheduler.process import BotProcess
from scheduler.tvmaze import JOB_ID as REFRESH_JOB_ID


def soon_catalog(start: datetime) -> dict:
    return {
        "shows": [{
            "title": "Right Now Show", "network": "KBS",
            "airings": [{"episode": 1, "at": start}, {"episode": 2, "at": start + timedelta(days=7)}],
        }],
    }


async def wait_for(predicate, seconds: float = 3.0) -> bool:
    deadline = asyncio.get_running_loop().time() + seconds
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True


async def test_reminder_fires_on_the_real_clock_through_one_scheduler_job(tmp_path):
    clock = SystemClock()
    airs = clock.now() + timedelta(seconds=2)  # room for 50 subscribes on a loaded machine before it fires
    adapter = MockAdapter("telegram", clock.now)
    process = await BotProcess.start(
        config=parse_config({"leads": ["0m"]}), catalog=parse_catalog(soon_catalog(airs)), clock=clock,
        adapters={"telegram": adapter}, db_path=str(tmp_path / "bot.sqlite3"),
    )
    try:
        assert isinstance(process.driver, ApsDriver)
        for chat in range(50):
            await adapter.receive(str(chat), str(chat), "/subscribe Right Now Show")
        await asyncio.sleep(0)  # let the change listener reschedule
        scheduler = process.driver.scheduler
        assert await wait_for(lambda: scheduler.get_job(JOB_ID) is not None)
        # not one per subscriber: the reminders, the watchdog, and the TVmaze refresh (one for all shows)
        assert sorted(job.id for job in scheduler.get_jobs()) == sorted([JOB_ID, WATCHDOG_ID, REFRESH_JOB_ID])
        assert abs((process.driver.next_run_time() - airs).total_seconds()) < 0.01

        assert await wait_for(lambda: len([s for s in adapter.outbox if s.kind == "reminder"]) == 50)
        reminders = [s for s in adapter.outbox if s.kind == "reminder"]
        assert {s.chat for s in reminders} == {str(c) for c in range(50)}
        assert all("<b>Right Now Show</b>, episode 1, starts now" in s.text for s in reminders)
        # the job set itself again: for episode 2, or earlier to extend the plan's horizon
        assert await wait_for(lambda: process.driver.next_run_time() is not None
                              and process.driver.next_run_time() > airs + HORIZON / 2 - timedelta(seconds=5))
    finally:
        await process.stop()


async def test_restart_rebuilds_the_job_from_the_database(tmp_path):
    clock = SystemClock()
    airs = clock.now() + timedelta(hours=2)
    db = str(tmp_path / "bot.sqlite3")
    catalog = parse_catalog(soon_catalog(airs))
    config = parse_config({"leads": ["1h"]})
    adapter = MockAdapter("telegram", clock.now)
    first = await BotProcess.start(config=config, catalog=catalog, clock=clock, adapters={"telegram": adapter}, db_path=db)
    await adapter.receive("1", "1", "/subscribe Right Now Show")
    await first.stop()

    second = await BotProcess.start(config=config, catalog=catalog, clock=clock, adapters={"telegram": adapter}, db_path=db)
    try:
        due = second.driver.next_run_time()
        assert due is not None and abs((due - (airs - timedelta(hours=1))).total_seconds()) < 0.01
    finally:
        await second.stop()


class SlowJobs:
    """Stands in for Jobs: a replan that takes a while and records whether it finished."""

    def __init__(self):
        self.listeners = []
        self.core = self
        self.finished = 0
        self.entered = asyncio.Event()

    def on_change(self, listener):
        self.listeners.append(listener)

    async def run_due(self):
        return 0

    async def next_due(self):
        self.entered.set()
        await asyncio.sleep(0.05)  # a fan-out writing its ledger
        self.finished += 1
        return None


async def test_stop_lets_a_replan_under_way_finish_instead_of_cancelling_it():
    jobs = SlowJobs()
    driver = ApsDriver(jobs)
    await driver.start()
    jobs.finished = 0
    jobs.entered.clear()
    for listener in jobs.listeners:
        listener()  # a subscription changed: a replan starts
    await jobs.entered.wait()
    for listener in jobs.listeners:
        listener()  # another change queues behind it
    await driver.stop()
    assert jobs.finished == 1  # the one under way completed; the queued one did not start
    for listener in jobs.listeners:
        listener()  # a change after stop plans nothing
    await asyncio.sleep(0.06)
    assert jobs.finished == 1
