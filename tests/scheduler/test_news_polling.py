"""Feed polling on the real clock: one interval job per feed on the bot's one APScheduler,
started after the scheduler and stopped before it; slow feeds hold nobody; restarts; and
`dramabot run` polling a configured feed in a real process."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import parse_config
from bot.domain.i18n import stored_text
from bot.domain.interfaces import SystemClock
from scheduler.aps import ApsDriver
from scheduler.feeds import FeedPoller
from scheduler.news import NewsPolling, job_ids
from scheduler.process import BotProcess
from tests.conftest import bundled_catalog
from tests.fakes.feeds_server import FeedServer, Item

from .realclock import mock, seed, wait_for

ROOT = Path(__file__).resolve().parents[2]
LOCAL = ["127.0.0.1"]  # the fixture feed server: feeds are fetched from public addresses only, unless allowed


def item(n: int, about: str = "The Interest of Love") -> Item:
    return Item(
        title=f"{about} episode {n} recap", link=f"https://kdrama-news.example.test/recap-{n}/",
        guid=f"https://kdrama-news.example.test/?p={n}", published=datetime.now(UTC) - timedelta(minutes=5),
        summary=f"Episode {n}.",
    )


@pytest.fixture
def server(feed_server: FeedServer) -> FeedServer:
    return feed_server


async def start(db: str, adapters: dict, **config) -> BotProcess:
    return await BotProcess.start(
        config=parse_config(config), catalog=bundled_catalog(), clock=SystemClock(), adapters=adapters, db_path=db
    )


def polling_every(process: BotProcess, interval: timedelta) -> NewsPolling:
    """Feed polling on the process's scheduler with a test interval (the config allows 1m at least)."""
    driver, core = process.driver, process.core
    assert isinstance(driver, ApsDriver)
    poller = FeedPoller(core.store, core.news.publish_article, settings=core.config.news, clock=core.clock)
    return NewsPolling(core, poller, scheduler=driver.scheduler, interval=interval)


def news(adapter) -> list:
    return [s for s in adapter.outbox if s.kind == "news"]


async def test_one_interval_job_per_feed_on_the_bots_scheduler(server, tmp_path):
    feeds = [{"name": "wp", "url": server.url("/wp/feed/")}, {"name": "wire", "url": server.url("/atom.xml")}]
    telegram = mock()
    process = await start(str(tmp_path / "db.sqlite3"), {"telegram": telegram}, owners=["telegram:9"], news={"feeds": feeds, "allow_hosts": LOCAL})
    try:
        driver = process.driver
        assert isinstance(driver, ApsDriver) and process.news is not None
        aps = driver.scheduler
        assert process.news.scheduler is aps and aps is not None  # the reminders' one scheduler
        assert job_ids(aps) == ["feed:wire", "feed:wp"]
        trigger = aps.get_job("feed:wp").trigger
        assert trigger.interval == timedelta(minutes=15) and trigger.jitter == 60  # 10% of 15m, at most a minute
        assert await wait_for(lambda: {"/wp/feed/", "/atom.xml"} <= set(server.paths()), 5)  # polled once at start
        await asyncio.sleep(0.2)
        assert len(server.requests) == 2
        # an owner adds a feed: its job is added at once and polls at once
        await telegram.receive("9", "9", f"/feeds add {server.url('/gzip/feed/')} zipped")
        assert job_ids(aps) == ["feed:wire", "feed:wp", "feed:zipped"]
        assert await wait_for(lambda: server.paths().count("/gzip/feed/") == 2, 5)  # the check, then the first poll
        await telegram.receive("9", "9", "/feeds remove zipped")
        assert job_ids(aps) == ["feed:wire", "feed:wp"]
        assert "added" not in telegram.outbox[-1].text and "Removed the feed" in telegram.outbox[-1].text
    finally:
        await process.stop()
    assert job_ids(aps) == [] and not aps.running


async def test_polls_repeat_at_every_interval_and_deliver_new_entries(server, tmp_path):
    db = str(tmp_path / "db.sqlite3")
    await seed(db, "interestoflove", ["1"])
    server.wordpress = [item(1)]
    telegram = mock()
    process = await start(db, {"telegram": telegram}, news={"timeout": 1, "allow_hosts": LOCAL})
    polling = polling_every(process, timedelta(seconds=0.25))
    try:
        assert polling.jitter == timedelta(seconds=0.025)
        polling.watch(parse_config({"news": {"feeds": [server.url("/wp/feed/")]}}).news.feeds[0])
        assert await wait_for(lambda: polling.polls >= 2, 5)
        assert news(telegram) == []  # the first poll only recorded item 1
        server.wordpress.insert(0, item(2))
        assert await wait_for(lambda: len(news(telegram)) == 1, 5)
        assert "episode 2 recap" in news(telegram)[0].text
        polls = polling.polls
        await asyncio.sleep(1.0)
        assert 2 <= polling.polls - polls <= 6  # every 0.25 s, give or take the jitter and the fetch
        assert len(news(telegram)) == 1
    finally:
        await polling.stop()
        await process.stop()


async def test_a_hanging_feed_holds_neither_the_others_nor_its_own_next_polls(server, tmp_path):
    server.mode = "slow"  # /wp/feed/ answers after 30 s; the fetch gives up after 1 s
    telegram = mock()
    process = await start(str(tmp_path / "db.sqlite3"), {"telegram": telegram}, news={"timeout": 1, "allow_hosts": LOCAL}, owners=["telegram:9"])
    polling = polling_every(process, timedelta(seconds=0.2))
    core = process.core
    try:
        for name, path in (("slow", "/wp/feed/"), ("wire", "/atom.xml")):
            polling.watch(parse_config({"news": {"feeds": [{"name": name, "url": server.url(path)}]}}).news.feeds[0])
        await asyncio.sleep(0.9)
        assert server.paths().count("/wp/feed/") == 1  # still under way: its next polls are skipped
        assert server.paths().count("/atom.xml") >= 3
        await asyncio.sleep(0.5)  # past its 1 s timeout
        state = await core.store.feed_state("slow")
        assert state is not None and state.failures == 1 and state.last_error is not None
        assert stored_text("en", state.last_error, prefix="feed-error-") == "timed out after 1 s"
    finally:
        started = asyncio.get_running_loop().time()
        await polling.stop(grace=0.2)
        await process.stop()
        assert asyncio.get_running_loop().time() - started < 3


async def test_restart_between_two_polls_redelivers_nothing(server, tmp_path):
    db = str(tmp_path / "db.sqlite3")
    await seed(db, "interestoflove", ["1"])
    server.wordpress = [item(1)]
    feeds = {"feeds": [{"name": "wp", "url": server.url("/wp/feed/")}], "allow_hosts": LOCAL}
    first = mock()
    process = await start(db, {"telegram": first}, news=feeds)
    assert await wait_for(lambda: _baseline(db, "wp"), 5)
    await process.stop()
    server.wordpress.insert(0, item(2))  # appears while the bot is stopped
    second = mock()
    process = await start(db, {"telegram": second}, news=feeds)
    try:
        assert await wait_for(lambda: len(news(second)) == 1, 5)  # the poll at start finds it
    finally:
        await process.stop()
    third = mock()
    process = await start(db, {"telegram": third}, news=feeds)
    try:
        assert await wait_for(lambda: server.paths().count("/wp/feed/") == 3, 5)
        await asyncio.sleep(0.3)
        assert news(first) == [] and news(third) == []
    finally:
        await process.stop()


def _baseline(db: str, feed: str) -> bool:
    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT baseline_at FROM feed_state WHERE feed = ?", (feed,)).fetchone()
    return row is not None and row[0] is not None


async def _run_bot(config: Path, db: Path, lines: list[str], until, seconds: float = 20.0) -> str:
    """`dramabot run` with the console adapter: type `lines`, wait for `until(stdout so far)`,
    then end standard input (Ctrl-D); returns what it printed."""
    bot = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--config", str(config), "--db", str(db), "--log-level", "INFO",
        cwd=ROOT, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    assert bot.stdin is not None and bot.stdout is not None
    out: list[str] = []

    async def read() -> None:
        assert bot.stdout is not None
        while line := await bot.stdout.readline():
            out.append(line.decode())

    reader = asyncio.create_task(read())
    try:
        for line in lines:
            bot.stdin.write(line.encode() + b"\n")
        await bot.stdin.drain()
        assert await wait_for(lambda: until("".join(out)), seconds), "".join(out)
        bot.stdin.close()
        await asyncio.wait_for(bot.wait(), 15)
    finally:
        if bot.returncode is None:
            bot.kill()
            await bot.wait()
        await reader
    assert bot.returncode == 0, (await bot.stderr.read()).decode() if bot.stderr else ""
    return "".join(out)


async def test_dramabot_run_polls_the_configured_feed_and_posts_matches(server, tmp_path):
    config = tmp_path / "dramabot.toml"
    config.write_text(
        f'owners = ["console:console"]\n[news]\nallow_hosts = ["127.0.0.1"]\nfeeds = [{{name = "kdrama-news", url = "{server.url("/wp/feed/")}"}}]\n'
    )
    db = tmp_path / "bot.sqlite3"
    server.wordpress = [item(1)]
    first = await _run_bot(config, db, ["/subscribe The Interest of Love"],
                           lambda out: "Subscribed to" in out and _baseline(str(db), "kdrama-news"))
    assert "[news]" not in first
    server.wordpress.insert(0, item(2))
    second = await _run_bot(config, db, [], lambda out: "[news]" in out)
    [post] = [line for line in second.splitlines() if line.startswith("[news]")]
    assert post.startswith("[news] 📰 The Interest of Love episode 2 recap <https://kdrama-news.example.test/recap-2/>")
    third = await _run_bot(config, db, ["/feeds"], lambda out: "News feeds (1)" in out)
    assert "[news]" not in third
    assert "kdrama-news (config) " in third and ": healthy; last new article 'The Interest of Love episode 2 recap'" in third
