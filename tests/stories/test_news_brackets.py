"""Headlines keep the words they write in angle brackets, as Korean outlets write drama titles
(`<사랑의 이해>`): an RSS title is text, so only a field the feed marks as HTML loses its markup.
The bot polls the fixture feed server on 127.0.0.1 on its virtual clock."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import at
from tests.fakes.feeds_server import FeedServer, Item

START = at("2022-12-23T09:00:00Z")


def item(n: int, title: str, summary: str = "") -> Item:
    return Item(title=title, link=f"https://kdrama-news.example.test/{n}/", guid=f"https://kdrama-news.example.test/?p={n}",
                published=START - timedelta(minutes=30), summary=summary)


async def polled(make_story, feed_server: FeedServer, *titles: tuple[str, str]):
    """A bot polling the WordPress feed; a fan on Discord following Moon Ga Young and The Interest
    of Love; then the feed lists `titles` ((RSS title as written in the XML, summary)) and is polled."""
    story = await make_story(start=START.isoformat(), poll_feeds=True,
                             news={"feeds": [{"name": "kdrama-news", "url": feed_server.url("/wp/feed/")}],
                                   "allow_hosts": ["127.0.0.1"]})  # feeds come from public addresses only, unless allowed
    fan = story.chat("discord", "1")
    await fan.say("/subscribe Moon Ga Young")
    await fan.say("/subscribe 사랑의 이해")
    feed_server.wordpress = [item(n, title, summary) for n, (title, summary) in enumerate(titles, 1)]
    await story.advance(START + timedelta(minutes=15))
    return fan


async def test_a_title_in_angle_brackets_is_posted_and_matched(make_story, feed_server):
    fan = await polled(make_story, feed_server,
                       ("Moon Ga Young &amp; &lt;Our Team&gt; Visit A Shelter", "The cast of the drama volunteered."),
                       ("&lt;사랑의 이해&gt; 마지막 촬영 현장 공개", ""))
    first, second = sorted((n.text for n in fan.received("news")), key=len, reverse=True)
    assert first.startswith("📰 [Moon Ga Young & <Our Team> Visit A Shelter](<https://kdrama-news.example.test/1/>)\n")
    assert first.endswith("From kdrama-news · You follow: Moon Ga Young")
    assert second.startswith("📰 [<사랑의 이해> 마지막 촬영 현장 공개](<https://kdrama-news.example.test/2/>)\n")
    assert second.endswith("You follow: The Interest of Love")


async def test_the_html_summary_still_loses_its_markup_but_keeps_escaped_brackets(make_story, feed_server):
    fan = await polled(make_story, feed_server,
                       ("Interview", "<p>Actor <b>Moon Ga Young</b> on &lt;Our Team&gt; &amp; more.</p>"))
    [news] = fan.received("news")
    assert news.text.split("\n")[1] == "Actor Moon Ga Young on <Our Team> & more."
