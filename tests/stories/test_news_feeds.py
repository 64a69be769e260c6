"""Feeds polled on the bot's clock, owners managing them at run time, and restarts between polls.

The bot runs on the virtual clock (a poll every 15 virtual minutes) against the fixture feed
server on 127.0.0.1."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from tests.conftest import at
from tests.fakes.feeds_server import FeedServer, Item

START = at("2022-12-23T09:00:00Z")
OWNER = "telegram:9"
LOCAL = {"allow_hosts": ["127.0.0.1"]}  # the fixture feed server: feeds come from public addresses only, unless allowed


def item(n: int, about: str = "The Interest of Love", minutes: int = 0) -> Item:
    return Item(
        title=f"&#8220;{about}&#8221; episode {n} recap",
        link=f"https://kdrama-news.example.test/2022/12/recap-{n}/",
        guid=f"https://kdrama-news.example.test/?p={n}",
        published=START + timedelta(minutes=minutes) - timedelta(hours=1),
        summary=f"Episode {n}.",
    )


@pytest.fixture
def server(feed_server: FeedServer) -> FeedServer:
    return feed_server


def configured(server: FeedServer) -> dict:
    return {"feeds": [{"name": "kdrama-news", "url": server.url("/wp/feed/")}], **LOCAL}


def polls(server: FeedServer, path: str = "/wp/feed/") -> int:
    return server.paths().count(path)


async def test_configured_feed_is_polled_at_start_and_every_interval_and_news_reaches_followers(make_story, server):
    server.wordpress = [item(1)]
    story = await make_story(start=START.isoformat(), poll_feeds=True, news=configured(server))
    assert polls(server) == 1  # at start: recorded, not delivered
    fan = story.chat("telegram", "1")
    await fan.say("/subscribe The Interest of Love")
    server.wordpress.insert(0, item(2, minutes=10))
    await story.advance(START + timedelta(minutes=14))
    assert polls(server) == 1 and fan.received("news") == []
    await story.advance(START + timedelta(minutes=15))
    assert polls(server) == 2
    [news] = fan.received("news")
    assert news.at == START + timedelta(minutes=15)
    assert news.text.endswith("\nFrom kdrama-news · You follow: The Interest of Love")
    assert "episode 2 recap" in news.text
    await story.advance(START + timedelta(hours=2))
    assert polls(server) == 9 and len(fan.received("news")) == 1


async def test_stop_between_two_polls_then_start_redelivers_nothing(make_story, server, tmp_path):
    db = str(tmp_path / "restart.sqlite3")
    server.wordpress = [item(1)]
    story = await make_story(start=START.isoformat(), poll_feeds=True, news=configured(server), db=db)
    fan = story.chat("telegram", "1")
    await fan.say("/subscribe The Interest of Love")
    server.wordpress.insert(0, item(2, minutes=5))
    await story.advance(START + timedelta(minutes=15))
    assert len(fan.received("news")) == 1
    await story.advance(START + timedelta(minutes=20))
    await story.stop()  # between two polls
    await story.advance(START + timedelta(minutes=25))
    await story.start()  # polls at start: the same document, nothing new
    assert polls(server) == 3
    await story.advance(START + timedelta(minutes=50))
    assert len(fan.received("news")) == 1
    # an entry that appeared while the bot was stopped still arrives once
    await story.stop()
    server.wordpress.insert(0, item(3, minutes=55))
    await story.advance(START + timedelta(minutes=60))
    await story.start()
    assert [n.text.count("episode 3 recap") for n in fan.received("news")] == [0, 1]
    await story.stop()
    await story.start()
    assert len(fan.received("news")) == 2


async def test_owner_adds_a_feed_that_delivers_nothing_on_its_first_poll(make_story, server):
    server.atom = [item(1, "Queen of Tears"), item(2, "Queen of Tears")]
    story = await make_story(start=START.isoformat(), poll_feeds=True, owners=[OWNER], news=LOCAL)
    owner = story.chat("telegram", "9")
    fan = story.chat("discord", "1")
    await fan.say("/subscribe Queen of Tears")
    assert await owner.say("/feeds") == (
        "No news feeds are polled. Add one with /feeds add &lt;url&gt; [name], or list them in the config's [news] feeds."
    )
    url = server.url("/atom.xml")
    reply = await owner.say(f"/feeds add {url} Drama Wire")
    assert reply == (
        f"Added the feed <b>Drama Wire</b> ({url}). It lists 2 entries now: those are recorded, not sent. "
        "From its next new entry on, articles go to the chats that follow what they name. /feeds remove Drama Wire stops it."
    )
    assert polls(server, "/atom.xml") == 1  # the check
    await story.advance(story.now)  # the virtual driver's next round: the feed's first poll
    assert polls(server, "/atom.xml") == 2
    assert fan.received("news") == []
    server.atom.insert(0, item(3, "Queen of Tears", minutes=3))
    await story.advance(START + timedelta(minutes=15))
    [news] = fan.received("news")
    assert "Queen of Tears" in news.text and news.text.endswith("From Drama Wire · You follow: Queen of Tears")
    listing = await owner.say("/feeds")
    assert listing.split("\n") == [
        "News feeds (1), each polled every 15 minutes:",
        f"• <b>Drama Wire</b> (added) {url}: healthy; last new article '“Queen of Tears” episode 3 recap', now",
    ]
    # it is polled after a restart too (it lives in the database)
    await story.stop()
    await story.start()
    assert polls(server, "/atom.xml") == 4
    assert len(fan.received("news")) == 1


async def test_added_feed_first_poll_after_a_restart_delivers_nothing_either(make_story, server):
    """Added, then the bot stops before the feed's first poll: the next process's first poll of
    it still only records what it lists, and what comes after that is delivered."""
    server.wordpress = [item(1)]
    story = await make_story(start=START.isoformat(), poll_feeds=True, owners=[OWNER], news=LOCAL)
    owner = story.chat("telegram", "9")
    fan = story.chat("telegram", "1")
    await fan.say("/subscribe The Interest of Love")
    await owner.say(f"/feeds add {server.url('/wp/feed/')}")
    await story.stop()  # before its first poll
    server.wordpress.insert(0, item(2, minutes=1))
    await story.advance(START + timedelta(minutes=2))
    await story.start()
    assert polls(server) == 2  # the check, and the first poll at start
    assert fan.received("news") == []
    server.wordpress.insert(0, item(3, minutes=5))
    await story.advance(START + timedelta(minutes=17))
    [news] = fan.received("news")
    assert "episode 3 recap" in news.text and news.text.endswith("From 127.0.0.1 · You follow: The Interest of Love")


async def test_feeds_are_for_owners_only(make_story, server):
    story = await make_story(start=START.isoformat(), poll_feeds=True, owners=[OWNER], news=configured(server))
    admin = story.chat("telegram", "-100", user="5", admin=True)  # a group admin, not an owner
    refusal = "Only the bot's owners can use /feeds: it changes what every chat gets. Nothing was changed."
    for line in ("/feeds", "/feeds list", f"/feeds add {server.url('/atom.xml')}", "/feeds remove kdrama-news"):
        assert await admin.say(line) == refusal
        assert await story.chat("discord", "7").say(line) == refusal
    assert polls(server, "/atom.xml") == 0
    owner_in_group = story.chat("telegram", "-100", user="9")
    assert (await owner_in_group.say("/feeds")).startswith("News feeds (1)")


async def test_owner_is_told_what_is_wrong_and_nothing_changes(make_story, server):
    story = await make_story(start=START.isoformat(), poll_feeds=True, owners=[OWNER], news=configured(server))
    owner = story.chat("telegram", "9")
    server.mode = "html"
    html = await owner.say(f"/feeds add {server.url('/wp/feed/?page=2')} other")
    assert html.startswith(f"{server.url('/wp/feed/?page=2')} is not a feed I can read: not an RSS or Atom feed")
    assert html.endswith(". Nothing was added.")
    server.mode = "ok"
    assert await owner.say("/feeds add ftp://x.test/feed") == (
        "'ftp://x.test/feed' is not a web address; a feed URL starts with https:// or http://."
    )
    assert await owner.say("/feeds add") == "Usage: /feeds add &lt;url&gt; [name]."
    assert await owner.say(f"/feeds add {server.url('/atom.xml')} kdrama-news") == (
        "There is already a feed named 'kdrama-news'; give this one another name."
    )
    assert await owner.say(f"/feeds add {server.url('/wp/feed/')} again") == "That URL is already polled as 'kdrama-news'."
    assert await owner.say(f"/feeds add {server.url('/atom.xml')} a|b") == "The feed name 'a|b' must not contain '|'."
    assert await owner.say("/feeds remove kdrama-news") == (
        "'kdrama-news' comes from the config file (&lt;memory&gt;); it cannot be removed at run time. "
        "Remove it from [news] feeds there and restart."
    )
    assert await owner.say("/feeds remove nothing") == "There is no feed named 'nothing'. /feeds lists them."
    assert await owner.say("/feeds remove") == "Usage: /feeds remove &lt;name&gt;."
    assert (await owner.say("/feeds")).split("\n")[0] == "News feeds (1), each polled every 15 minutes:"


async def test_owner_removes_an_added_feed_and_it_is_polled_no_more(make_story, server):
    server.atom = [item(1, "Queen of Tears")]
    story = await make_story(start=START.isoformat(), poll_feeds=True, owners=[OWNER], news=LOCAL)
    owner = story.chat("telegram", "9")
    await owner.say(f"/feeds add {server.url('/atom.xml')} wire")
    assert await owner.say("/feeds remove Wire") == f"Removed the feed <b>wire</b> ({server.url('/atom.xml')}); it is no longer polled."
    before = polls(server, "/atom.xml")
    await story.advance(START + timedelta(hours=1))
    await story.stop()
    await story.start()
    assert polls(server, "/atom.xml") == before
    # added again, it starts afresh: its first poll records, delivers nothing
    fan = story.chat("telegram", "1")
    await fan.say("/subscribe Queen of Tears")
    server.atom.insert(0, item(2, "Queen of Tears", minutes=60))
    await owner.say(f"/feeds add {server.url('/atom.xml')} wire")
    assert fan.received("news") == []


async def test_a_failing_feed_turns_unhealthy_is_polled_less_often_and_the_others_go_on(make_story, server, caplog):
    server.wordpress = [item(1)]
    server.atom = [item(10, "Queen of Tears")]
    feeds = {"feeds": [{"name": "kdrama-news", "url": server.url("/wp/feed/")}, {"name": "wire", "url": server.url("/atom.xml")}], **LOCAL}
    story = await make_story(start=START.isoformat(), poll_feeds=True, owners=[OWNER], news=feeds)
    assert story.sim.process is not None and story.sim.process.news is not None
    story.sim.process.news.poller.rand = lambda: 0.5  # backoff without spread: the third failure falls inside the two hours
    owner = story.chat("telegram", "9")
    fan = story.chat("telegram", "1")
    await fan.say("/subscribe Queen of Tears")
    server.mode = "500"
    caplog.set_level(logging.INFO, logger="scheduler.feeds")
    await story.advance(START + timedelta(hours=2))
    # 15m, then backing off: 30m, 1h (unhealthy after 3 failures), ...
    assert polls(server) <= 5
    assert polls(server, "/atom.xml") == 9
    listing = await owner.say("/feeds")
    assert "<b>kdrama-news</b> (config) " in listing
    assert "UNHEALTHY: 3 failed polls in a row (HTTP 500); polled less often" in listing
    assert "<b>wire</b> (config)" in listing and ": healthy; no new article yet" in listing
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 2  # started failing, turned unhealthy: once per state change
    assert all("kdrama-news" in w and server.url("/wp/feed/") in w for w in warnings)
    # the healthy feed still delivers
    server.atom.insert(0, item(11, "Queen of Tears", minutes=120))
    await story.advance(START + timedelta(hours=2, minutes=15))
    assert len(fan.received("news")) == 1
    # recovery is logged and shown
    server.mode = "ok"
    await story.advance(START + timedelta(hours=8))
    assert "kdrama-news (" in caplog.text and "is healthy again after" in caplog.text
    assert "<b>kdrama-news</b> (config) " in (listing := await owner.say("/feeds")) and "UNHEALTHY" not in listing


async def test_an_article_whose_publishing_failed_reaches_its_followers_at_the_next_poll(make_story, server):
    server.wordpress = [item(1)]
    story = await make_story(start=START.isoformat(), poll_feeds=True, news=configured(server))
    fan = story.chat("telegram", "1")
    await fan.say("/subscribe The Interest of Love")
    store = story.sim.process.core.store
    # the database refuses the article's claims once (a full disk, say), after the article was written
    await store._db.execute(
        "CREATE TEMP TRIGGER refuse_news BEFORE INSERT ON deliveries WHEN NEW.kind = 'news' "
        "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
    )
    server.wordpress.insert(0, item(2, minutes=5))
    await story.advance(START + timedelta(minutes=15))
    assert fan.received("news") == []
    await store._db.execute("DROP TRIGGER refuse_news")
    await story.advance(START + timedelta(minutes=30))  # the next poll
    [news] = fan.received("news")
    assert news.at == START + timedelta(minutes=30) and "episode 2 recap" in news.text
    await story.advance(START + timedelta(minutes=60))
    assert len(fan.received("news")) == 1


def stored_articles(db: str) -> list[tuple[str, int]]:
    import sqlite3

    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT article_id, length(summary) FROM articles ORDER BY article_id").fetchall()


async def test_unmatched_entries_are_not_kept_and_a_huge_summary_is_cut(make_story, server, tmp_path):
    """A busy feed of entries about nothing anyone could follow, and one article with a summary
    of a million characters: the database keeps the article /news needs, cut, and the entries'
    identities (so nothing is delivered twice), not 1,000 articles."""
    db = str(tmp_path / "busy.sqlite3")
    server.wordpress = [item(1)]
    story = await make_story(start=START.isoformat(), poll_feeds=True, news=configured(server), db=db)
    fan = story.chat("telegram", "1")
    await fan.say("/subscribe The Interest of Love")
    noise = [Item(title=f"Stock market update {n}", link=f"https://kdrama-news.example.test/markets/{n}/",
                  guid=f"https://kdrama-news.example.test/?p=m{n}", published=START, summary="Numbers. " * 50)
             for n in range(1000)]
    huge = Item(**{**item(2, minutes=5).__dict__, "summary": "Episode 2 was long. " * 52_000})
    server.wordpress[:0] = [huge, *noise]
    await story.advance(START + timedelta(minutes=15))
    [news] = fan.received("news")
    assert "episode 2 recap" in news.text and len(news.text) < 1000
    [(kept, length)] = stored_articles(db)
    assert kept == "https://kdrama-news.example.test/?p=2" and length == 2000
    assert "episode 2 recap" in await fan.say("/news The Interest of Love")
    await story.stop()
    await story.start()  # the same document again: nothing is new
    await story.advance(START + timedelta(minutes=45))
    assert len(fan.received("news")) == 1
    assert len(stored_articles(db)) == 1


async def test_a_feed_of_endless_new_entries_keeps_a_bounded_number_of_identities(make_story, server, tmp_path, monkeypatch):
    import sqlite3

    import scheduler.feeds

    monkeypatch.setattr(scheduler.feeds, "KEEP_ENTRIES_PER_FEED", 30)
    db = str(tmp_path / "endless.sqlite3")

    def noise(poll: int) -> list[Item]:
        return [Item(title=f"Stock market update {poll}-{n}", link=f"https://kdrama-news.example.test/m/{poll}-{n}/",
                     guid=f"https://kdrama-news.example.test/?p=m{poll}-{n}", published=START) for n in range(20)]

    server.wordpress = [item(1), *noise(0)]
    story = await make_story(start=START.isoformat(), poll_feeds=True, news=configured(server), db=db)
    fan = story.chat("telegram", "1")
    await fan.say("/subscribe The Interest of Love")
    for poll in range(1, 8):  # every poll lists 20 entries never seen before, and the same recap
        server.wordpress = [item(2, minutes=5), *noise(poll)]
        await story.advance(START + timedelta(minutes=15 * poll))
        with sqlite3.connect(db) as conn:
            assert conn.execute("SELECT COUNT(*) FROM feed_entries").fetchone()[0] <= 30
    [news] = fan.received("news")  # the recap listed at every poll was delivered once
    assert "episode 2 recap" in news.text
