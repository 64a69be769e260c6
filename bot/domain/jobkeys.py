"""Typed job keys: what a delivery job is, as a small frozen value, and the one place that turns
the ledger's stored strings back into those values.

The ledger identifies a send by (kind, job, platform, chat). `kind` is one of `JOB_KINDS` (the
delivery lanes); `job` is the key's `encode()`, exactly the strings the bot has always stored,
so rows written by an older process are still recognised (no migration):

- `ReminderKey`: "<airing key>|<lead minutes>" (kind "reminder")
- `NewsKey`: "<feed>|<article id>" (kind "news"); feed names are non-empty and hold no "|"
- `DigestKey`: "|digest|<hour>" (kind "news"); no feed name is empty, so no article's key starts with "|"
- `ReleaseKey`: "<show>#<episode>@<YYYYMMDD>" (kind "release")
- `NoticeKey`: "<change>:<show>:<digest>" (kind "notice")

`decode(kind, text)` is the only code that reads a stored key; `Rebuilders` maps each key type to
the function that rebuilds its job for a retry, and logs and skips a key it cannot read.
Pure: no I/O, no imports from the rest of the bot.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar, Generic, Literal, TypeVar, get_args

log = logging.getLogger(__name__)

JobKind = Literal["reminder", "release", "notice", "news"]  # the ledger's `kind` column, one lane each
JOB_KINDS: tuple[JobKind, ...] = get_args(JobKind)

DIGEST_PREFIX = "|digest|"
_INT = re.compile(r"-?[0-9]+")
_DAY = re.compile(r"[0-9]{8}")


class BadKey(ValueError):
    """A stored key that names no job of its kind (garbled, or written by something else)."""


def _int(text: str, what: str) -> int:
    if not _INT.fullmatch(text):
        raise BadKey(f"{what} {text!r} is not a whole number")
    return int(text)


@dataclass(frozen=True)
class ReminderKey:
    """The reminder of one airing (`Airing.key`) at one lead time, in minutes."""

    airing: str
    lead: int
    kind: ClassVar[JobKind] = "reminder"

    def encode(self) -> str:
        return f"{self.airing}|{self.lead}"

    @classmethod
    def decode(cls, text: str) -> ReminderKey:
        airing, bar, lead = text.rpartition("|")
        if not bar or not airing:
            raise BadKey(f"{text!r} is no reminder key (airing|lead)")
        return cls(airing, _int(lead, "lead"))


@dataclass(frozen=True)
class NewsKey:
    """One article of one feed."""

    feed: str
    article: str
    kind: ClassVar[JobKind] = "news"

    def __post_init__(self) -> None:
        if not self.feed or "|" in self.feed:
            raise BadKey(f"feed name {self.feed!r} must be non-empty and must not contain '|'")

    def encode(self) -> str:
        return f"{self.feed}|{self.article}"

    @classmethod
    def decode(cls, text: str) -> NewsKey:
        feed, bar, article = text.partition("|")
        if not bar:
            raise BadKey(f"{text!r} is no news key (feed|article)")
        return cls(feed, article)


@dataclass(frozen=True)
class DigestKey:
    """The digest of the articles held over chats' hourly caps in the clock hour starting at `hour` (Unix seconds)."""

    hour: int
    kind: ClassVar[JobKind] = "news"

    def encode(self) -> str:
        return f"{DIGEST_PREFIX}{self.hour}"

    @classmethod
    def decode(cls, text: str) -> DigestKey:
        if not text.startswith(DIGEST_PREFIX):
            raise BadKey(f"{text!r} is no digest key")
        return cls(_int(text.removeprefix(DIGEST_PREFIX), "hour"))


@dataclass(frozen=True)
class ReleaseKey:
    """A streaming release: one episode of a show, out on a date with no time of day."""

    show: str
    episode: int
    day: date
    kind: ClassVar[JobKind] = "release"

    def encode(self) -> str:
        return f"{self.show}#{self.episode}@{self.day:%Y%m%d}"

    @classmethod
    def decode(cls, text: str) -> ReleaseKey:
        rest, at, day = text.rpartition("@")
        show, hash_, episode = rest.rpartition("#")
        if not at or not hash_ or not show or not _DAY.fullmatch(day):
            raise BadKey(f"{text!r} is no release key (show#episode@YYYYMMDD)")
        try:
            when = datetime.strptime(day, "%Y%m%d").date()
        except ValueError as exc:
            raise BadKey(f"{day!r} is no date") from exc
        return cls(show, _int(episode, "episode"), when)


@dataclass(frozen=True)
class NoticeKey:
    """A change notice for one show: what changed (moved, removed, added, ended) and a digest of
    the airings it names, so the same change is announced once."""

    change: str
    show: str
    digest: str
    kind: ClassVar[JobKind] = "notice"

    def __post_init__(self) -> None:
        if not self.change or ":" in self.change or ":" in self.digest:
            raise BadKey(f"a notice's change {self.change!r} and digest {self.digest!r} must hold no ':'")

    def encode(self) -> str:
        return f"{self.change}:{self.show}:{self.digest}"

    @classmethod
    def decode(cls, text: str) -> NoticeKey:
        change, colon, rest = text.partition(":")
        show, colon2, digest = rest.rpartition(":")
        if not colon or not colon2:
            raise BadKey(f"{text!r} is no notice key (change:show:digest)")
        return cls(change, show, digest)


JobKey = ReminderKey | NewsKey | DigestKey | ReleaseKey | NoticeKey


def decode(kind: str, text: str) -> JobKey:
    """The key a ledger row of `kind` stores as `text`; raises BadKey when it names no job."""
    if kind == "reminder":
        return ReminderKey.decode(text)
    if kind == "news":
        return DigestKey.decode(text) if text.startswith(DIGEST_PREFIX) else NewsKey.decode(text)
    if kind == "release":
        return ReleaseKey.decode(text)
    if kind == "notice":
        return NoticeKey.decode(text)
    raise BadKey(f"unknown job kind {kind!r}; one of {', '.join(JOB_KINDS)}")


J = TypeVar("J")
K = TypeVar("K", ReminderKey, NewsKey, DigestKey, ReleaseKey, NoticeKey)


class Rebuilders(Generic[J]):
    """Key type -> the function that rebuilds its job from a stored key (for a retry); each owner
    of a kind of job registers its own. `rebuild` is the one way back from a ledger row to a job."""

    def __init__(self) -> None:
        self._by_type: dict[type, Callable[[Any, datetime], Awaitable[J | None]]] = {}

    def register(self, key_type: type[K], rebuild: Callable[[K, datetime], Awaitable[J | None]]) -> None:
        """`rebuild(key, expires)`: the job, or None when what it was about is gone."""
        self._by_type[key_type] = rebuild

    async def rebuild(self, kind: str, text: str, expires: datetime) -> J | None:
        """The job a ledger row (`kind`, `text`) names, or None: gone, or a key that cannot be read
        (logged and skipped, never raised)."""
        try:
            key = decode(kind, text)
        except BadKey as exc:
            log.warning("skipping a stored %s delivery whose key cannot be read: %s", kind, exc)
            return None
        rebuild = self._by_type.get(type(key))
        if rebuild is None:
            log.warning("skipping stored %s delivery %r: nothing here rebuilds %s jobs", kind, text, type(key).__name__)
            return None
        return await rebuild(key, expires)
