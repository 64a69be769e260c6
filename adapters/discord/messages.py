"""What the bot posts on Discord: neutral messages as markdown text or embeds, and mentions.

Reminders and news go out as embeds: the first bold or linked span is the title (linked when it
is a link), what follows is the description, where `<t:UNIX:F>` and `<t:UNIX:R>` show each
reader the air time in their own zone. Every piece of user and feed text is escaped for
Discord markdown (`bot.domain.render`). Mentions are suppressed (`allowed_mentions`) except the one
role a channel's admins chose for its reminders.
"""

from __future__ import annotations

import discord

from bot.domain.interfaces import Outgoing
from bot.domain.render import Bold, Link, Message, Span, to_discord_markdown

MAX_CONTENT = 2000
MAX_TITLE = 256
MAX_DESCRIPTION = 4096
COLOUR = discord.Colour(0xE05A8B)
NO_MENTIONS = discord.AllowedMentions.none()


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def text_of(message: Message) -> str:
    """A message as Discord markdown, within Discord's 2,000 characters."""
    return _cut(to_discord_markdown(message), MAX_CONTENT)


def embed_of(message: Message) -> discord.Embed:
    """An embed: the first bold or linked span (with what precedes it, e.g. "⏰ ") as its title."""
    spans = message.spans
    head = next((i for i, span in enumerate(spans) if isinstance(span, (Bold, Link))), None)
    if head is None:
        return discord.Embed(description=_cut(to_discord_markdown(message), MAX_DESCRIPTION), colour=COLOUR)
    lead = "".join(s for s in spans[:head] if isinstance(s, str))
    title_span = spans[head]
    assert isinstance(title_span, (Bold, Link))
    title = to_discord_markdown(Message.of(lead + title_span.text))
    rest: tuple[Span, ...] = spans[head + 1 :]
    if rest and isinstance(rest[0], str):  # ", episode 1, starts ..." reads as "Episode 1, starts ..."
        first = rest[0].lstrip(",:;\n ")
        rest = (first[:1].upper() + first[1:], *rest[1:]) if first else rest[1:]
    description = to_discord_markdown(Message(rest)).strip()
    url = title_span.url if isinstance(title_span, Link) else None
    return discord.Embed(
        title=_cut(title, MAX_TITLE), url=url, description=_cut(description, MAX_DESCRIPTION) or None, colour=COLOUR,
    )


def role_mention(handle: str | None) -> tuple[str | None, discord.AllowedMentions]:
    """The content that pings a channel's chosen role, and mentions allowing exactly that role."""
    if handle and handle.isdigit():
        role = discord.Object(int(handle))
        return f"<@&{handle}>", discord.AllowedMentions(everyone=False, users=False, replied_user=False, roles=[role])
    return None, NO_MENTIONS


def post_of(message: Outgoing) -> dict:
    """Keyword arguments of `Messageable.send` for one outgoing message."""
    if message.kind in ("reminder", "news"):
        content, mentions = role_mention(message.mention if message.kind == "reminder" else None)
        return {"content": content, "embed": embed_of(message.body), "allowed_mentions": mentions}
    return {"content": text_of(message.body), "allowed_mentions": NO_MENTIONS}
