"""`/news`: the latest articles about a show or actor, or about what this chat follows."""

from __future__ import annotations

from datetime import UTC, datetime

from ..domain.headlines import article_headline, shorten
from ..domain.interfaces import Reply
from ..domain.render import Message, fit_lines
from ..domain.zones import format_local_date
from .find import find
from .spec import OPTIONAL_NAME, Command, Context
from .text import typed

NEWS_LATEST = 5
NEWS_TITLE_MAX = 120
NEWS_LINK_MAX = 200


async def cmd_news(ctx: Context) -> Message | Reply:
    """The five latest articles naming a show or actor, or anything this chat follows."""
    store = ctx.chats.store
    if ctx.text.strip():
        found = find(ctx, ctx.text, "/news")
        if isinstance(found, Reply):
            return found
        targets, about = [(found.kind, found.key)], found.name
    else:
        targets = await store.subscriptions(platform=ctx.chat.platform, chat_id=ctx.chat.key)
        if not targets:
            return Message.of(
                f"This chat follows nothing yet, so it has no news. Try /news The Interest of Love, or "
                f"{typed(ctx, 'subscribe')} to a show or actor first."
            )
        about = "what this chat follows"
    articles = await store.latest_articles(targets=targets, limit=NEWS_LATEST)
    if not articles:
        return Message.of(f"No news about {about} has come in yet.")
    zone, _ = await ctx.chats.chat_settings(ctx.chat)
    lines = []
    for article in articles:
        when = datetime.fromtimestamp(article.published or article.received_at, UTC)
        lines.append(Message.of(
            "• ", article_headline(article.title, article.link, NEWS_TITLE_MAX, NEWS_LINK_MAX),
            f" ({shorten(article.feed, 60)}, {format_local_date(when, zone)})",
        ))
    return fit_lines(f"The latest news about {about}:", lines, lambda left: f"…and {left} more.")


NEWS = Command("news", "the five latest articles about a show, actor or what this chat follows", cmd_news,
               (OPTIONAL_NAME,))
