"""Feed polling against a local fixture server: conditional GET, limits, failures, restarts."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from bot.config import FeedConfig, NewsConfig
from bot.domain.article import Article
from bot.domain.i18n import stored_text
from bot.storage import open_storage
from scheduler.feeds import USER_AGENT, FeedPoller, next_poll_at
from tests.fakes.feeds_server import FeedServer, Item

NOW = datetime(2022, 12, 23, 9, 0, tzinfo=timezone.utc)
INTERVAL = timedelta(minutes=15)
LOCAL = ("127.0.0.1",)  # the fixture server: feeds are fetched from public addresses only, unless allowed
SETTINGS = NewsConfig(poll_interval=INTERVAL, timeout=1.0, allow_hosts=LOCAL)


def _ts(instant: datetime) -> int:
    return int(instant.timestamp())


class Clock:
    def __init__(self) -> None:
        self.instant = NOW

    def now(self) -> datetime:
        return self.instant


def item(n: int, age: timedelta = timedelta(hours=1), **fields) -> Item:
    defaults = dict(
        title=f"&#8220;The Interest of Love&#8221; Episode {n} Recap",
        link=f"https://kdrama-news.example.test/2022/12/recap-{n}/",
        guid=f"https://kdrama-news.example.test/?p={n}",
        published=NOW - age,
        summary=f"Yoo Yeon Seok &amp; Moon Ga Young in episode {n}.",
        categories=("Drama", "Yoo Yeon Seok"),
    )
    return Item(**{**defaults, **fields})


@pytest.fixture
async def server():
    running = await FeedServer().start()
    yield running
    await running.stop()


class Bot:
    """A poller over a database file, with what it published."""

    def __init__(self, path, clock: Clock, settings: NewsConfig = SETTINGS, fail_ids: set[str] | None = None):
        self.path, self.clock, self.settings = path, clock, settings
        self.published: list[Article] = []
        self.fail_ids = fail_ids if fail_ids is not None else set()

    async def publish(self, article: Article) -> None:
        if article.id in self.fail_ids:
            self.fail_ids.discard(article.id)
            raise RuntimeError("delivery is down")
        self.published.append(article)

    async def __aenter__(self) -> Bot:
        self.store = await open_storage(self.path)
        self.poller = FeedPoller(self.store, self.publish, settings=self.settings, clock=self.clock, rand=lambda: 0.5)
        return self

    async def __aexit__(self, *exc) -> None:
        await self.poller.aclose()
        await self.store.close()

    async def poll(self, feed: FeedConfig) -> list[str]:
        """Poll once; the ids published by this poll."""
        before = len(self.published)
        await self.poller.poll(feed)
        return [a.id for a in self.published[before:]]


@pytest.fixture
def clock() -> Clock:
    return Clock()


def wp(server: FeedServer) -> FeedConfig:
    return FeedConfig("kdrama-news", server.url("/wp/feed/"))


# ---- delivery ---------------------------------------------------------------------------------


async def test_first_poll_records_then_only_new_entries_are_published_once(server, clock, tmp_path):
    server.wordpress = [item(2), item(1)]
    async with Bot(tmp_path / "db.sqlite3", clock) as bot:
        assert await bot.poll(wp(server)) == []
        server.wordpress.insert(0, item(3))
        assert await bot.poll(wp(server)) == ["https://kdrama-news.example.test/?p=3"]
        assert await bot.poll(wp(server)) == []
    assert server.requests[-1].headers["If-None-Match"].startswith('"')
    assert server.requests[-1].headers["If-Modified-Since"] == "Fri, 23 Dec 2022 00:00:00 GMT"
    assert all(r.headers["User-Agent"] == USER_AGENT for r in server.requests)
    assert USER_AGENT.startswith("dramabot/0.1 (+https://")


async def test_wordpress_entry_becomes_an_article_the_catalog_matches(server, clock, tmp_path):
    from tests.conftest import bundled_catalog

    async with Bot(tmp_path / "db.sqlite3", clock) as bot:
        await bot.poll(wp(server))
        server.wordpress = [item(7, content="<p>Full text with <b>Geum Sae Rok</b>.</p>")]
        await bot.poll(wp(server))
    [article] = bot.published
    assert article == Article(
        "kdrama-news", "https://kdrama-news.example.test/?p=7", "“The Interest of Love” Episode 7 Recap",
        "https://kdrama-news.example.test/2022/12/recap-7/", "Yoo Yeon Seok & Moon Ga Young in episode 7.",
        NOW - timedelta(hours=1),
    )
    found = {t.name for t in bundled_catalog().news.find(article.title, article.summary)}
    assert found == {"The Interest of Love", "Yoo Yeon Seok", "Moon Ga Young"}


async def test_atom_feed(server, clock, tmp_path):
    feed = FeedConfig("drama-wire", server.url("/atom.xml"))
    async with Bot(tmp_path / "db.sqlite3", clock) as bot:
        await bot.poll(feed)
        server.atom = [item(1, guid="tag:drama-wire.example.test,2022:1", title="Signal &amp; Noise")]
        assert await bot.poll(feed) == ["tag:drama-wire.example.test,2022:1"]
    assert bot.published[0].title == "Signal & Noise"
    assert bot.published[0].link == "https://kdrama-news.example.test/2022/12/recap-1/"


async def test_gzipped_feed_and_a_redirect(server, clock, tmp_path):
    async with Bot(tmp_path / "db.sqlite3", clock) as bot:
        for path in ("/gzip/feed/", "/moved"):
            feed = FeedConfig(path, server.url(path))
            server.wordpress = []
            await bot.poll(feed)
            server.wordpress = [item(len(path))]
            assert len(await bot.poll(feed)) == 1
    assert "gzip" in server.requests[0].headers["Accept-Encoding"]
    assert server.paths()[-2:] == ["/moved", "/wp/feed/"]


async def test_entries_older_than_max_age_are_not_published(server, clock, tmp_path):
    async with Bot(tmp_path / "db.sqlite3", clock) as bot:
        await bot.poll(wp(server))
        server.wordpress = [item(1, age=timedelta(days=3)), item(2, age=timedelta(days=1, hours=23))]
        assert await bot.poll(wp(server)) == ["https://kdrama-news.example.test/?p=2"]


async def test_the_same_link_from_another_feed_is_the_same_article(server, clock, tmp_path):
    atom = FeedConfig("drama-wire", server.url("/atom.xml"))
    async with Bot(tmp_path / "db.sqlite3", clock) as bot:
        await bot.poll(wp(server))
        await bot.poll(atom)
        server.wordpress = [item(5)]
        server.atom = [item(5, guid="tag:wire,2022:5", link="http://www.kdrama-news.example.test/2022/12/recap-5")]
        assert len(await bot.poll(wp(server))) == 1
        assert await bot.poll(atom) == []


async def test_an_entry_listed_twice_is_published_once(server, clock, tmp_path):
    async with Bot(tmp_path / "db.sqlite3", clock) as bot:
        await bot.poll(wp(server))
        server.wordpress = [item(4), item(4)]
        assert len(await bot.poll(wp(server))) == 1


async def test_an_entry_that_fails_to_publish_comes_back_at_the_next_poll(server, clock, tmp_path):
    async with Bot(tmp_path / "db.sqlite3", clock, fail_ids={"https://kdrama-news.example.test/?p=2"}) as bot:
        await bot.poll(wp(server))
        server.wordpress = [item(2), item(1)]
        assert await bot.poll(wp(server)) == ["https://kdrama-news.example.test/?p=1"]
        assert await bot.poll(wp(server)) == ["https://kdrama-news.example.test/?p=2"]
        assert await bot.poll(wp(server)) == []
    assert "If-None-Match" not in server.requests[2].headers  # the whole document again


# ---- restarts ---------------------------------------------------------------------------------


async def test_state_survives_a_restart_and_nothing_is_redelivered(server, clock, tmp_path):
    db = tmp_path / "db.sqlite3"
    server.wordpress = [item(1)]
    async with Bot(db, clock) as bot:
        await bot.poll(wp(server))
        server.wordpress.insert(0, item(2))
        assert len(await bot.poll(wp(server))) == 1
    clock.instant += timedelta(minutes=15)
    async with Bot(db, clock) as bot:
        assert await bot.poller.due_at(wp(server)) == NOW + INTERVAL
        assert await bot.poll(wp(server)) == []
        assert server.requests[-1].headers.get("If-None-Match")
    server.mode = "noetag"  # the server ignores validators: the seen ids still hold
    async with Bot(db, clock) as bot:
        server.wordpress.insert(0, item(3))
        assert await bot.poll(wp(server)) == ["https://kdrama-news.example.test/?p=3"]


async def test_a_feed_whose_url_changes_drops_its_validators(server, clock, tmp_path):
    async with Bot(tmp_path / "db.sqlite3", clock) as bot:
        await bot.poll(wp(server))
        server.wordpress = [item(1)]
        assert await bot.poll(FeedConfig("kdrama-news", server.url("/gzip/feed/"))) == [item(1).guid]
    assert "If-None-Match" not in server.requests[-1].headers


async def test_a_feed_added_later_publishes_nothing_on_its_first_poll(server, clock, tmp_path):
    db = tmp_path / "db.sqlite3"
    async with Bot(db, clock) as bot:
        await bot.poll(wp(server))
    server.atom = [item(1, guid="tag:wire,2022:1")]
    async with Bot(db, clock) as bot:
        assert await bot.poll(FeedConfig("drama-wire", server.url("/atom.xml"))) == []


# ---- failures ---------------------------------------------------------------------------------

FAILURES = [
    ("slow", "timed out after 1 s"),
    ("500", "HTTP 500"),
    ("truncated", "malformed or truncated XML"),
    ("html", "not an RSS or Atom feed"),
    ("loop", "more than 5 redirects"),
    ("huge", "response passed the 5000000-byte limit; abandoned unparsed"),
    ("declared", "response of 6000000 bytes is over the 5000000-byte limit; not read"),
]


@pytest.mark.parametrize("mode, reason", FAILURES, ids=[m for m, _ in FAILURES])
async def test_a_failing_fetch_is_logged_and_loses_or_repeats_nothing(server, clock, tmp_path, caplog, mode, reason):
    server.wordpress = [item(1)]
    async with Bot(tmp_path / "db.sqlite3", clock) as bot:
        await bot.poll(wp(server))
        server.wordpress.insert(0, item(2))
        server.mode = mode
        with caplog.at_level(logging.WARNING, logger="scheduler.feeds"):
            due = await bot.poller.poll(wp(server))
        assert bot.published == []
        assert due == NOW + 2 * INTERVAL
        [record] = caplog.records
        assert record.getMessage().startswith(f"feed kdrama-news ({server.url('/wp/feed/')}) failed: {reason}")
        server.mode = "ok"
        assert await bot.poll(wp(server)) == ["https://kdrama-news.example.test/?p=2"]
        assert await bot.poll(wp(server)) == []


async def test_a_feed_that_keeps_failing_turns_unhealthy_backs_off_and_recovers(server, clock, tmp_path, caplog):
    async with Bot(tmp_path / "db.sqlite3", clock) as bot:
        server.mode = "500"
        delays = []
        with caplog.at_level(logging.DEBUG, logger="scheduler.feeds"):
            for _ in range(6):
                delays.append(await bot.poller.poll(wp(server)) - NOW)
            state = await bot.store.feed_state("kdrama-news")
            assert state is not None
            server.mode = "ok"
            await bot.poll(wp(server))
        assert delays == [timedelta(minutes=m) for m in (30, 60, 120, 240, 360, 360)]
        assert (state.healthy, state.failures) == (False, 6) and state.last_error is not None
        assert stored_text("en", state.last_error, prefix="feed-error-") == "HTTP 500"  # as /feeds shows it
        recovered = await bot.store.feed_state("kdrama-news")
        assert recovered is not None and recovered == replace(
            state, etag=recovered.etag, last_modified="Fri, 23 Dec 2022 00:00:00 GMT", healthy=True, failures=0,
            last_error=None, next_poll_at=_ts(NOW + INTERVAL), baseline_at=_ts(NOW),
        )
    logged = [(r.levelname, r.getMessage()) for r in caplog.records if r.levelno > logging.DEBUG]
    feed = f"feed kdrama-news ({server.url('/wp/feed/')})"
    expected = [
        ("WARNING", f"{feed} failed: HTTP 500; next try in 30m"),
        ("WARNING", f"{feed} is unhealthy after 3 failed polls in a row: HTTP 500; polled less often, next in 2h00m"),
        ("INFO", f"{feed} is healthy again after 6 failed polls"),
        ("INFO", f"{feed}: first poll, 0 entries recorded, none delivered"),
    ]
    assert logged == expected


async def test_unreachable_host_is_a_failure(clock, tmp_path, caplog):
    async with Bot(tmp_path / "db.sqlite3", clock) as bot:
        with caplog.at_level(logging.WARNING, logger="scheduler.feeds"):
            await bot.poller.poll(FeedConfig("gone", "http://127.0.0.1:9/feed"))
    assert "feed gone (http://127.0.0.1:9/feed) failed: unreachable: ConnectError" in caplog.text


# ---- next poll instant ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "failures, rand, retry_after, delay",
    [
        (0, 0.5, None, timedelta(minutes=15)),
        (0, 0.0, None, timedelta(minutes=13, seconds=30)),
        (0, 1.0, None, timedelta(minutes=16, seconds=30)),
        (1, 0.5, None, timedelta(minutes=30)),
        (4, 0.5, None, timedelta(hours=4)),
        (5, 0.5, None, timedelta(hours=6)),
        (10_000, 0.5, None, timedelta(hours=6)),
        (1, 0.5, timedelta(hours=2), timedelta(hours=2)),
        (1, 0.5, timedelta(days=3), timedelta(hours=6)),
    ],
)
def test_next_poll_instant(failures, rand, retry_after, delay):
    assert next_poll_at(NOW, INTERVAL, failures, rand=rand, retry_after=retry_after) == NOW + delay


def test_an_interval_longer_than_the_backoff_cap_is_kept():
    assert next_poll_at(NOW, timedelta(hours=8), 3) == NOW + timedelta(hours=8)
