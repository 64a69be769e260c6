"""What the backends share above their SQL: methods that differ only in the column they touch
(a backend supplies the one hook they call), and turning rows into the contract's values."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any, Literal

from .values import (
    ChatKey,
    ChatSettings,
    Delivery,
    FeedState,
    Pending,
    Recipient,
    StoredArticle,
    TargetPair,
    decode_leads,
    encode_leads,
)

SettingColumn = Literal["timezone", "leads", "mention", "events", "language"]
FollowerColumn = Literal["leads", "timezone"]
NewsRecipients = dict[ChatKey, tuple[Recipient, list[TargetPair]]]


class ChatSetters:
    """The chat setters: each writes one column of the chat's row (made when missing) by `_set`."""

    async def _set(self, column: SettingColumn, value: object, *, platform: str, chat_id: str, is_private: bool,
                   now: int) -> None:
        raise NotImplementedError  # each backend's chats module writes it

    async def set_timezone(self, *, platform: str, chat_id: str, is_private: bool, zone: str, now: int) -> None:
        await self._set("timezone", zone, platform=platform, chat_id=chat_id, is_private=is_private, now=now)

    async def set_leads(self, *, platform: str, chat_id: str, is_private: bool, minutes: Sequence[int], now: int) -> None:
        await self._set("leads", encode_leads(minutes), platform=platform, chat_id=chat_id, is_private=is_private, now=now)

    async def set_mention(self, *, platform: str, chat_id: str, is_private: bool, mention: str | None, now: int) -> None:
        await self._set("mention", mention, platform=platform, chat_id=chat_id, is_private=is_private, now=now)

    async def set_events(self, *, platform: str, chat_id: str, is_private: bool, on: bool, now: int) -> None:
        await self._set("events", int(on), platform=platform, chat_id=chat_id, is_private=is_private, now=now)

    async def set_language(self, *, platform: str, chat_id: str, is_private: bool, language: str, now: int) -> None:
        await self._set("language", language, platform=platform, chat_id=chat_id, is_private=is_private, now=now)


class FollowerSettings:
    """The settings in use among chats that follow anything, by `_distinct_of_followers`."""

    async def _distinct_of_followers(self, column: FollowerColumn) -> set[str | None]:
        raise NotImplementedError  # each backend's subscriptions module reads it

    async def lead_settings_in_use(self) -> set[str | None]:
        """Distinct stored lead settings of chats that follow anything (None: the default)."""
        return await self._distinct_of_followers("leads")

    async def zones_in_use(self) -> set[str | None]:
        """Distinct zones of chats that follow anything (None: the default)."""
        return await self._distinct_of_followers("timezone")


def chat_settings(platform: str, chat_id: str, row: Sequence[Any]) -> ChatSettings:
    """(timezone, leads, paused_reason, is_private, mention, events, language) as ChatSettings."""
    return ChatSettings(platform, chat_id, row[0], decode_leads(row[1]), row[2], bool(row[3]), row[4], bool(row[5]), row[6])


def feed_state(row: Sequence[Any]) -> FeedState:
    """(feed, url, etag, last_modified, healthy, failures, last_error, next_poll_at, baseline_at) as FeedState."""
    feed_name, url, etag, modified, healthy, failures, error, next_poll, baseline = row
    return FeedState(feed_name, url, etag, modified, bool(healthy), failures, error, next_poll, baseline)


def news_recipients(rows: Iterable[Sequence[Any]]) -> NewsRecipients:
    """Rows of (platform, chat, is_private, zone, leads, language, kind, target), one per followed
    target, as each chat's Recipient with the targets it follows."""
    found: NewsRecipients = {}
    for platform, chat, private, zone, leads, language, kind, target in rows:
        entry = found.get(ChatKey(platform, chat))
        if entry is None:
            entry = found[ChatKey(platform, chat)] = (Recipient(platform, chat, bool(private), zone, leads, language=language), [])
        entry[1].append((kind, target))
    return found


def newest_article(feed: str, kept: Sequence[Any] | None, noted: str | None) -> StoredArticle | None:
    """A feed's newest article: the newest kept one (a row of StoredArticle's fields) or the one
    noted in meta as naming nothing (its JSON), whichever arrived later."""
    row = kept
    if noted is not None:
        article_id, title, link, received = json.loads(noted)
        if row is None or received > row[6]:
            row = (feed, article_id, title, link, "", None, received)
    return StoredArticle(*row) if row is not None else None


def pending(rows: list[Any]) -> list[Pending]:
    """Ledger rows (kind, job, platform, chat, attempts, expires) as deliveries to try, in key order."""
    rows.sort(key=lambda r: (r[0], r[1], r[2], r[3]))
    return [Pending(Delivery(*row[:4]), row[4], row[5]) for row in rows]
