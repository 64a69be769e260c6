"""The narrow services command handlers are given, as Protocols: a handler sees only these,
never the core. The core (and the live catalog behind `Lookup.live`) implement them
structurally; each is what one kind of handler needs.

- `Chats`: a chat's settings and subscriptions, read and changed.
- `Lookup`: the catalog snapshot of the moment, and TVmaze through the live catalog.
- `FeedsAdmin`: the owners' feed list, health, adding and removing.
- `Access`: who may do what (bot owners from the config; a chat's admins asked of the platform).
- `Settings`: the configuration (the streaming hour, the news poll interval).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol
from zoneinfo import ZoneInfo

from ..config import Config, FeedConfig
from ..domain.catalog import Catalog
from ..domain.changes import Notice
from ..domain.interfaces import ChatRef, Clock, IncomingMessage
from ..domain.names import Target
from ..feed_admin import FeedInfo
from ..integrations.sources import Edit
from ..integrations.tvmaze import Found, Imports
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


class LiveLookup(Protocol):
    """TVmaze through the live catalog: searched and imported, and the owners' corrections."""

    @property
    def searchable(self) -> bool: ...

    async def lookup(self, text: str, *, imports: Imports = "best", who: str | None = None) -> Target | list[Found] | str: ...

    async def edit(self, edit: Edit) -> list[Notice]: ...


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


class Settings(Protocol):
    @property
    def config(self) -> Config: ...


class Services(Chats, Lookup, FeedsAdmin, Access, Settings, Protocol):
    """Everything the commands need, as one object (the core today): `execute` hands each
    handler the narrow parts through its `Context`."""

    @property
    def clock(self) -> Clock: ...
