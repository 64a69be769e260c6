"""The TVmaze refresh as a job on the bot's APScheduler, on the real clock, against the fake."""

from datetime import timedelta

from adapters.mock import MockAdapter
from bot.config import parse_config
from bot.domain.catalog import Catalog
from bot.domain.interfaces import SystemClock
from scheduler.aps import ApsDriver
from scheduler.process import BotProcess
from scheduler.tvmaze import JOB_ID
from tests.scheduler.realclock import wait_for


async def test_the_scheduler_job_refreshes_followed_shows_and_the_alerts_go_out(tmp_path, fake_tvmaze):
    clock = SystemClock()
    adapter = MockAdapter("telegram", clock.now)
    config = parse_config({"tvmaze": {"base_url": fake_tvmaze.url, "refresh": "1m"}})
    process = await BotProcess.start(config=config, catalog=Catalog({}, {}), clock=clock, adapters={"telegram": adapter},
                                     db_path=str(tmp_path / "bot.sqlite3"))
    try:
        assert isinstance(process.driver, ApsDriver)
        reply = await adapter.receive("100", "100", "/subscribe The River Runs Test")
        assert reply is not None and reply.text.startswith("Subscribed to <b>The River Runs Test</b>")
        assert process.core.catalog.target("show", "tvmaze:7001") is not None
        fake_tvmaze.episodes(7001)[5]["airstamp"] = "2027-01-22T13:30:00+00:00"  # episode 6, from Thu 21 Jan
        await process.core.store.schedule_refresh(kind="show", key="tvmaze:7001", at=int(clock.now().timestamp()))
        job = process.driver.scheduler.get_job(JOB_ID)
        assert job is not None and job.trigger.interval == timedelta(minutes=1)
        job.modify(next_run_time=clock.now())  # as if the minute had passed
        assert await wait_for(lambda: any(s.kind == "notice" for s in adapter.outbox), 5)
        [notice] = [s for s in adapter.outbox if s.kind == "notice"]
        assert "episode 6 now airs Fri 13:30 (UTC), 22 Jan 2027 instead of Thu 13:30 (UTC), 21 Jan 2027" in notice.text
        assert any(path.startswith("/shows/7001?") and "episodes" in path for _, path in fake_tvmaze.requests[-1:])  # read again, episodes embedded
    finally:
        await process.stop()
