"""Feed documents into articles: identity, dates, summaries, and documents that are no feed."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.integrations.feeds import FeedError, entry_id, link_key, parse_feed
from tests.fakes.feeds_server import HTML_PAGE, Item, atom_feed, wordpress_rss

WHEN = datetime(2022, 12, 21, 13, 0, tzinfo=timezone.utc)


def rss(*items: str) -> bytes:
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{"".join(items)}</channel></rss>'.encode()


def test_wordpress_item_fields():
    body = wordpress_rss([Item("Kim Ji Won&#8217;s &#8220;Queen&#8221;", "https://x.test/a/", WHEN, "short",
                               "<p>long</p>", categories=("Queen of Tears",))]).encode()
    [article] = parse_feed("wp", body, "application/rss+xml")
    assert (article.feed, article.id, article.title) == ("wp", "https://x.test/a/", "Kim Ji Won’s “Queen”")
    assert (article.link, article.summary, article.published) == ("https://x.test/a/", "short", WHEN)


def test_summary_falls_back_to_the_content():
    atom = atom_feed([Item("t", "https://x.test/a", WHEN)])
    atom = atom.replace('<summary type="html"></summary>', '<content type="html">&lt;p&gt;body&lt;/p&gt;</content>')
    [article] = parse_feed("atom", atom.encode())
    assert article.summary == "<p>body</p>"


def test_identity_is_the_guid_else_the_link_else_a_hash_of_title_and_date():
    with_guid, with_link, bare, bare_later = parse_feed("f", rss(
        "<item><guid>g-1</guid><link>https://x.test/1</link><title>a</title></item>",
        "<item><link>https://x.test/2</link><title>b</title></item>",
        "<item><title>c</title><pubDate>Wed, 21 Dec 2022 13:00:00 GMT</pubDate></item>",
        "<item><title>c</title><pubDate>Wed, 21 Dec 2022 14:00:00 GMT</pubDate></item>",
    ))
    assert (with_guid.id, with_link.id) == ("g-1", "https://x.test/2")
    assert bare.id.startswith("sha256:") and bare.id != bare_later.id
    [same] = parse_feed("f", rss("<item><title>c</title><pubDate>Wed, 21 Dec 2022 13:00:00 GMT</pubDate></item>"))
    assert same.id == bare.id
    assert entry_id({"title": "c"}) == entry_id({"title": "c"}) != entry_id({"title": "d"})


def test_an_entry_with_neither_title_nor_link_is_skipped():
    assert parse_feed("f", rss("<item><description>x</description></item>")) == []


@pytest.mark.parametrize(
    "body, problem",
    [
        (HTML_PAGE.encode(), "not an RSS or Atom feed"),
        (b"", "not an RSS or Atom feed"),
        (rss("<item><title>a</title></item>")[:-30], "malformed or truncated XML"),
    ],
)
def test_documents_that_are_no_usable_feed(body, problem):
    with pytest.raises(FeedError, match=problem):
        parse_feed("f", body)


def test_a_complete_document_with_a_small_error_is_still_read():
    [article] = parse_feed("f", rss("<item><title>Love & War</title><link>https://x.test/1</link></item>"))
    assert article.title == "Love & War"


@pytest.mark.parametrize(
    "a, b",
    [("https://www.x.test/a/", "http://x.test/a"), ("https://X.test/a#top", "https://x.test/a"),
     ("https://x.test/a?p=1", "https://x.test/a/?p=1")],
)
def test_link_keys_of_one_article_agree(a, b):
    assert link_key(a) == link_key(b) != ""


def test_link_key_of_a_non_web_link_is_empty():
    assert link_key("javascript:alert(1)") == link_key("") == ""
    assert link_key("https://x.test/a?p=1") != link_key("https://x.test/a?p=2")
