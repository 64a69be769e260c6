"""Feed documents into articles: parsing RSS and Atom bodies, entry identity, link keys.

Pure: bytes in, `Article`s out, no network. `parse_feed` raises `FeedError` (its `said` for the
owners' `/feeds`) for a body that is not a feed (an HTML page, an empty body) or is malformed XML cut
short (a truncated download);
a complete document with small XML errors is read as far as feedparser's lenient parser can.

An article's title and summary are plain text: a field the feed marks as HTML or XHTML
(feedparser reports each field's type) loses its tags and entities, any other is taken as
written, so "<사랑의 이해>" in an RSS title stays in the title.
"""

from __future__ import annotations

import calendar
import hashlib
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import feedparser

from ..domain.article import Article
from ..domain.i18n import SaidError
from ..domain.names import plain_text

_CLOSING_TAGS = (b"</rss>", b"</feed>", b"</rdf:rdf>")
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


class FeedError(SaidError):
    """The body is not a usable feed; the message says why, for the log, and `said` for a reader."""


def parse_feed(feed: str, body: bytes, content_type: str | None = None) -> list[Article]:
    """The entries of one feed document, in document order, as articles of `feed`."""
    headers = {"content-type": content_type} if content_type else {}
    parsed = feedparser.parse(body, response_headers=headers)
    if not parsed.get("version") and not parsed.entries:
        problem = parsed.get("bozo_exception")
        raise FeedError(f"not an RSS or Atom feed{f' ({problem})' if problem else ''}", "feed-error-not-feed")
    if parsed.get("bozo") and not _complete(body) and _is_xml_error(parsed.get("bozo_exception")):
        raise FeedError(f"malformed or truncated XML: {parsed.get('bozo_exception')}", "feed-error-malformed")
    articles = []
    for entry in parsed.entries:
        article = _article(feed, entry)
        if article is not None:
            articles.append(article)
    return articles


def _complete(body: bytes) -> bool:
    return body.rstrip().lower().endswith(_CLOSING_TAGS)


def _is_xml_error(exc: Any) -> bool:
    """A well-formedness error, as opposed to a mislabelled encoding or content type."""
    return exc is not None and not isinstance(exc, (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType))


def _article(feed: str, entry: Any) -> Article | None:
    title = _text(entry.get("title_detail"), entry.get("title")).strip()
    link = (entry.get("link") or "").strip()
    if not title and not link:
        return None
    published = _instant(entry.get("published_parsed") or entry.get("updated_parsed"))
    summary = _text(entry.get("summary_detail"), entry.get("summary"))
    if not summary and entry.get("content"):
        content = entry["content"][0]
        summary = _text(content, content.get("value"))
    return Article(feed, entry_id(entry, published), title, link, summary.strip(), published)


def _text(detail: Any, value: Any) -> str:
    """A feed field as plain text: without tags and entities (and the runs of spaces and line
    breaks markup leaves) where the feed says it is HTML or XHTML, else exactly as written."""
    text = value if isinstance(value, str) else ""
    kind = detail.get("type", "") if isinstance(detail, dict) else ""
    return " ".join(plain_text(text).split()) if kind in HTML_TYPES else text


def _instant(parsed: Any) -> datetime | None:
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), tz=timezone.utc)
    except (OverflowError, ValueError, OSError):
        return None


def entry_id(entry: Any, published: datetime | None = None) -> str:
    """An entry's identity: its guid or Atom id, else its link, else a hash of title and date."""
    for key in ("id", "link"):
        value = (entry.get(key) or "").strip()
        if value:
            return value[:500]
    stamp = published.isoformat() if published else ""
    digest = hashlib.sha256(f"{entry.get('title', '')}\x00{stamp}".encode()).hexdigest()
    return f"sha256:{digest[:32]}"


def link_key(url: str) -> str:
    """A link as syndication compares it: scheme and host lower case, no fragment, no trailing
    slash; "" for a link that is not a web address."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return ""
    path = parts.path.rstrip("/")
    return urlunsplit(("https", parts.netloc.lower().removeprefix("www."), path, parts.query, ""))
