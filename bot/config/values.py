"""The checks behind each configuration key: strict about types (a TOML string is not a number,
`true` is not a count), each raising ValueError with the sentence the operator reads after the key.

Every check also takes the value already checked (a timedelta, a ZoneInfo...), so a section can be
built in code with typed values, and the defaults are checked like anything else.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import time, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from ..domain.dbfile import NotSqlite, is_postgres, sqlite_path
from ..domain.zones import LeadError, ZoneError, format_lead, parse_lead, parse_leads, resolve_zone

Check = Callable[[Any], Any]


class KeyProblem(ValueError):
    """A problem found by a check over a whole section, naming the key within it."""

    def __init__(self, key: str, problem: str):
        super().__init__(problem)
        self.key = key


def _is_number(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float))


def text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a string, got {value!r}")
    return value


def stripped(value: Any) -> str:
    return text(value).strip()


def flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {value!r}")
    return value


def number(low: float, high: float, problem: str = "expected a number from {low:g} to {high:g}") -> Check:
    def check(value: Any) -> float:
        if not _is_number(value) or not low <= value <= high:
            raise ValueError(problem.format(low=low, high=high) + f", got {value!r}")
        return float(value)

    return check


def rate(high: float) -> Check:
    def check(value: Any) -> float:
        if not _is_number(value) or not 0 < value <= high:
            raise ValueError(f"expected a number above 0 and at most {high:g}, got {value!r}")
        return float(value)

    return check


def whole(low: int, high: int) -> Check:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"expected a whole number from {low} to {high}, got {value!r}")
        return value

    return check


def duration(low: timedelta, problem: str, *, below: str = "must be at least {low}") -> Check:
    """A lead-style duration ("15m", "2d") of at least `low`: `problem` is said of anything else,
    `below` of a shorter one."""

    def check(value: Any) -> timedelta:
        if isinstance(value, timedelta):
            span: timedelta | None = value
        else:
            try:
                span = parse_lead(value) if isinstance(value, str) else None
            except LeadError:
                span = None
        if span is None:
            raise ValueError(problem.format(low=format_lead(low), value=value))
        if span < low:
            raise ValueError(below.format(low=format_lead(low), value=value))
        return span

    return check


def database(value: Any) -> str:
    if not text(value).strip():
        raise ValueError("must not be empty")
    if is_postgres(value):
        return value
    try:
        return sqlite_path(value)
    except NotSqlite as exc:
        raise ValueError(str(exc)) from None


def zone(value: Any) -> ZoneInfo:
    if isinstance(value, ZoneInfo):
        return value
    try:
        return resolve_zone(text(value))
    except ZoneError as exc:
        raise ValueError(str(exc)) from None


def leads(value: Any) -> tuple[timedelta, ...]:
    if isinstance(value, tuple) and all(isinstance(v, timedelta) for v in value):
        return value
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f'expected a list of lead times like ["30m"], got {value!r}')
    try:
        return parse_leads(value)
    except LeadError as exc:
        raise ValueError(str(exc)) from None


OWNER = re.compile(r"(telegram|discord|console):\S+")


def owners(value: Any) -> frozenset[str]:
    if not isinstance(value, (list, frozenset, set)) or not all(isinstance(v, str) and OWNER.fullmatch(v) for v in value):
        raise ValueError(f'expected a list like ["telegram:12345", "discord:67890"], got {value!r}')
    return frozenset(value)


def url(schemes: tuple[str, ...], problem: str, *, empty: bool = True, trim: bool = True) -> Check:
    """A URL starting with one of `schemes` (or "" where `empty`); `trim`: kept without a trailing slash."""

    def check(value: Any) -> str:
        value = value.strip() if isinstance(value, str) else value
        if isinstance(value, str) and empty and not value:
            return value
        parts = urlsplit(value) if isinstance(value, str) else None
        if parts is None or not value.lower().startswith(schemes) or not parts.hostname:
            raise ValueError(problem.format(value=value))
        return value.rstrip("/") if trim else value

    return check


LISTEN = re.compile(r"(?P<host>[^\s:]+|\[[0-9a-fA-F:]+\]):(?P<port>[0-9]{1,5})")
WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what Telegram accepts as a secret_token


def listen(value: Any) -> str:
    value = stripped(value)
    match = LISTEN.fullmatch(value)
    if not match or not 0 < int(match["port"]) < 65536:
        raise ValueError(f'expected "host:port" like "127.0.0.1:8443", got {value!r}')
    return value


def optional_listen(value: Any) -> str:
    """A "host:port" to listen on, or empty (off)."""
    return listen(value) if stripped(value) else ""


def mode(value: Any) -> str:
    value = stripped(value)
    if value not in ("polling", "webhook"):
        raise ValueError(f'expected "polling" or "webhook", got {value!r}')
    return value


def guild(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"expected a server id (a number), or 0 for none; got {value!r}")
    return value


def shards(value: Any) -> int | str:
    if value != "auto" and (isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 10_000):
        raise ValueError(f'expected "auto" or a shard count from 1; got {value!r}')
    return value


def clock_time(value: Any) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{1,2}:\d{2}", value.strip()):
        hours, minutes = (int(p) for p in value.strip().split(":"))
        if hours < 24 and minutes < 60:
            return time(hours, minutes)
    raise ValueError(f'expected a quoted local time "HH:MM" like "09:00", got {value!r}')


def allow_hosts(value: Any) -> tuple[str, ...]:
    """Host names, addresses or networks ("127.0.0.1", "10.0.0.0/8", "feeds.internal") as written."""
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) and v.strip() and " " not in v.strip() for v in value):
        raise ValueError(f'expected a list of host names or addresses, like ["127.0.0.1"], got {value!r}')
    return tuple(v.strip() for v in value)


# ---- feeds ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedConfig:
    """One RSS or Atom feed: a name for logs and article identity, and its URL."""

    name: str
    url: str


def feed_name(address: str) -> str:
    """The name of a feed given only by URL: its host without "www." ("soompi.com")."""
    host = (urlsplit(address).hostname or "").removeprefix("www.")
    return host or address


FEED_NAME_MAX = 60


def feed_name_problem(name: str) -> str | None:
    """Why `name` cannot name a feed (None: it can): articles are keyed "feed|id"."""
    if "|" in name:
        return f"the feed name {name!r} must not contain '|'"
    if len(name) > FEED_NAME_MAX:
        return f"the feed name {name[:20]!r}… is longer than {FEED_NAME_MAX} characters"
    return None


def feeds(value: Any) -> tuple[FeedConfig, ...]:
    """Feeds as URLs (named after their host) or {name, url} tables, names unique."""
    if isinstance(value, tuple) and all(isinstance(f, FeedConfig) for f in value):
        return value
    if not isinstance(value, list):
        raise ValueError(f"expected a list of feed URLs or {{name, url}} tables, got {value!r}")
    found: list[FeedConfig] = []
    for i, entry in enumerate(value):
        if isinstance(entry, str):
            entry = {"url": entry}
        address = entry.get("url") if isinstance(entry, dict) else None
        address = address.strip() if isinstance(address, str) else ""
        parts = urlsplit(address)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            example = '{name = "...", url = "https://..."}'
            raise ValueError(f"entry {i + 1}: expected an http(s) URL or {example}, got {entry!r}")
        name = entry.get("name", feed_name(address))
        if set(entry) - {"name", "url"} or not isinstance(name, str) or not name.strip():
            raise ValueError(f"entry {i + 1}: expected only a non-empty name and a url, got {entry!r}")
        if problem := feed_name_problem(name.strip()):
            raise ValueError(f"entry {i + 1}: {problem}")
        if any(f.name == name.strip() for f in found):
            raise ValueError(f"entry {i + 1}: two feeds are named {name.strip()!r}; give one a name = \"...\"")
        found.append(FeedConfig(name.strip(), address))
    return tuple(found)
