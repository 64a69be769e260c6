"""The small typed values the storage contract takes and returns (no backend in here)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

from ..domain.jobkeys import JobKind  # the ledger's kinds, defined once in the domain

TargetKind = str  # "show" | "actor" (the schema refuses any other); bot.domain.names.Target.kind
TargetPair = tuple[TargetKind, str]  # (kind, catalog key) of something followed

ARTICLE_SUMMARY_KEEP = 2000  # characters of an article's summary kept (messages show 300)
ARTICLE_TITLE_KEEP = 500  # and of its title (messages show 200)
ARTICLE_LINK_KEEP = 2000
LAST_UNMATCHED = "last_unmatched_article|"  # meta: per feed, the newest article that named nothing

ClaimState = Literal["claimed", "dropped"]
FailedState = Literal["failed", "dropped"]
RequeueScope = Literal["older", "own"]  # a sender's claims given back: those of older generations, or its own
ImportKind = Literal["show", "person"]
EditKind = Literal["skip", "move"]


class StorageError(Exception):
    """The database cannot be opened or used; the message names the file."""


class ChatKey(NamedTuple):
    """One chat: the ids that always travel together."""

    platform: str
    chat_id: str


@dataclass(frozen=True)
class ChatSettings:
    platform: str
    chat_id: str
    timezone: str | None
    leads: tuple[int, ...] | None  # minutes
    paused_reason: str | None = None  # set while the chat cannot be reached
    is_private: bool = True
    mention: str | None = None  # whom its reminders mention (a platform handle such as a Discord role id)
    events: bool = False  # list its upcoming episodes in the platform's event calendar
    language: str | None = None  # the language it reads ("en", "ko"); None: not chosen yet


class ChatFlags(NamedTuple):
    """What a message to a chat needs to know of it, read for many chats at once."""

    is_private: bool
    timezone: str | None
    mention: str | None
    language: str | None = None  # its saved language (None: not chosen, remembered or known)


class Recipient(NamedTuple):
    """A chat a fan-out reaches, with the settings it had when the fan-out read it."""

    platform: str
    chat_id: str
    is_private: bool
    timezone: str | None
    leads: str | None
    mention: str | None = None  # whom the chat's reminders mention
    language: str | None = None  # the language it reads (None: not chosen yet)


@dataclass(frozen=True)
class Delivery:
    """The ledger's unique key of one send."""

    kind: JobKind
    job: str
    platform: str
    chat_id: str


@dataclass(frozen=True)
class Pending:
    """A delivery to try again."""

    delivery: Delivery
    attempts: int
    expires_at: int


class JobPlatform(NamedTuple):
    """One job's deliveries on one platform (the ledger's key without the chat), and the sender
    generation that took them (None: no shared queue; any claimed row)."""

    kind: JobKind
    job: str
    platform: str
    sender: int | None = None


class SentRange(NamedTuple):
    """Every row one claim stamped, from the first chat to the last, was sent."""

    kind: JobKind
    job: str
    platform: str
    stamp: int
    first: str
    last: str
    sender: int | None = None  # the generation that claimed them (None: no shared queue)


class Outcome(NamedTuple):
    """A delivery that was not sent: failed (retried at `retry_at`) or dropped for good."""

    kind: JobKind
    job: str
    platform: str
    chat_id: str
    state: FailedState
    error: str
    retry_at: int | None
    sender: int | None = None  # the generation that took the row (None: no shared queue)


@dataclass(frozen=True)
class FeedState:
    """What the poller remembers of one feed between polls and across restarts."""

    feed: str
    url: str
    etag: str | None = None
    last_modified: str | None = None
    healthy: bool = True
    failures: int = 0
    last_error: str | None = None
    next_poll_at: int | None = None
    baseline_at: int | None = None


class SeenEntry(NamedTuple):
    """An entry a poll saw: its id, its normalised link ('' for none), and whether it was delivered."""

    entry_id: str
    link: str
    delivered: bool


class AddedFeed(NamedTuple):
    name: str
    url: str


@dataclass(frozen=True)
class StoredArticle:
    feed: str
    article_id: str
    title: str
    link: str
    summary: str
    published: int | None
    received_at: int


class ArticleText(NamedTuple):
    title: str
    link: str
    summary: str
    published: int | None


class Import(NamedTuple):
    """An imported show or person as stored: its JSON, whether it ended, when to read it again."""

    kind: ImportKind
    key: str
    data: str
    ended: bool
    next_refresh_at: int | None


class ImportKey(NamedTuple):
    kind: ImportKind
    key: str


class StoredEdit(NamedTuple):
    """An owner's correction: skip a day, or move an episode to a day and time (in the show's zone)."""

    show_key: str
    kind: EditKind
    day: str
    episode: int | None
    at_time: str | None


class StoredNotice(NamedTuple):
    notice: str  # the change's identity, also the ledger's job key
    show_key: str
    data: str  # JSON (bot.domain.changes.Notice)
    expires_at: int


@dataclass(frozen=True)
class LedgerJob:
    """What one claim is about: the job's kind and key, and when its deliveries stop being timely."""

    kind: JobKind
    job: str
    expires_at: int  # Unix seconds


@dataclass(frozen=True)
class CatalogChange:
    """What one catalog change stores, in one transaction: imports, owners' edits, and its notices."""

    imports: Sequence[Import] = ()
    edits: Sequence[StoredEdit] = ()
    notices: Sequence[StoredNotice] = ()


def encode_leads(minutes: Iterable[int]) -> str:
    return ",".join(str(m) for m in sorted(set(minutes), reverse=True))


def decode_leads(text: str | None) -> tuple[int, ...] | None:
    return tuple(int(m) for m in text.split(",")) if text else None
