"""What leaves for Telegram: a neutral message as HTML parts, and Telegram's errors as the core's.

`html_parts` renders a `Message` in Telegram's HTML parse mode (everything user- or feed-supplied
escaped, air times as date-time entities each reader sees in their own zone) and splits it at
4,096 visible characters on line boundaries, cutting a single longer line only where it must.
`delivery_error` maps what python-telegram-bot raised onto the outcomes the core's outbox knows.
"""

from __future__ import annotations

import datetime as dtm
import warnings
from collections.abc import Callable
from typing import Literal

from telegram.error import BadRequest, ChatMigrated, Forbidden, InvalidToken, RetryAfter, TelegramError, TimedOut

from bot.domain.interfaces import ChatMoved, ChatRef, DeliveryError, RateLimited, Unreachable
from bot.domain.render import Bold, Link, Message, Span, telegram_span

MAX_LENGTH = 4096  # visible characters in one Telegram message

# BadRequest descriptions that mean the chat (or topic) cannot take messages from this bot
GONE = (
    "chat not found", "thread not found", "topic_deleted", "topic deleted", "topic_closed", "topic closed",
    "group chat was deactivated", "not enough rights", "have no rights", "need administrator rights",
    "bot is not a member", "chat_write_forbidden", "user is deactivated", "peer_id_invalid",
)
# Telegram's words for a refusal -> the pause reason stored (a message id of pause.ftl, shown to
# the fan in their language by bot.domain.i18n.stored_reason); the first match wins.
PAUSE_REASONS = (
    (("blocked by the user",), "pause-telegram-blocked"),
    (("kicked", "bot is not a member"), "pause-telegram-removed"),
    (("user is deactivated",), "pause-telegram-account-gone"),
    (("thread not found", "topic_deleted", "topic deleted", "topic_closed", "topic closed"), "pause-telegram-topic-gone"),
    (("chat not found", "group chat was deactivated", "peer_id_invalid"), "pause-telegram-chat-gone"),
    (("not enough rights", "have no rights", "need administrator rights", "chat_write_forbidden"),
     "pause-telegram-no-rights"),
)


def pause_reason(reason: str) -> str:
    """The stored pause reason for Telegram's refusal `reason`: a catalogue id, or the refused id
    with Telegram's words as its detail (at most 200 characters in all)."""
    lowered = reason.lower()
    for words, msg_id in PAUSE_REASONS:
        if any(word in lowered for word in words):
            return msg_id
    return f"pause-telegram-refused {reason[:150]}"


def _lines(message: Message) -> list[list[Span]]:
    lines: list[list[Span]] = [[]]
    for span in message.spans:
        if isinstance(span, str) and "\n" in span:
            for i, piece in enumerate(span.split("\n")):
                if i:
                    lines.append([])
                if piece:
                    lines[-1].append(piece)
        else:
            lines[-1].append(span)
    return lines


def _cut(span: Span, start: int, stop: int) -> Span:
    """A piece of a text span's visible text, keeping its kind (bold stays bold, links link)."""
    if isinstance(span, str):
        return span[start:stop]
    if isinstance(span, Bold):
        return Bold(span.text[start:stop])
    assert isinstance(span, Link)
    return Link(span.text[start:stop], span.url)


def _pieces(line: list[Span], limit: int) -> list[tuple[str, int]]:
    """One line as (html, visible length) pieces of at most `limit` visible characters."""
    pieces: list[tuple[str, int]] = []
    html, length = "", 0
    for span in line:
        rendered, shown = telegram_span(span, local_times=True)
        if length + len(shown) <= limit:
            html, length = html + rendered, length + len(shown)
            continue
        if not isinstance(span, (str, Bold, Link)):  # a time: never cut, moves whole to the next piece
            if length:
                pieces.append((html, length))
            html, length = rendered, len(shown)
            continue
        at = 0
        while at < len(shown):
            take = min(limit - length, len(shown) - at)
            if take <= 0:
                pieces.append((html, length))
                html, length = "", 0
                continue
            rendered_piece, _ = telegram_span(_cut(span, at, at + take), local_times=True)
            html, length, at = html + rendered_piece, length + take, at + take
    pieces.append((html, length))
    return pieces


def html_parts(message: Message, limit: int = MAX_LENGTH) -> list[str]:
    """The message as Telegram HTML, split on line boundaries into parts Telegram accepts."""
    parts: list[str] = []
    html, length = "", -1  # -1: nothing yet, so the first line needs no newline before it
    for line in _lines(message):
        for piece, size in _pieces(line, limit):
            if length >= 0 and length + 1 + size > limit:
                parts.append(html)
                html, length = "", -1
            html, length = (piece, size) if length < 0 else (html + "\n" + piece, length + 1 + size)
    if length >= 0:
        parts.append(html)
    return [part for part in parts if part.strip()]


def retry_seconds(error: RetryAfter) -> float:
    """RetryAfter's wait: an int (with a deprecation warning) or, under PTB_TIMEDELTA, a timedelta."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


def delivery_error(error: TelegramError, chat: ChatRef, redact: Callable[[str], str] = str) -> DeliveryError:
    """The core's outcome for a refused call: wait, unreachable, moved, or a passing failure.

    A 429 in a group is that group's own limit (20 a minute), so only it waits; anywhere else it
    is the bot's overall limit and every send pauses. The reason never carries the token."""
    reason = redact(str(error))
    if isinstance(error, RetryAfter):
        scope: Literal["platform", "chat"] = "chat" if chat.chat.startswith("-") else "platform"
        return RateLimited(retry_seconds(error), scope=scope, reason=f"Telegram: {reason}")
    if isinstance(error, ChatMigrated):
        return ChatMoved(str(error.new_chat_id), reason)
    if isinstance(error, Forbidden):
        return Unreachable(pause_reason(reason))
    if isinstance(error, BadRequest) and any(gone in reason.lower() for gone in GONE):
        return Unreachable(pause_reason(reason))
    if isinstance(error, TimedOut):
        return DeliveryError(f"Telegram did not answer in time ({reason})")
    if isinstance(error, InvalidToken):
        return DeliveryError("Telegram rejected the bot token")
    return DeliveryError(f"Telegram: {reason}")
