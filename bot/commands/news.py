"""`/news`: the latest articles about a show or actor, or about what this chat follows."""

from __future__ import annotations

from datetime import UTC, datetime

from ..domain.headlines import article_headline, shorten
from ..domain.interfaces import Reply
from ..domain.render import Message, fit_lines
from .find import find
from .spec import OPTIONAL_NAME, Command, Context
from .text import local_date, target_name, typed

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
        targets, about = [(found.kind, found.key)], target_name(ctx, found)
    else:
        targets = await store.subscriptions(platform=ctx.chat.platform, chat_id=ctx.chat.key)
        if not targets:
            return ctx.say("news-empty", subscribe=typed(ctx, "subscribe"))
        about = ""
    articles = await store.latest_articles(targets=targets, limit=NEWS_LATEST)
    if not articles:
        return ctx.say("news-none", about=about) if about else ctx.say("news-none-followed")
    zone, _ = await ctx.chats.chat_settings(ctx.chat)
    lines = []
    for article in articles:
        when = datetime.fromtimestamp(article.published or article.received_at, UTC)
        lines.append(Message.of(
            "• ", article_headline(article.title, article.link, NEWS_TITLE_MAX, NEWS_LINK_MAX),
            f" ({ctx.msg_text('news-line', feed=shorten(article.feed, 60), date=local_date(ctx, when, zone))})",
        ))
    head = ctx.msg_text("news-head", about=about) if about else ctx.msg_text("news-head-followed")
    return fit_lines(head, lines, lambda left: ctx.msg_text("list-more", count=left))


NEWS = Command("news", cmd_news,
               (OPTIONAL_NAME,))
