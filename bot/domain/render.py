"""One neutral message, three renderings: Discord markdown, Telegram HTML, plain text.

The core builds a `Message` out of spans; adapters pick the renderer for their platform.
A `When` span is an instant: Discord shows it with timestamp markup so each reader sees
their own local time; the others write it out in the recipient's zone.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from .localtime import countdown_text, when_text
from .sanitize import visible
from .zones import describe_duration, format_local, format_local_date


@dataclass(frozen=True)
class Bold:
    text: str


@dataclass(frozen=True)
class Link:
    text: str
    url: str


@dataclass(frozen=True)
class When:
    """An instant written in `zone` ("Wed 08:30 (America/New_York), 21 Dec 2022"); on Discord,
    timestamp markup that every reader sees in their own zone."""

    instant: datetime
    zone: ZoneInfo
    with_date: bool = True
    lang: str = "en"  # the language its text is written in (Discord's markup has none)


@dataclass(frozen=True)
class Countdown:
    """Time left until `instant` as seen at `now`: "in 30 minutes"; live-updating markup on Discord."""

    instant: datetime
    now: datetime
    lang: str = "en"


Span = str | Bold | Link | When | Countdown


@dataclass(frozen=True)
class Message:
    """A platform-neutral message: spans in order; "\n" inside strings breaks lines."""

    spans: tuple[Span, ...]

    def __post_init__(self) -> None:
        # Nothing the bot says carries control, bidi or zero-width characters, whoever wrote the
        # text (a fan's input echoed, a feed's title, a TVmaze name): bot.domain.sanitize.visible.
        object.__setattr__(self, "spans", tuple(_visible_span(span) for span in self.spans))

    @classmethod
    def of(cls, *spans: Span) -> Message:
        return cls(tuple(spans))

    @classmethod
    def lines(cls, *lines: Message | str) -> Message:
        spans: list[Span] = []
        for i, line in enumerate(lines):
            if i:
                spans.append("\n")
            spans.extend(line.spans if isinstance(line, Message) else (line,))
        return cls(tuple(spans))


def _visible_span(span: Span) -> Span:
    if isinstance(span, str):
        return visible(span)
    if isinstance(span, Bold):
        text = visible(span.text)
        return span if text == span.text else Bold(text)
    if isinstance(span, Link):
        text = visible(span.text)
        return span if text == span.text else Link(text, span.url)
    return span


LOCAL_TIME_LANGUAGES = frozenset({"ko"})  # written through bot.domain.localtime; others in English


def _when_plain(span: When) -> str:
    if span.lang in LOCAL_TIME_LANGUAGES:
        return when_text(span.instant, span.zone, lang=span.lang, with_date=span.with_date)
    text = format_local(span.instant, span.zone)
    return f"{text}, {format_local_date(span.instant, span.zone)}" if span.with_date else text


def _countdown_plain(span: Countdown) -> str:
    if span.lang in LOCAL_TIME_LANGUAGES:
        return countdown_text(span.instant, span.now, lang=span.lang)
    seconds = (span.instant - span.now).total_seconds()
    if abs(seconds) < 30:
        return "now"
    if seconds > 0:
        return "in " + describe_duration(span.instant - span.now)
    return describe_duration(span.now - span.instant) + " ago"


def _span_plain(span: Span) -> str:
    if isinstance(span, str):
        return span
    if isinstance(span, Bold):
        return span.text
    if isinstance(span, Link):
        return f"{span.text} <{span.url}>"
    if isinstance(span, When):
        return _when_plain(span)
    return _countdown_plain(span)


def to_plain(message: Message) -> str:
    return "".join(_span_plain(span) for span in message.spans)


TG_TIME_FORMAT = "wDt"  # weekday, long date, short time: each reader's own zone (Bot API 9.5)


def telegram_span(span: Span, *, local_times: bool = False) -> tuple[str, str]:
    """One span as Telegram HTML, and the text Telegram shows for it (what its 4,096 limit counts).

    With `local_times`, a `When` is a date-time entity every reader sees in their own zone, the
    time in the chat's zone inside as the fallback for apps too old to show it."""
    if isinstance(span, str):
        return html.escape(span, quote=False), span
    if isinstance(span, Bold):
        return f"<b>{html.escape(span.text, quote=False)}</b>", span.text
    if isinstance(span, Link):
        return f'<a href="{html.escape(span.url, quote=True)}">{html.escape(span.text, quote=False)}</a>', span.text
    shown = _span_plain(span)
    if isinstance(span, When) and local_times:
        unix = int(span.instant.timestamp())
        return f'<tg-time unix="{unix}" format="{TG_TIME_FORMAT}">{html.escape(shown, quote=False)}</tg-time>', shown
    return html.escape(shown, quote=False), shown


def to_telegram_html(message: Message, *, local_times: bool = False) -> str:
    """Telegram's HTML parse mode: only &, < and > need escaping; `local_times` as in `telegram_span`."""
    return "".join(telegram_span(span, local_times=local_times)[0] for span in message.spans)


def _discord_line_escape(text: str) -> str:
    # Hyphens and '#' matter only at a line start; escaping them everywhere makes prose noisy.
    escaped = re.sub(r"([\\*_~`|\[\]])", r"\\\1", text)
    escaped = re.sub(r"(^|\n)([>#-])", r"\1\\\2", escaped)
    # Break mass and user/role mentions ("<@123>", "<@&456>") that feed text could carry.
    escaped = escaped.replace("@everyone", "@\u200beveryone").replace("@here", "@\u200bhere")
    return escaped.replace("<@", "<\u200b@")


def to_discord_markdown(message: Message) -> str:
    out = []
    for span in message.spans:
        if isinstance(span, str):
            out.append(_discord_line_escape(span))
        elif isinstance(span, Bold):
            out.append(f"**{_discord_line_escape(span.text)}**")
        elif isinstance(span, Link):
            out.append(f"[{_discord_line_escape(span.text)}](<{span.url}>)")
        elif isinstance(span, When):
            out.append(f"<t:{int(span.instant.timestamp())}:F>")
        else:
            out.append(f"<t:{int(span.instant.timestamp())}:R>")
    return "".join(out)


RENDERERS: dict[str, Callable[[Message], str]] = {
    "discord": to_discord_markdown,
    "telegram": to_telegram_html,
    "console": to_plain,
}


def render_for(platform: str, message: Message) -> str:
    return RENDERERS.get(platform, to_plain)(message)


def fit_lines(head: str, lines: Sequence[Message], more: Callable[[int], str], budget: int = 1900) -> Message:
    """`head`, then as many of `lines` as fit `budget` characters as Discord and Telegram render
    them (Discord allows 2,000 a message), then `more(n)` for the n left out."""
    shown: list[Message | str] = [head]
    used = len(head)
    for i, line in enumerate(lines):
        size = 1 + max(len(to_discord_markdown(line)), len(to_telegram_html(line)))
        if used + size > budget:
            shown.append(more(len(lines) - i))
            break
        shown.append(line)
        used += size
    return Message.lines(*shown)
