"""The narrow services command handlers are given, as Protocols: a handler sees only these,
never the app as a whole. The app's owners (`bot.app`: the chats, the feeds, the access rule,
the composition for the catalog and the settings, the live catalog behind `Lookup.live`)
implement them structurally; each is what one kind of handler needs.

- `Chats`: a chat's settings and subscriptions, read and changed.
- `Lookup`: the catalog snapshot of the moment, and TVmaze through the live catalog.
- `FeedsAdmin`: the owners' feed list, health, adding and removing.
- `Access`: who may do what (bot owners from the config; a chat's admins asked of the platform).
- `Settings`: the configuration (the streaming hour, the news poll interval).
- `Calendars`: a chat's calendar feed link.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo

from ..app.calendars import CalendarLink
from ..app.feeds import FeedInfo
from ..app.host import LiveLookup
from ..config import Config, FeedConfig
from ..domain.catalog import Catalog
from ..domain.i18n import Language
from ..domain.interfaces import ChatRef, Clock, IncomingMessage
from ..domain.names import Target
from ..storage.values import ChatSettings, StoredArticle


class ChatReads(Protocol):
    """What the handlers read of the database directly."""

    async def chat(self, *, platform: str, chat_id: str) -> ChatSettings | None: ...

    async def subscriptions(self, *, platform: str, chat_id: str) -> list[tuple[str, str]]: ...

    async def latest_articles(self, *, targets: Sequence[tuple[str, str]], limit: int) -> list[StoredArticle]: ...


class Chats(Protocol):
    @property
    def store(self) -> ChatReads: ...

    async def chat_settings(self, chat: ChatRef) -> tuple[ZoneInfo, tuple[int, ...]]: ...

    async def subscribe(self, chat: ChatRef, *, private: bool, target: Target) -> bool: ...

    async def unsubscribe(self, chat: ChatRef, target: Target) -> bool: ...

    async def set_timezone(self, chat: ChatRef, *, private: bool, zone: ZoneInfo) -> None: ...

    async def set_leads(self, chat: ChatRef, *, private: bool, minutes: Sequence[int]) -> None: ...

    async def set_mention(self, chat: ChatRef, *, private: bool, mention: str | None) -> None: ...

    async def set_events(self, chat: ChatRef, *, private: bool, on: bool) -> None: ...

    async def set_language(self, chat: ChatRef, *, private: bool, language: Language) -> None: ...

    async def language(self, chat: ChatRef, *, private: bool, writer: str | None) -> Language: ...


class Lookup(Protocol):
    @property
    def catalog(self) -> Catalog: ...

    @property
    def live(self) -> LiveLookup | None: ...


class FeedsAdmin(Protocol):
    async def feed_report(self) -> list[FeedInfo]: ...

    async def add_feed(self, url: str, name: str, *, by: str) -> tuple[FeedConfig, int]: ...

    async def remove_feed(self, name: str) -> FeedConfig: ...


class Access(Protocol):
    def is_owner(self, msg: IncomingMessage) -> bool: ...

    async def is_admin(self, msg: IncomingMessage) -> bool: ...


class Calendars(Protocol):
    """A chat's calendar feed link (bot.app.calendars)."""

    @property
    def enabled(self) -> bool: ...

    async def link(self, chat: ChatRef, *, reset: bool = False) -> CalendarLink: ...


class Settings(Protocol):
    @property
    def config(self) -> Config: ...


@dataclass(frozen=True)
class Services:
    """Everything the commands need, one narrow service each: `execute` hands each handler the
    parts through its `Context`."""

    chats: Chats
    lookup: Lookup
    feeds: FeedsAdmin
    access: Access
    settings: Settings
    clock: Clock
    calendars: Calendars
