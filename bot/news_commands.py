"""Handlers of `/news` and of the owners' `/feeds` commands; their entries are in `commands.COMMANDS`.

`bot.commands` imports this module for those entries and `bot.core` imports `bot.commands`, so
what this module needs of either is imported inside the handlers.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from .interfaces import Reply
from .render import Bold, Countdown, Message, fit_lines
from .zones import format_local_date

if TYPE_CHECKING:
    from .commands import Context
    from .core import FeedInfo

NEWS_LATEST = 5
NEWS_TITLE_MAX = 120
NEWS_LINK_MAX = 200
FEED_URL_MAX = 80
FEED_ERROR_MAX = 100


async def cmd_news(ctx: Context) -> Message | Reply:
    """The five latest articles naming a show or actor, or anything this chat follows."""
    from .commands import _command, _find
    from .core import article_headline, shorten

    core = ctx.core
    if ctx.text.strip():
        found = _find(ctx, ctx.text, "/news")
        if isinstance(found, Reply):
            return found
        targets, about = [(found.kind, found.key)], found.name
    else:
        targets = await core.store.subscriptions(platform=ctx.chat.platform, chat_id=ctx.chat.key)
        if not targets:
            return Message.of(
                f"This chat follows nothing yet, so it has no news. Try /news The Interest of Love, or "
                f"{_command(ctx, 'subscribe')} to a show or actor first."
            )
        about = "what this chat follows"
    articles = await core.store.latest_articles(targets=targets, limit=NEWS_LATEST)
    if not articles:
        return Message.of(f"No news about {about} has come in yet.")
    zone, _ = await core.chat_settings(ctx.chat)
    lines = []
    for article in articles:
        when = datetime.fromtimestamp(article.published or article.received_at, UTC)
        lines.append(Message.of(
            "• ", article_headline(article.title, article.link, NEWS_TITLE_MAX, NEWS_LINK_MAX),
            f" ({shorten(article.feed, 60)}, {format_local_date(when, zone)})",
        ))
    return fit_lines(f"The latest news about {about}:", lines, lambda left: f"…and {left} more.")


def _health(info: FeedInfo) -> str:
    from .core import shorten

    state = info.state
    if state is None or (state.baseline_at is None and not state.failures):
        return "not polled yet"
    if not state.failures:
        return "healthy"
    error = shorten(state.last_error or "unknown error", FEED_ERROR_MAX)
    polls = f"{state.failures} failed {'poll' if state.failures == 1 else 'polls'} in a row"
    if state.healthy:
        return f"failing: {polls} ({error})"
    return f"UNHEALTHY: {polls} ({error}); polled less often"


async def cmd_feeds_list(ctx: Context) -> Message:
    from .core import shorten

    feeds = await ctx.core.feed_report()
    if not feeds:
        return Message.of("No news feeds are polled. Add one with /feeds add <url> [name], or list them in the config's [news] feeds.")
    lines = []
    for info in feeds:
        origin = "config" if info.from_config else "added"
        spans: list = ["• ", Bold(info.feed.name), f" ({origin}) {shorten(info.feed.url, FEED_URL_MAX)}: {_health(info)}; "]
        if info.last is None:
            spans.append("no new article yet")
        else:
            spans += [f"last new article {shorten(info.last.title, 60)!r}, ",
                      Countdown(datetime.fromtimestamp(info.last.received_at, UTC), ctx.now)]
        lines.append(Message.of(*spans))
    every = ctx.core.config.news.poll_interval
    head = f"News feeds ({len(feeds)}), each polled every {int(every.total_seconds() // 60)} minutes:"
    return fit_lines(head, lines, lambda left: f"…and {left} more.")


async def cmd_feeds_add(ctx: Context) -> Message:
    from .core import FeedRefused

    url, name = ctx.args.get("url", ""), ctx.args.get("name", "")
    try:
        feed, entries = await ctx.core.add_feed(url, name, by=f"{ctx.msg.platform}:{ctx.msg.user}")
    except FeedRefused as exc:
        return Message.of(str(exc))
    listed = f"{entries} {'entry' if entries == 1 else 'entries'}"
    return Message.of(
        "Added the feed ", Bold(feed.name), f" ({feed.url}). It lists {listed} now: those are recorded, not sent. "
        "From its next new entry on, articles go to the chats that follow what they name. "
        f"/feeds remove {feed.name} stops it."
    )


async def cmd_feeds_remove(ctx: Context) -> Message:
    from .core import FeedRefused

    try:
        feed = await ctx.core.remove_feed(ctx.args.get("name", ""))
    except FeedRefused as exc:
        return Message.of(str(exc))
    return Message.of("Removed the feed ", Bold(feed.name), f" ({feed.url}); it is no longer polled.")
