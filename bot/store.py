"""The database: chats and their settings, subscriptions, articles, and the delivery ledger.

SQLite through aiosqlite, WAL mode, numbered migrations tracked in PRAGMA user_version.
Instants are stored as whole Unix seconds. Every delivery has a unique key (kind, job,
platform, chat), so claiming a delivery twice is a no-op: that is what makes every send
idempotent across restarts.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import functools
import inspect
import itertools
import json
import os
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import aiosqlite

from .dbfile import NotSqlite, sqlite_path

T = TypeVar("T")

MIGRATIONS: tuple[str, ...] = (
    # 1: the first schema
    """
    CREATE TABLE chats (
        platform   TEXT NOT NULL,
        chat_id    TEXT NOT NULL,
        is_private INTEGER NOT NULL,
        timezone   TEXT,              -- NULL: the configured default
        leads      TEXT,              -- minutes, comma-separated, longest first; NULL: the default
        created_at INTEGER NOT NULL,
        PRIMARY KEY (platform, chat_id)
    ) WITHOUT ROWID;
    CREATE TABLE subscriptions (
        platform   TEXT NOT NULL,
        chat_id    TEXT NOT NULL,
        kind       TEXT NOT NULL CHECK (kind IN ('show', 'actor')),
        target     TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (platform, chat_id, kind, target),
        FOREIGN KEY (platform, chat_id) REFERENCES chats (platform, chat_id)
    ) WITHOUT ROWID;
    CREATE INDEX subscriptions_by_target ON subscriptions (kind, target, platform, chat_id);
    CREATE TABLE articles (
        feed        TEXT NOT NULL,
        article_id  TEXT NOT NULL,
        title       TEXT NOT NULL,
        link        TEXT NOT NULL,
        summary     TEXT NOT NULL,
        published   INTEGER,
        received_at INTEGER NOT NULL,
        PRIMARY KEY (feed, article_id)
    );
    CREATE TABLE deliveries (          -- one row per (kind, job, recipient): one send, ever
        kind            TEXT NOT NULL CHECK (kind IN ('reminder', 'news')),
        job             TEXT NOT NULL,     -- airing key|lead minutes, or feed|article id
        platform        TEXT NOT NULL,
        chat_id         TEXT NOT NULL,
        expires_at      INTEGER NOT NULL,  -- not worth sending after this
        state           TEXT NOT NULL CHECK (state IN ('claimed', 'sent', 'failed', 'dropped')),
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER,
        last_error      TEXT,
        sent_at         INTEGER,
        PRIMARY KEY (kind, job, platform, chat_id)
    ) WITHOUT ROWID;
    CREATE INDEX deliveries_to_retry ON deliveries (next_attempt_at) WHERE state IN ('claimed', 'failed');
    CREATE TABLE meta (
        name  TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
    # 2: the retry index holds only rows with a retry time. Fresh claims (NULL) stay out of it,
    # so a fan-out writes each ledger row once instead of also inserting and deleting an index
    # entry (about 40% off marking 100,000 reminders sent). Claims a stopped process left
    # behind are found by a scan at start (`requeue_unfinished`), which is rare.
    """
    DROP INDEX deliveries_to_retry;
    CREATE INDEX deliveries_to_retry ON deliveries (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
    """,
    # 3: a chat the platform says cannot be reached (bot blocked, kicked, DMs closed) is paused:
    # its subscriptions are kept, fan-outs skip it, its next message resumes it.
    """
    ALTER TABLE chats ADD COLUMN paused_at INTEGER;
    ALTER TABLE chats ADD COLUMN paused_reason TEXT;
    """,
    # 4: news feed polling (self-contained; see "news feeds" below): per feed, what the last poll
    # left (conditional GET validators, health, next poll); per entry a feed listed, whether it
    # was delivered, so a restart redelivers nothing and a syndicated copy is recognised by link.
    """
    CREATE TABLE feed_state (
        feed          TEXT PRIMARY KEY,
        url           TEXT NOT NULL,
        etag          TEXT,
        last_modified TEXT,
        healthy       INTEGER NOT NULL DEFAULT 1,
        failures      INTEGER NOT NULL DEFAULT 0,  -- consecutive failed polls
        last_error    TEXT,
        next_poll_at  INTEGER,
        baseline_at   INTEGER                      -- first successful poll; NULL: none yet
    );
    CREATE TABLE feed_entries (
        feed      TEXT NOT NULL,
        entry_id  TEXT NOT NULL,
        link      TEXT NOT NULL,                   -- normalised; '' when the entry has none
        delivered INTEGER NOT NULL,
        seen_at   INTEGER NOT NULL,                -- last poll that listed it
        PRIMARY KEY (feed, entry_id)
    ) WITHOUT ROWID;
    CREATE INDEX feed_entries_delivered_links ON feed_entries (link) WHERE delivered = 1 AND link <> '';
    """,
    # 5: each claim stamps its rows, so a run of its rows sent one after another is confirmed by
    # one key range (claim, first chat, last chat) instead of one lookup per row.
    """
    ALTER TABLE deliveries ADD COLUMN claim INTEGER;
    """,
    # 6: group settings some platforms act on: whom reminders mention (a Discord role id), and
    # whether the platform's own event calendar lists the chat's upcoming episodes.
    """
    ALTER TABLE chats ADD COLUMN mention TEXT;
    ALTER TABLE chats ADD COLUMN events INTEGER NOT NULL DEFAULT 0;
    """,
    # 7: feeds owners add at run time (beside the config's); which shows and actors each stored
    # article names (for /news and digests); the per-chat hourly news cap, and the articles that
    # went over it, kept until the digest at the end of their hour has been queued.
    """
    CREATE TABLE feeds (
        name     TEXT PRIMARY KEY,
        url      TEXT NOT NULL,
        added_by TEXT NOT NULL,          -- "platform:user id" of the owner who added it
        added_at INTEGER NOT NULL
    );
    CREATE TABLE article_targets (     -- columns in key order: SQLite 3.40's quick_check misreads others
        kind       TEXT NOT NULL,
        target     TEXT NOT NULL,
        feed       TEXT NOT NULL,
        article_id TEXT NOT NULL,
        PRIMARY KEY (kind, target, feed, article_id)
    ) WITHOUT ROWID;
    CREATE INDEX articles_by_received ON articles (received_at);
    CREATE TABLE news_quota (
        platform TEXT NOT NULL,
        chat_id  TEXT NOT NULL,
        hour     INTEGER NOT NULL,       -- start of the clock hour (Unix seconds)
        queued   INTEGER NOT NULL,       -- articles queued to the chat in that hour
        PRIMARY KEY (platform, chat_id, hour)
    ) WITHOUT ROWID;
    CREATE TABLE news_digest (
        platform   TEXT NOT NULL,
        chat_id    TEXT NOT NULL,
        hour       INTEGER NOT NULL,
        feed       TEXT NOT NULL,
        article_id TEXT NOT NULL,
        queued     INTEGER NOT NULL DEFAULT 0,  -- 1 once the hour's digest was claimed for the chat
        PRIMARY KEY (platform, chat_id, hour, feed, article_id)
    ) WITHOUT ROWID;
    CREATE INDEX news_digest_pending ON news_digest (hour) WHERE queued = 0;
    """,
    # 8: a live catalog. Shows and people imported from TVmaze (their JSON as dramabot keeps it,
    # and when each is read again), owners' corrections, and the change notices a catalog change
    # produced (announced once: a notice is stored with the change itself, in one transaction,
    # and marked announced once its ledger rows are claimed). The ledger learns two kinds, 'notice'
    # and 'release' (a streaming episode's date, bot.releases); SQLite cannot alter a CHECK
    # constraint, so `deliveries` is copied into a new table.
    """
    CREATE TABLE deliveries_v8 (
        kind            TEXT NOT NULL CHECK (kind IN ('reminder', 'news', 'notice', 'release')),
        job             TEXT NOT NULL,
        platform        TEXT NOT NULL,
        chat_id         TEXT NOT NULL,
        expires_at      INTEGER NOT NULL,
        state           TEXT NOT NULL CHECK (state IN ('claimed', 'sent', 'failed', 'dropped')),
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER,
        last_error      TEXT,
        sent_at         INTEGER,
        claim           INTEGER,
        PRIMARY KEY (kind, job, platform, chat_id)
    ) WITHOUT ROWID;
    INSERT INTO deliveries_v8 SELECT kind, job, platform, chat_id, expires_at, state, attempts, next_attempt_at,
        last_error, sent_at, claim FROM deliveries;
    DROP TABLE deliveries;
    ALTER TABLE deliveries_v8 RENAME TO deliveries;
    CREATE INDEX deliveries_to_retry ON deliveries (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
    CREATE TABLE catalog_imports (
        kind            TEXT NOT NULL CHECK (kind IN ('show', 'person')),
        key             TEXT NOT NULL,     -- 'tvmaze:123', 'tvmaze:person:45'
        data            TEXT NOT NULL,     -- JSON (bot.tvmaze.ImportedShow / ImportedPerson)
        ended           INTEGER NOT NULL DEFAULT 0,
        refreshed_at    INTEGER NOT NULL,
        next_refresh_at INTEGER,           -- NULL: never again (an ended show)
        PRIMARY KEY (kind, key)
    ) WITHOUT ROWID;
    CREATE INDEX catalog_imports_due ON catalog_imports (next_refresh_at) WHERE next_refresh_at IS NOT NULL;
    CREATE TABLE catalog_edits (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        show_key   TEXT NOT NULL,
        kind       TEXT NOT NULL CHECK (kind IN ('skip', 'move')),
        day        TEXT NOT NULL,          -- YYYY-MM-DD in the show's zone
        episode    INTEGER,                -- move: the episode
        at_time    TEXT,                   -- move: HH:MM in the show's zone
        created_at INTEGER NOT NULL
    );
    CREATE TABLE catalog_notices (
        notice       TEXT PRIMARY KEY,     -- the change's identity, also the ledger's job key
        show_key     TEXT NOT NULL,
        data         TEXT NOT NULL,        -- JSON (bot.changes.Notice)
        expires_at   INTEGER NOT NULL,
        announced_at INTEGER               -- NULL: its ledger rows are not claimed yet
    );
    CREATE INDEX catalog_notices_pending ON catalog_notices (expires_at) WHERE announced_at IS NULL;
    """,
)


ARTICLE_SUMMARY_KEEP = 2000  # characters of an article's summary kept (messages show 300)
ARTICLE_TITLE_KEEP = 500  # and of its title (messages show 200)
ARTICLE_LINK_KEEP = 2000
LAST_UNMATCHED = "last_unmatched_article|"  # meta: per feed, the newest article that named nothing


class StoreError(Exception):
    """The database cannot be opened or used; the message names the file."""


class InstanceLock:
    """An exclusive lock on the database file itself, held while a bot runs on it.

    The lock is taken on the file the path resolves to (symlinks and `..` followed), with
    flock on a descriptor of that file, so another spelling of the path, a symlink, or deleting
    a file beside it cannot let a second bot in. (flock locks are apart from SQLite's own POSIX
    record locks; the descriptor stays open until the database is closed.) `<database>.lock`
    beside the file only tells whom a refusal names. The operating system drops the lock when
    the process ends, even by SIGKILL, so a crash never leaves a stale lock behind. Scale-out on
    a shared database needs PostgreSQL (later).
    """

    def __init__(self, fd: int, path: str, given: str = ""):
        self._fd: int | None = fd
        self.path = path  # the database file locked (resolved)
        self.given = given or path  # the path as configured (named in messages)
        self._where = os.path.abspath(self.given)  # what it names, whatever the working directory becomes

    @classmethod
    def take(cls, database: str) -> InstanceLock:
        path = os.path.realpath(database)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            holder = _read_small(f"{path}.lock")
            who = f" (process {holder})" if holder.isdigit() else ""
            raise StoreError(f"{database}: another dramabot is already running on this database{who}") from None
        try:
            with open(f"{path}.lock", "w", encoding="ascii") as note:
                note.write(str(os.getpid()))
        except OSError:
            pass  # only the refusal's detail
        return cls(fd, path, database)

    def problem(self) -> str | None:
        """Why the configured path no longer leads to the file this lock holds open (None: it
        does). Two system calls, no I/O beyond the inode: cheap enough to ask every few seconds."""
        if self._fd is None:
            return None
        held = os.fstat(self._fd)
        try:
            now = os.stat(self._where)
        except FileNotFoundError:
            return f"the database file {self.given} was deleted"
        except OSError as exc:
            return f"the database file {self.given} cannot be reached ({exc.strerror})"
        if (now.st_dev, now.st_ino) != (held.st_dev, held.st_ino):
            return f"the database file {self.given} was replaced (the path leads to another file now)"
        return None

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _read_small(path: str) -> str:
    try:
        with open(path, encoding="ascii", errors="replace") as file:
            return file.read(32).strip()
    except OSError:
        return ""


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


class Recipient(NamedTuple):
    """A chat a fan-out reaches, with the settings it had when the fan-out read it."""

    platform: str
    chat_id: str
    is_private: bool
    timezone: str | None
    leads: str | None
    mention: str | None = None  # whom the chat's reminders mention


@dataclass(frozen=True)
class Delivery:
    """The ledger's unique key of one send."""

    kind: str  # "reminder" | "news" | "notice" | "release"
    job: str
    platform: str
    chat_id: str


@dataclass(frozen=True)
class Pending:
    """A delivery to try again."""

    delivery: Delivery
    attempts: int
    expires_at: int


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


@dataclass(frozen=True)
class StoredArticle:
    feed: str
    article_id: str
    title: str
    link: str
    summary: str
    published: int | None
    received_at: int


def encode_leads(minutes: Iterable[int]) -> str:
    return ",".join(str(m) for m in sorted(set(minutes), reverse=True))


def decode_leads(text: str | None) -> tuple[int, ...] | None:
    return tuple(int(m) for m in text.split(",")) if text else None


class Store:
    """Async repository over one SQLite database; open with `await Store.open(path)`."""

    def __init__(self, db: aiosqlite.Connection, path: str, lock: InstanceLock | None = None):
        self._db = db
        self.path = path
        self._lock = lock
        self._turn = asyncio.Lock()  # one method's statements at a time: they share one connection
        self._turn_holder: asyncio.Task | None = None

    @classmethod
    async def open(cls, path: str | Path, *, exclusive: bool = True) -> Store:
        """Open (creating and migrating) the database. `exclusive` takes the database's instance
        lock first: a second bot on the same file is refused with a StoreError naming it."""
        try:
            path = sqlite_path(str(path))
        except NotSqlite as exc:
            raise StoreError(str(exc)) from None
        lock = None
        try:
            if path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
                lock = InstanceLock.take(path) if exclusive else None
            db = await aiosqlite.connect(lock.path if lock else path)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"{path}: cannot open the database: {exc}") from None
        try:
            await db.execute("PRAGMA busy_timeout=5000")
            async with db.execute("PRAGMA quick_check") as cur:
                problems = [row[0] for row in await cur.fetchall()]
            if problems != ["ok"]:
                first = " ".join(" ".join(problems).split())[:120]
                raise StoreError(f"{path}: the database is damaged ({first}…); restore a backup")
            await db.execute("PRAGMA journal_mode=WAL")
            await db.execute("PRAGMA synchronous=NORMAL")
            await db.execute("PRAGMA foreign_keys=ON")
            store = cls(db, path, lock)
            await store._migrate()
        except sqlite3.DatabaseError as exc:
            await db.close()
            if lock:
                lock.release()
            raise StoreError(f"{path}: cannot use the database: {exc}") from None
        except BaseException:
            await db.close()
            if lock:
                lock.release()
            raise
        return store

    @contextlib.asynccontextmanager
    async def atomic(self) -> AsyncIterator[None]:
        """Run the store methods this task calls inside the block as one transaction: each one's
        commit waits for the end of the block, and an exception anywhere in it rolls them all
        back. No other task's store calls run meanwhile (they wait their turn)."""
        task = asyncio.current_task()
        if self._turn_holder is task:  # already inside one: part of it
            yield
            return
        async with self._turn:
            self._turn_holder = task
            real = self._db
            self._db = _CommitAtEnd(real)  # type: ignore[assignment]
            try:
                yield
                await real.commit()
            except BaseException:
                await real.rollback()
                raise
            finally:
                self._db = real
                self._turn_holder = None

    def file_problem(self) -> str | None:
        """Why the database's path no longer names the file this store writes to (deleted, or
        replaced by another file), else None. Only a store holding the instance lock knows."""
        return self._lock.problem() if self._lock is not None else None

    async def close(self) -> None:
        try:
            await self._db.close()
        finally:
            if self._lock is not None:
                self._lock.release()
                self._lock = None

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """The first row of a query (None when there is none)."""
        async with self._db.execute(sql, params) as cur:
            return await cur.fetchone()

    async def _migrate(self) -> None:
        version = (await self._one("PRAGMA user_version"))[0]
        if version > len(MIGRATIONS):
            raise StoreError(
                f"{self.path}: the database was written by a newer dramabot (schema {version}; "
                f"this one knows up to {len(MIGRATIONS)}); upgrade dramabot"
            )
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            await self._db.executescript(f"BEGIN; {script}; PRAGMA user_version = {number}; COMMIT;")

    async def schema_version(self) -> int:
        return int((await self._one("PRAGMA user_version"))[0])

    # ---- chats and settings -------------------------------------------------------------------

    async def chat(self, platform: str, chat_id: str) -> ChatSettings | None:
        async with self._db.execute(
            "SELECT timezone, leads, paused_reason, is_private, mention, events FROM chats WHERE platform = ? AND chat_id = ?",
            (platform, chat_id),
        ) as cur:
            row = await cur.fetchone()
        if row is None:
            return None
        return ChatSettings(platform, chat_id, row[0], decode_leads(row[1]), row[2], bool(row[3]), row[4], bool(row[5]))

    async def set_mention(self, platform: str, chat_id: str, is_private: bool, mention: str | None, now: int) -> None:
        await self._ensure_chat(platform, chat_id, is_private, now)
        await self._db.execute(
            "UPDATE chats SET mention = ? WHERE platform = ? AND chat_id = ?", (mention, platform, chat_id)
        )
        await self._db.commit()

    async def set_events(self, platform: str, chat_id: str, is_private: bool, on: bool, now: int) -> None:
        await self._ensure_chat(platform, chat_id, is_private, now)
        await self._db.execute(
            "UPDATE chats SET events = ? WHERE platform = ? AND chat_id = ?", (int(on), platform, chat_id)
        )
        await self._db.commit()

    async def chats_with_events(self, platform: str) -> list[str]:
        """Chats of a platform that asked for their episodes in its event calendar."""
        async with self._db.execute(
            "SELECT chat_id FROM chats WHERE platform = ? AND events = 1 ORDER BY chat_id", (platform,)
        ) as cur:
            return [row[0] for row in await cur.fetchall()]

    async def chat_flags(
        self, chats: Iterable[tuple[str, str]]
    ) -> dict[tuple[str, str], tuple[bool, str | None, str | None]]:
        """(is_private, timezone, mention) of many chats at once, by (platform, chat_id)."""
        found: dict[tuple[str, str], tuple[bool, str | None, str | None]] = {}
        for platform, group in itertools.groupby(sorted(set(chats)), key=lambda c: c[0]):
            async with self._db.execute(
                "SELECT chat_id, is_private, timezone, mention FROM chats WHERE platform = ? "
                "AND chat_id IN (SELECT value FROM json_each(?))",
                (platform, json.dumps([chat for _, chat in group])),
            ) as cur:
                for chat_id, private, zone, mention in await cur.fetchall():
                    found[(platform, chat_id)] = (bool(private), zone, mention)
        return found

    async def pause_chat(self, platform: str, chat_id: str, reason: str, now: int) -> bool:
        """Mark a chat unreachable; True when it was not paused before."""
        cur = await self._db.execute(
            "UPDATE chats SET paused_at = ?, paused_reason = ? WHERE platform = ? AND chat_id = ? AND paused_at IS NULL",
            (now, reason[:200], platform, chat_id),
        )
        await self._db.commit()
        return cur.rowcount == 1

    async def resume_chat(self, platform: str, chat_id: str) -> str | None:
        """Deliver to a paused chat again; returns why it had been paused (None: it was not)."""
        async with self._db.execute(
            "SELECT paused_reason FROM chats WHERE platform = ? AND chat_id = ? AND paused_at IS NOT NULL",
            (platform, chat_id),
        ) as cur:
            row = await cur.fetchone()
        if row is None:
            return None
        await self._db.execute(
            "UPDATE chats SET paused_at = NULL, paused_reason = NULL WHERE platform = ? AND chat_id = ?", (platform, chat_id)
        )
        await self._db.commit()
        return row[0] or "it could not be reached"

    async def move_chat(self, platform: str, old: str, new: str) -> None:
        """A chat got a new id: its settings, subscriptions, pending deliveries, the hour's news
        count and the articles held for its digest move there.
        Where the new id already has something, what it has wins."""
        try:
            await self._db.execute(
                "INSERT OR IGNORE INTO chats (platform, chat_id, is_private, timezone, leads, mention, events, created_at) "
                "SELECT platform, ?, is_private, timezone, leads, mention, events, created_at FROM chats "
                "WHERE platform = ? AND chat_id = ?",
                (new, platform, old),
            )
            await self._db.execute(
                "INSERT OR IGNORE INTO subscriptions (platform, chat_id, kind, target, created_at) "
                "SELECT platform, ?, kind, target, created_at FROM subscriptions WHERE platform = ? AND chat_id = ?",
                (new, platform, old),
            )
            await self._db.execute(
                "DELETE FROM subscriptions WHERE platform = ? AND chat_id = ?", (platform, old)
            )
            await self._db.execute(
                "UPDATE OR IGNORE deliveries SET chat_id = ? WHERE platform = ? AND chat_id = ?", (new, platform, old)
            )
            await self._db.execute("DELETE FROM deliveries WHERE platform = ? AND chat_id = ?", (platform, old))
            await self._move_news_rows(platform=platform, old=old, new=new)
            await self._db.execute("DELETE FROM chats WHERE platform = ? AND chat_id = ?", (platform, old))
            await self._db.commit()
        except BaseException:
            await self._db.rollback()
            raise

    async def _move_news_rows(self, *, platform: str, old: str, new: str) -> None:
        """Part of `move_chat`: the hourly news counts add up at the new id (the cap holds across
        the move), and articles held for a digest wait there."""
        await self._db.execute(
            "INSERT INTO news_quota (platform, chat_id, hour, queued) "
            "SELECT platform, ?, hour, queued FROM news_quota WHERE platform = ? AND chat_id = ? AND true "
            "ON CONFLICT (platform, chat_id, hour) DO UPDATE SET queued = queued + excluded.queued",
            (new, platform, old),
        )
        await self._db.execute("DELETE FROM news_quota WHERE platform = ? AND chat_id = ?", (platform, old))
        await self._db.execute(
            "UPDATE OR IGNORE news_digest SET chat_id = ? WHERE platform = ? AND chat_id = ?", (new, platform, old)
        )
        await self._db.execute("DELETE FROM news_digest WHERE platform = ? AND chat_id = ?", (platform, old))

    async def _ensure_chat(self, platform: str, chat_id: str, is_private: bool, now: int) -> None:
        await self._db.execute(
            "INSERT OR IGNORE INTO chats (platform, chat_id, is_private, created_at) VALUES (?, ?, ?, ?)",
            (platform, chat_id, int(is_private), now),
        )

    async def set_timezone(self, platform: str, chat_id: str, is_private: bool, zone: str, now: int) -> None:
        await self._ensure_chat(platform, chat_id, is_private, now)
        await self._db.execute(
            "UPDATE chats SET timezone = ? WHERE platform = ? AND chat_id = ?", (zone, platform, chat_id)
        )
        await self._db.commit()

    async def set_leads(self, platform: str, chat_id: str, is_private: bool, minutes: Sequence[int], now: int) -> None:
        await self._ensure_chat(platform, chat_id, is_private, now)
        await self._db.execute(
            "UPDATE chats SET leads = ? WHERE platform = ? AND chat_id = ?",
            (encode_leads(minutes), platform, chat_id),
        )
        await self._db.commit()

    # ---- subscriptions ------------------------------------------------------------------------

    async def subscribe(self, platform: str, chat_id: str, is_private: bool, kind: str, target: str, now: int) -> bool:
        """True when the subscription is new."""
        await self._ensure_chat(platform, chat_id, is_private, now)
        cur = await self._db.execute(
            "INSERT OR IGNORE INTO subscriptions (platform, chat_id, kind, target, created_at) VALUES (?, ?, ?, ?, ?)",
            (platform, chat_id, kind, target, now),
        )
        await self._db.commit()
        return cur.rowcount == 1

    async def unsubscribe(self, platform: str, chat_id: str, kind: str, target: str) -> bool:
        """True when there was such a subscription."""
        cur = await self._db.execute(
            "DELETE FROM subscriptions WHERE platform = ? AND chat_id = ? AND kind = ? AND target = ?",
            (platform, chat_id, kind, target),
        )
        await self._db.commit()
        return cur.rowcount == 1

    async def subscriptions(self, platform: str, chat_id: str) -> list[tuple[str, str]]:
        async with self._db.execute(
            "SELECT kind, target FROM subscriptions WHERE platform = ? AND chat_id = ? ORDER BY created_at, kind, target",
            (platform, chat_id),
        ) as cur:
            return [(kind, target) for kind, target in await cur.fetchall()]

    async def lead_settings_in_use(self) -> set[str | None]:
        """Distinct stored lead settings of chats that follow anything (None: the default)."""
        async with self._db.execute(
            "SELECT DISTINCT leads FROM chats c WHERE EXISTS "
            "(SELECT 1 FROM subscriptions s WHERE s.platform = c.platform AND s.chat_id = c.chat_id)"
        ) as cur:
            return {row[0] for row in await cur.fetchall()}

    async def recipients(self, targets: Sequence[tuple[str, str]]) -> list[Recipient]:
        """Every chat that follows any of the targets and is not paused, once each."""
        if not targets:
            return []
        clause = " OR ".join("(s.kind = ? AND s.target = ?)" for _ in targets)
        params = [v for pair in targets for v in pair]
        columns = "c.platform, c.chat_id, c.is_private, c.timezone, c.leads, c.mention"
        sql = (
            f"SELECT {columns} FROM chats c WHERE c.paused_at IS NULL AND EXISTS "
            f"(SELECT 1 FROM subscriptions s WHERE s.platform = c.platform AND s.chat_id = c.chat_id AND ({clause}))"
            if len(targets) > 1
            else f"SELECT {columns} FROM subscriptions s JOIN chats c ON c.platform = s.platform "
            "AND c.chat_id = s.chat_id WHERE s.kind = ? AND s.target = ? AND c.paused_at IS NULL"
        )
        async with self._db.execute(sql, params) as cur:
            return list(map(Recipient._make, await cur.fetchall()))

    async def news_recipients(
        self, targets: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], tuple[Recipient, list[tuple[str, str]]]]:
        """Every unpaused chat that follows any of the targets, by (platform, chat), with which of
        them it follows."""
        if not targets:
            return {}
        found: dict[tuple[str, str], tuple[Recipient, list[tuple[str, str]]]] = {}
        async with self._db.execute(  # one index search per target (a row-value IN would scan them all)
            "SELECT c.platform, c.chat_id, c.is_private, c.timezone, c.leads, s.kind, s.target "
            "FROM json_each(?) j JOIN subscriptions s ON s.kind = j.value ->> 0 AND s.target = j.value ->> 1 "
            "JOIN chats c ON c.platform = s.platform AND c.chat_id = s.chat_id WHERE c.paused_at IS NULL",
            (json.dumps(sorted(set(targets))),),
        ) as cur:
            for platform, chat, private, zone, leads, kind, target in await cur.fetchall():
                entry = found.get((platform, chat))
                if entry is None:
                    entry = found[(platform, chat)] = (Recipient(platform, chat, bool(private), zone, leads), [])
                entry[1].append((kind, target))
        return found

    async def audience(self, targets: Sequence[tuple[str, str]]) -> dict[str, int]:
        """How many unpaused chats per platform follow any of the targets (for deadline plans),
        counted by the database: one index search per target, no row read back."""
        if not targets:
            return {}
        async with self._db.execute(
            "SELECT f.platform, COUNT(*) FROM (SELECT DISTINCT s.platform, s.chat_id FROM json_each(?) j "
            "JOIN subscriptions s ON s.kind = j.value ->> 0 AND s.target = j.value ->> 1) f "
            "JOIN chats c ON c.platform = f.platform AND c.chat_id = f.chat_id WHERE c.paused_at IS NULL "
            "GROUP BY f.platform",
            (json.dumps(sorted(set(targets))),),
        ) as cur:
            return {platform: count for platform, count in await cur.fetchall()}

    # ---- articles -----------------------------------------------------------------------------

    async def save_article(
        self, feed: str, article_id: str, title: str, link: str, summary: str, published: int | None, now: int
    ) -> bool:
        """True when the article is new. What is kept is bounded whatever the feed sent: the
        summary's first ARTICLE_SUMMARY_KEEP characters, the title's ARTICLE_TITLE_KEEP."""
        cur = await self._db.execute(
            "INSERT OR IGNORE INTO articles (feed, article_id, title, link, summary, published, received_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (feed, article_id, title[:ARTICLE_TITLE_KEEP], link[:ARTICLE_LINK_KEEP], summary[:ARTICLE_SUMMARY_KEEP],
             published, now),
        )
        await self._db.commit()
        return cur.rowcount == 1

    async def note_unmatched_article(self, *, feed: str, article_id: str, title: str, link: str, now: int) -> None:
        """An article that names nothing in the catalog is not kept (its entry's identity, in
        `feed_entries`, is what dedupes it); only the newest one per feed is noted, for /feeds."""
        await self._db.execute(
            "INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            (f"{LAST_UNMATCHED}{feed}",
             json.dumps([article_id, title[:ARTICLE_TITLE_KEEP], link[:ARTICLE_LINK_KEEP], now], ensure_ascii=False)),
        )
        await self._db.commit()

    async def prune_articles(self, *, before: int) -> int:
        """Forget articles received before `before` and any that names nothing (kept by earlier
        versions), with what they named; an article held for a digest not sent yet stays."""
        cur = await self._db.execute(
            "DELETE FROM articles WHERE (received_at < ? OR NOT EXISTS (SELECT 1 FROM article_targets t "
            "WHERE t.feed = articles.feed AND t.article_id = articles.article_id)) AND NOT EXISTS (SELECT 1 FROM "
            "news_digest d WHERE d.feed = articles.feed AND d.article_id = articles.article_id AND d.queued = 0)",
            (before,),
        )
        await self._db.execute(
            "DELETE FROM article_targets WHERE NOT EXISTS (SELECT 1 FROM articles a "
            "WHERE a.feed = article_targets.feed AND a.article_id = article_targets.article_id)"
        )
        await self._db.commit()
        return cur.rowcount

    async def save_article_targets(self, feed: str, article_id: str, targets: Iterable[tuple[str, str]]) -> None:
        """Remember which (kind, key) targets an article names."""
        await self._db.executemany(
            "INSERT OR IGNORE INTO article_targets (feed, article_id, kind, target) VALUES (?, ?, ?, ?)",
            [(feed, article_id, kind, key) for kind, key in targets],
        )
        await self._db.commit()

    async def article_targets(self, feed: str, article_id: str) -> list[tuple[str, str]]:
        """The (kind, key) targets a stored article named when it arrived."""
        async with self._db.execute(
            "SELECT kind, target FROM article_targets WHERE feed = ? AND article_id = ? ORDER BY kind, target",
            (feed, article_id),
        ) as cur:
            return [(kind, target) for kind, target in await cur.fetchall()]

    async def latest_articles(self, targets: Sequence[tuple[str, str]], limit: int) -> list[StoredArticle]:
        """The `limit` most recently received articles naming any of `targets`, newest first."""
        if not targets:
            return []
        async with self._db.execute(
            "SELECT a.feed, a.article_id, a.title, a.link, a.summary, a.published, a.received_at FROM articles a "
            "JOIN (SELECT DISTINCT t.feed, t.article_id FROM json_each(?) j JOIN article_targets t "
            "      ON t.kind = j.value ->> 0 AND t.target = j.value ->> 1) m "
            "ON m.feed = a.feed AND m.article_id = a.article_id "
            "ORDER BY a.received_at DESC, a.published DESC, a.feed, a.article_id LIMIT ?",
            (json.dumps(sorted(set(targets))), limit),
        ) as cur:
            return [StoredArticle(*row) for row in await cur.fetchall()]

    async def last_articles(self, feeds: Sequence[str]) -> dict[str, StoredArticle]:
        """Each feed's most recently received article (kept, or noted as naming nothing)."""
        found: dict[str, StoredArticle] = {}
        for feed in feeds:
            row = await self._one(
                "SELECT feed, article_id, title, link, summary, published, received_at FROM articles "
                "WHERE feed = ? ORDER BY received_at DESC, article_id DESC LIMIT 1",
                (feed,),
            )
            noted = await self._one("SELECT value FROM meta WHERE name = ?", (f"{LAST_UNMATCHED}{feed}",))
            if noted is not None:
                article_id, title, link, received = json.loads(noted[0])
                if row is None or received > row[6]:
                    row = (feed, article_id, title, link, "", None, received)
            if row is not None:
                found[feed] = StoredArticle(*row)
        return found

    async def article(self, feed: str, article_id: str) -> tuple[str, str, str, int | None] | None:
        """(title, link, summary, published) of a stored article."""
        row = await self._one(
            "SELECT title, link, summary, published FROM articles WHERE feed = ? AND article_id = ?", (feed, article_id)
        )
        return (row[0], row[1], row[2], row[3]) if row else None

    # ---- the per-chat news cap and digests (migration 5) ---------------------------------------

    async def take_news_slots(self, hour: int, cap: int, recipients: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        """Count one article against each (platform, chat)'s cap for `hour`; returns the chats
        that were under the cap (and are now counted). One upsert per platform: atomic."""
        taken: set[tuple[str, str]] = set()
        for platform, group in itertools.groupby(sorted(set(recipients)), key=lambda r: r[0]):
            async with self._db.execute(
                "INSERT INTO news_quota (platform, chat_id, hour, queued) "
                "SELECT ?, value, ?, 1 FROM json_each(?) WHERE true "
                "ON CONFLICT (platform, chat_id, hour) DO UPDATE SET queued = queued + 1 WHERE queued < ? "
                "RETURNING chat_id",
                (platform, hour, json.dumps([chat for _, chat in group]), cap),
            ) as cur:
                taken.update((platform, chat) for (chat,) in await cur.fetchall())
        await self._db.commit()
        return taken

    async def hold_for_digest(self, hour: int, feed: str, article_id: str, chats: Iterable[tuple[str, str]]) -> None:
        """Keep an article for the digests of these chats at the end of `hour`."""
        await self._db.executemany(
            "INSERT OR IGNORE INTO news_digest (platform, chat_id, hour, feed, article_id) VALUES (?, ?, ?, ?, ?)",
            [(platform, chat, hour, feed, article_id) for platform, chat in chats],
        )
        await self._db.commit()

    async def next_digest_hour(self) -> int | None:
        """The earliest hour with articles held for a digest not queued yet."""
        row = await self._one("SELECT MIN(hour) FROM news_digest WHERE queued = 0")
        return row[0]

    async def digest_chats(self, hour: int) -> list[tuple[str, str]]:
        """The chats with articles held for the digest of `hour`, not queued yet."""
        async with self._db.execute(
            "SELECT DISTINCT platform, chat_id FROM news_digest WHERE hour = ? AND queued = 0 ORDER BY platform, chat_id",
            (hour,),
        ) as cur:
            return [(platform, chat) for platform, chat in await cur.fetchall()]

    async def digest_queued(self, hour: int) -> None:
        await self._db.execute("UPDATE news_digest SET queued = 1 WHERE hour = ? AND queued = 0", (hour,))
        await self._db.commit()

    async def digest_articles(self, platform: str, chat_id: str, hour: int) -> list[StoredArticle]:
        """The articles held for one chat's digest of `hour` that name something it still follows,
        in the order they arrived."""
        async with self._db.execute(
            "SELECT a.feed, a.article_id, a.title, a.link, a.summary, a.published, a.received_at "
            "FROM news_digest d JOIN articles a ON a.feed = d.feed AND a.article_id = d.article_id "
            "WHERE d.platform = ? AND d.chat_id = ? AND d.hour = ? AND EXISTS ("
            "  SELECT 1 FROM article_targets t JOIN subscriptions s ON s.kind = t.kind AND s.target = t.target "
            "  WHERE t.feed = a.feed AND t.article_id = a.article_id AND s.platform = d.platform AND s.chat_id = d.chat_id"
            ") ORDER BY a.received_at, a.feed, a.article_id",
            (platform, chat_id, hour),
        ) as cur:
            return [StoredArticle(*row) for row in await cur.fetchall()]

    async def prune_news(self, before: int) -> int:
        """Forget hourly counts and queued digest entries of hours before `before`."""
        cur = await self._db.execute("DELETE FROM news_quota WHERE hour < ?", (before,))
        removed = cur.rowcount
        cur = await self._db.execute("DELETE FROM news_digest WHERE hour < ? AND queued = 1", (before,))
        await self._db.commit()
        return removed + cur.rowcount

    # ---- feeds owners added at run time (migration 5) ---------------------------------------------

    async def added_feeds(self) -> list[tuple[str, str]]:
        """(name, url) of every feed added at run time, in the order they were added."""
        async with self._db.execute("SELECT name, url FROM feeds ORDER BY added_at, name") as cur:
            return [(name, url) for name, url in await cur.fetchall()]

    async def add_feed(self, name: str, url: str, added_by: str, now: int) -> bool:
        """True when no feed had that name."""
        cur = await self._db.execute(
            "INSERT OR IGNORE INTO feeds (name, url, added_by, added_at) VALUES (?, ?, ?, ?)", (name, url, added_by, now)
        )
        await self._db.commit()
        return cur.rowcount == 1

    async def remove_feed(self, name: str) -> bool:
        """Forget an added feed and its poll state (added again later, it starts afresh)."""
        cur = await self._db.execute("DELETE FROM feeds WHERE name = ?", (name,))
        removed = cur.rowcount == 1
        if removed:
            await self._db.execute("DELETE FROM feed_state WHERE feed = ?", (name,))
        await self._db.commit()
        return removed

    # ---- delivery ledger ----------------------------------------------------------------------

    async def claim(
        self, kind: str, job: str, expires_at: int, recipients: Iterable[Sequence[Any]], *, state: str = "claimed",
        note: str | None = None, stamp: int | None = None,
    ) -> list[tuple[str, str]]:
        """Claim one delivery of `job` per (platform, chat); returns exactly the rows this call
        inserted (duplicates in `recipients` are claimed once), sorted by platform and chat, each
        row stamped with `stamp` (see `record_outcomes`). A recipient that already has a ledger row for this job (sent, failed,
        or claimed by this or another process) is not claimed again: the retry path owns it.

        One `INSERT OR IGNORE ... RETURNING` statement per platform over a JSON array of chat
        ids: two processes (or two fan-outs) can never both claim the same row. `state`
        "dropped" records deliveries that are not to be sent (superseded by a later lead).
        """
        by_platform: dict[str, list[str]] = {}
        for recipient in recipients:  # (platform, chat), or a Recipient
            by_platform.setdefault(recipient[0], []).append(recipient[1])
        claimed: list[tuple[str, str]] = []
        insert = (
            "INSERT OR IGNORE INTO deliveries (kind, job, platform, chat_id, expires_at, state, last_error, claim) "
            "SELECT ?, ?, ?, value, ?, ?, ?, ? FROM json_each(?)"
        )
        for platform, chats in sorted(by_platform.items()):
            chats.sort()
            params = (kind, job, platform, expires_at, state, note, stamp, json.dumps(chats))
            if stamp is None:
                async with self._db.execute(insert + " RETURNING chat_id", params) as cur:
                    inserted = sorted(chat for (chat,) in await cur.fetchall())
            else:
                # The stamp is this claim's own, so "the rows it inserted" is "the rows with its stamp";
                # when it inserted every one it was given (the rule), nothing needs reading back. (No
                # RETURNING here: one statement the database runs without the interpreter's lock.)
                cur = await self._db.execute(insert, params)
                if cur.rowcount == len(chats):
                    inserted = chats
                else:
                    async with self._db.execute(
                        "SELECT chat_id FROM deliveries WHERE kind = ? AND job = ? AND platform = ? AND claim = ? "
                        "ORDER BY chat_id", (kind, job, platform, stamp),
                    ) as found:
                        inserted = [chat for (chat,) in await found.fetchall()]
            claimed.extend([(platform, chat) for chat in inserted])
        await self._db.commit()
        return claimed

    async def record_outcomes(
        self,
        sent: Mapping[tuple[str, str, str], Sequence[str]],
        outcomes: Sequence[tuple[str, str, str, str, str, str, int | None]],
        now: int,
        ranges: Sequence[tuple[str, str, str, int, str, str]] = (),
    ) -> None:
        """Record many delivery outcomes in one transaction.

        `sent` maps (kind, job, platform) to the chats that job reached; `ranges` are
        (kind, job, platform, stamp, first chat, last chat): every row of that claim from the
        first chat to the last was sent (the caller knows they all were); `outcomes` are
        (kind, job, platform, chat, state "failed" or "dropped", error, retry at) rows.
        Only rows still claimed change: an outcome never overwrites a later one.
        """
        try:
            for kind, job, platform, stamp, first, last in ranges:
                await self._db.execute(
                    "UPDATE deliveries SET state = 'sent', sent_at = ?, attempts = attempts + 1, last_error = NULL, "
                    "next_attempt_at = NULL WHERE kind = ? AND job = ? AND platform = ? AND chat_id BETWEEN ? AND ? "
                    "AND claim = ? AND state = 'claimed'",
                    (now, kind, job, platform, first, last, stamp),
                )
            for (kind, job, platform), chats in sent.items():
                await self._db.execute(
                    "UPDATE deliveries SET state = 'sent', sent_at = ?, attempts = attempts + 1, last_error = NULL, "
                    "next_attempt_at = NULL WHERE kind = ? AND job = ? AND platform = ? AND state = 'claimed' "
                    "AND chat_id IN (SELECT value FROM json_each(?))",
                    (now, kind, job, platform, json.dumps(list(chats))),
                )
            if outcomes:
                await self._db.executemany(
                    "UPDATE deliveries SET state = ?, attempts = attempts + 1, last_error = ?, next_attempt_at = ? "
                    "WHERE kind = ? AND job = ? AND platform = ? AND chat_id = ? AND state = 'claimed'",
                    [(state, error, at, kind, job, platform, chat) for kind, job, platform, chat, state, error, at in outcomes],
                )
            await self._db.commit()
        except BaseException:
            await self._db.rollback()
            raise

    async def claim_due_retries(self, now: int) -> list[Pending]:
        """Claim every failed delivery whose retry time has come, in one statement: this process
        now owns them, and a crash from here on retries them again at the next start. Their stamp
        is cleared: a retry is confirmed on its own, never by another claim's key range."""
        async with self._db.execute(
            "UPDATE deliveries SET state = 'claimed', next_attempt_at = NULL, claim = NULL "
            "WHERE next_attempt_at <= ? AND state = 'failed' "
            "RETURNING kind, job, platform, chat_id, attempts, expires_at",
            (now,),
        ) as cur:
            rows = sorted(await cur.fetchall(), key=lambda r: (r[0], r[1], r[2], r[3]))
        await self._db.commit()
        return [Pending(Delivery(*row[:4]), row[4], row[5]) for row in rows]

    async def requeue_unfinished(self, now: int) -> int:
        """At start: claims left by a process that stopped mid-send become retries due now."""
        cur = await self._db.execute(
            "UPDATE deliveries SET state = 'failed', next_attempt_at = ?, last_error = 'interrupted' "
            "WHERE state = 'claimed'",
            (now,),
        )
        await self._db.commit()
        return cur.rowcount

    async def next_retry_at(self) -> int | None:
        row = await self._one("SELECT MIN(next_attempt_at) FROM deliveries WHERE next_attempt_at IS NOT NULL AND state = 'failed'")
        return row[0]

    async def prune(self, before: int) -> int:
        """Forget ledger rows that expired before `before`; their jobs can never fire again."""
        cur = await self._db.execute("DELETE FROM deliveries WHERE expires_at < ?", (before,))
        await self._db.execute("DELETE FROM catalog_notices WHERE expires_at < ?", (before,))  # as old as their deliveries
        await self._db.commit()
        return cur.rowcount

    async def delivery_states(self) -> dict[Delivery, str]:
        """Every ledger row's state, for inspection and tests."""
        async with self._db.execute("SELECT kind, job, platform, chat_id, state FROM deliveries") as cur:
            return {Delivery(*row[:4]): row[4] for row in await cur.fetchall()}

    # ---- meta ---------------------------------------------------------------------------------

    async def get_meta(self, name: str) -> str | None:
        async with self._db.execute("SELECT value FROM meta WHERE name = ?", (name,)) as cur:
            row = await cur.fetchone()
        return row[0] if row else None

    async def set_meta(self, name: str, value: str) -> None:
        await self._db.execute(
            "INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            (name, value),
        )
        await self._db.commit()

    # ---- news feeds (poller state; migration 3) -------------------------------------------------

    async def feed_state(self, feed: str) -> FeedState | None:
        async with self._db.execute(
            "SELECT feed, url, etag, last_modified, healthy, failures, last_error, next_poll_at, baseline_at "
            "FROM feed_state WHERE feed = ?",
            (feed,),
        ) as cur:
            row = await cur.fetchone()
        if row is None:
            return None
        feed_name, url, etag, modified, healthy, failures, error, next_poll, baseline = row
        return FeedState(feed_name, url, etag, modified, bool(healthy), failures, error, next_poll, baseline)

    async def save_feed_state(self, state: FeedState) -> None:
        await self._db.execute(
            "INSERT OR REPLACE INTO feed_state "
            "(feed, url, etag, last_modified, healthy, failures, last_error, next_poll_at, baseline_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (state.feed, state.url, state.etag, state.last_modified, int(state.healthy), state.failures,
             state.last_error, state.next_poll_at, state.baseline_at),
        )
        await self._db.commit()

    async def known_entries(self, feed: str, entry_ids: Sequence[str]) -> set[str]:
        """Which of `entry_ids` this feed has listed before."""
        async with self._db.execute(
            "SELECT entry_id FROM feed_entries WHERE feed = ? AND entry_id IN (SELECT value FROM json_each(?))",
            (feed, json.dumps(list(entry_ids))),
        ) as cur:
            return {row[0] for row in await cur.fetchall()}

    async def link_delivered(self, link: str) -> bool:
        """True when an entry with this (normalised) link was delivered, from any feed."""
        if not link:
            return False
        async with self._db.execute(
            "SELECT 1 FROM feed_entries WHERE link = ? AND delivered = 1 AND link <> '' LIMIT 1", (link,)
        ) as cur:
            return await cur.fetchone() is not None

    async def record_entries(self, feed: str, entries: Iterable[tuple[str, str, bool]], now: int) -> None:
        """Remember (entry id, normalised link, delivered) rows a poll saw; delivered stays true once set."""
        await self._db.executemany(
            "INSERT INTO feed_entries (feed, entry_id, link, delivered, seen_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (feed, entry_id) DO UPDATE SET seen_at = excluded.seen_at, "
            "delivered = max(delivered, excluded.delivered)",
            [(feed, entry_id, link, int(delivered), now) for entry_id, link, delivered in entries],
        )
        await self._db.commit()

    async def prune_entries(self, feed: str, before: int, *, keep: int | None = None) -> int:
        """Forget entries the feed has not listed since `before`, and (given `keep`) all but the
        `keep` it listed most recently."""
        cur = await self._db.execute("DELETE FROM feed_entries WHERE feed = ? AND seen_at < ?", (feed, before))
        removed = cur.rowcount
        if keep is not None:
            cur = await self._db.execute(
                "DELETE FROM feed_entries WHERE feed = ? AND entry_id IN (SELECT entry_id FROM feed_entries "
                "WHERE feed = ? ORDER BY seen_at DESC LIMIT -1 OFFSET ?)",
                (feed, feed, keep),
            )
            removed += cur.rowcount
        await self._db.commit()
        return removed

    # ---- the live catalog (migration 5) --------------------------------------------------------

    async def imports(self, kind: str) -> list[str]:
        """The JSON of every imported show or person ("show", "person")."""
        async with self._db.execute("SELECT data FROM catalog_imports WHERE kind = ? ORDER BY key", (kind,)) as cur:
            return [row[0] for row in await cur.fetchall()]

    async def due_imports(self, now: int) -> list[tuple[str, str]]:
        """(kind, key) of imports whose next refresh has come, earliest first."""
        async with self._db.execute(
            "SELECT kind, key FROM catalog_imports WHERE next_refresh_at <= ? ORDER BY next_refresh_at, kind, key", (now,)
        ) as cur:
            return [(kind, key) for kind, key in await cur.fetchall()]

    async def next_import_refresh(self) -> int | None:
        return (await self._one("SELECT MIN(next_refresh_at) FROM catalog_imports WHERE next_refresh_at IS NOT NULL"))[0]

    async def schedule_refresh(self, kind: str, key: str, at: int | None) -> None:
        await self._db.execute("UPDATE catalog_imports SET next_refresh_at = ? WHERE kind = ? AND key = ?", (at, kind, key))
        await self._db.commit()

    async def edits(self) -> list[tuple[str, str, str, int | None, str | None]]:
        """Owners' corrections in the order made: (show key, "skip" | "move", day, episode, time)."""
        async with self._db.execute("SELECT show_key, kind, day, episode, at_time FROM catalog_edits ORDER BY id") as cur:
            return [tuple(row) for row in await cur.fetchall()]  # type: ignore[misc]

    async def save_catalog_change(
        self,
        *,
        imports: Sequence[tuple[str, str, str, bool, int | None]] = (),
        edits: Sequence[tuple[str, str, str, int | None, str | None]] = (),
        notices: Sequence[tuple[str, str, str, int]] = (),
        now: int,
    ) -> None:
        """One catalog change in one transaction: imports (kind, key, JSON, ended, next refresh),
        edits (as `edits` returns them), and the notices it produced (notice, show key, JSON,
        expires at); a notice already stored is kept as it is."""
        try:
            await self._db.executemany(
                "INSERT INTO catalog_imports (kind, key, data, ended, refreshed_at, next_refresh_at) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (kind, key) DO UPDATE SET data = excluded.data, ended = excluded.ended, "
                "refreshed_at = excluded.refreshed_at, next_refresh_at = excluded.next_refresh_at",
                [(kind, key, data, int(ended), now, at) for kind, key, data, ended, at in imports],
            )
            await self._db.executemany(
                "INSERT INTO catalog_edits (show_key, kind, day, episode, at_time, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                [(*edit, now) for edit in edits],
            )
            await self._db.executemany(
                "INSERT OR IGNORE INTO catalog_notices (notice, show_key, data, expires_at) VALUES (?, ?, ?, ?)", notices
            )
            await self._db.commit()
        except BaseException:
            await self._db.rollback()
            raise

    async def pending_notices(self, now: int) -> list[str]:
        """The JSON of notices not yet announced and still timely, oldest first."""
        async with self._db.execute(
            "SELECT data FROM catalog_notices WHERE announced_at IS NULL AND expires_at > ? ORDER BY rowid", (now,)
        ) as cur:
            return [row[0] for row in await cur.fetchall()]

    async def notice(self, notice: str) -> str | None:
        row = await self._one("SELECT data FROM catalog_notices WHERE notice = ?", (notice,))
        return row[0] if row else None

    async def notice_announced(self, notice: str, now: int) -> None:
        await self._db.execute("UPDATE catalog_notices SET announced_at = ? WHERE notice = ?", (now, notice))
        await self._db.commit()

    async def zones_in_use(self) -> set[str | None]:
        """Distinct zones of chats that follow anything (None: the default)."""
        async with self._db.execute(
            "SELECT DISTINCT timezone FROM chats c WHERE EXISTS "
            "(SELECT 1 FROM subscriptions s WHERE s.platform = c.platform AND s.chat_id = c.chat_id)"
        ) as cur:
            return {row[0] for row in await cur.fetchall()}

    async def followed_targets(self) -> set[tuple[str, str]]:
        """Every (kind, key) some chat follows."""
        async with self._db.execute("SELECT DISTINCT kind, target FROM subscriptions") as cur:
            return {(kind, key) for kind, key in await cur.fetchall()}


class _CommitAtEnd:
    """The connection as the methods inside `Store.atomic` see it: their commits (and the
    rollbacks of their own error paths, which re-raise) are left to the end of the block."""

    def __init__(self, db: aiosqlite.Connection):
        self._real = db

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    async def commit(self) -> None:
        pass

    async def rollback(self) -> None:
        pass


def _one_at_a_time(method: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[T]]:
    """Run a store method alone on the connection. Every coroutine shares one SQLite connection,
    hence one transaction: without this, one method's commit or rollback could land in the middle
    of another's statements (a ledger write rolled back with a claim in progress). Re-entrant for
    a method that calls another."""

    @functools.wraps(method)
    async def alone(self: Store, *args: Any, **kwargs: Any) -> T:
        task = asyncio.current_task()
        if self._turn_holder is task:
            return await method(self, *args, **kwargs)
        async with self._turn:
            self._turn_holder = task
            try:
                return await method(self, *args, **kwargs)
            finally:
                self._turn_holder = None

    return alone


for _name, _method in list(vars(Store).items()):
    if not _name.startswith("_") and inspect.iscoroutinefunction(_method) and _name not in ("open", "close"):
        setattr(Store, _name, _one_at_a_time(_method))
