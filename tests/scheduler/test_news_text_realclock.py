"""On the real clock, a bot polling the fixture feed server posts a headline as the feed wrote it:
a drama title in angle brackets (as Korean outlets write them) kept and matched, and a stray
right-to-left override left out of the post."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.config import parse_config
from tests.fakes.feeds_server import FeedServer, Item

from .realclock import mock, seed, wait_for
from .test_news_polling import LOCAL, news, polling_every, start


async def test_a_bracketed_korean_title_is_posted_and_reaches_the_shows_followers(feed_server: FeedServer, tmp_path):
    server = feed_server
    db = str(tmp_path / "db.sqlite3")
    await seed(db, "interestoflove", ["1"])
    telegram = mock()
    process = await start(db, {"telegram": telegram}, news={"timeout": 2, "allow_hosts": LOCAL})
    polling = polling_every(process, timedelta(seconds=0.25))
    try:
        polling.watch(parse_config({"news": {"feeds": [server.url("/wp/feed/")]}}).news.feeds[0])
        assert await wait_for(lambda: polling.polls >= 2, 10)  # the first poll recorded an empty feed
        server.wordpress.insert(0, Item(
            title="&lt;사랑의 이해&gt; 마지막 촬영 현장 \u202e공개", link="https://kdrama-news.example.test/love-final/",
            guid="https://kdrama-news.example.test/?p=9", published=datetime.now(UTC) - timedelta(minutes=5),
            summary="<p>배우들의 마지막 인사.</p>",
        ))
        assert await wait_for(lambda: len(news(telegram)) == 1, 10)
        assert news(telegram)[0].text == (
            '📰 <a href="https://kdrama-news.example.test/love-final/">&lt;사랑의 이해&gt; 마지막 촬영 현장 공개</a>\n'
            "배우들의 마지막 인사.\nFrom 127.0.0.1 · You follow: The Interest of Love"
        )
    finally:
        await polling.stop()
        await process.stop()
