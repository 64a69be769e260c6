"""An article's title and link as a line of a message: shortened on a word, linked only when the
link is a plain web address (shared by news posts, digests and `/news`)."""

from __future__ import annotations

from .render import Link
from .sanitize import visible

NEWS_TITLE_MAX = 200
NEWS_LINK_MAX = 500  # longer links are not shown: no platform message could hold them


def shorten(text: str, limit: int) -> str:
    """`text` on one line, cut at a word before `limit` characters with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut[limit // 2 :] else cut) + "…"


def _linkable(url: str) -> bool:
    """A web address every platform can carry as a link (none that hides characters from its reader)."""
    return (
        url.lower().startswith(("https://", "http://"))
        and len(url) <= NEWS_LINK_MAX
        and not any(c.isspace() or c in '<>"`' for c in url)
        and visible(url) == url
    )


def article_headline(title: str, link: str, limit: int = NEWS_TITLE_MAX, link_limit: int = NEWS_LINK_MAX) -> Link | str:
    """An article's title on one line, linked when its link is a web address short enough."""
    text = shorten(title, limit) or "(untitled article)"
    link = link.strip()
    return Link(text, link) if _linkable(link) and len(link) <= link_limit else text
