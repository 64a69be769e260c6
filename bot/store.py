"""The database: chats and their settings, subscriptions, articles, and the delivery ledger.

SQLite through aiosqlite, WAL mode, numbered migrations tracked in PRAGMA user_version.
Instants are stored as whole Unix seconds. Every delivery has a unique key (kind, job,
platform, chat), so claiming a delivery twice is a no-op: that is what makes every send
idempotent across restarts.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import aiosqlite

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
    # 3: news feed polling (self-contained; see "news feeds" below): per feed, what the last poll
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
)


class StoreError(Exception):
    """The database cannot be opened or used; the message names the file."""


@dataclass(frozen=True)
class ChatSettings:
    platform: str
    chat_id: str
    timezone: str | None
    leads: tuple[int, ...] | None  # minutes


@dataclass(frozen=True)
class Delivery:
    """The ledger's unique key of one send."""

    kind: str  # "reminder" | "news"
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


def encode_leads(minutes: Iterable[int]) -> str:
    return ",".join(str(m) for m in sorted(set(minutes), reverse=True))


def decode_leads(text: str | None) -> tuple[int, ...] | None:
    return tuple(int(m) for m in text.split(",")) if text else None


class Store:
    """Async repository over one SQLite database; open with `await Store.open(path)`."""

    def __init__(self, db: aiosqlite.Connection, path: str):
        self._db = db
        self.path = path

    @classmethod
    async def open(cls, path: str | Path) -> "Store":
        path = str(path)
        try:
            if path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            db = await aiosqlite.connect(path)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"{path}: cannot open the database: {exc}") from None
        try:
            await db.execute("PRAGMA journal_mode=WAL")
            await db.execute("PRAGMA synchronous=NORMAL")
            await db.execute("PRAGMA foreign_keys=ON")
            await db.execute("PRAGMA busy_timeout=5000")
            store = cls(db, path)
            await store._migrate()
        except sqlite3.DatabaseError as exc:
            await db.close()
            raise StoreError(f"{path}: cannot use the database: {exc}") from None
        except BaseException:
            await db.close()
            raise
        return store

    async def close(self) -> None:
        await self._db.close()

    async def _migrate(self) -> None:
        async with self._db.execute("PRAGMA user_version") as cur:
            (version,) = await cur.fetchone()
        if version > len(MIGRATIONS):
            raise RuntimeError(
                f"{self.path}: database schema {version} is newer than this dramabot knows ({len(MIGRATIONS)})"
            )
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            await self._db.executescript(f"BEGIN; {script}; PRAGMA user_version = {number}; COMMIT;")

    async def schema_version(self) -> int:
        async with self._db.execute("PRAGMA user_version") as cur:
            return (await cur.fetchone())[0]

    # ---- chats and settings -------------------------------------------------------------------

    async def chat(self, platform: str, chat_id: str) -> ChatSettings | None:
        async with self._db.execute(
            "SELECT timezone, leads FROM chats WHERE platform = ? AND chat_id = ?", (platform, chat_id)
        ) as cur:
            row = await cur.fetchone()
        return ChatSettings(platform, chat_id, row[0], decode_leads(row[1])) if row else None

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

    async def recipients(self, targets: Sequence[tuple[str, str]]) -> list[tuple[str, str, str | None, str | None]]:
        """(platform, chat_id, timezone, leads) of every chat following any of the targets, once each."""
        if not targets:
            return []
        clause = " OR ".join("(s.kind = ? AND s.target = ?)" for _ in targets)
        params = [v for pair in targets for v in pair]
        sql = (
            "SELECT c.platform, c.chat_id, c.timezone, c.leads FROM chats c WHERE EXISTS "
            f"(SELECT 1 FROM subscriptions s WHERE s.platform = c.platform AND s.chat_id = c.chat_id AND ({clause}))"
            if len(targets) > 1
            else "SELECT c.platform, c.chat_id, c.timezone, c.leads FROM subscriptions s "
            "JOIN chats c ON c.platform = s.platform AND c.chat_id = s.chat_id WHERE s.kind = ? AND s.target = ?"
        )
        async with self._db.execute(sql, params) as cur:
            return await cur.fetchall()

    # ---- articles -----------------------------------------------------------------------------

    async def save_article(
        self, feed: str, article_id: str, title: str, link: str, summary: str, published: int | None, now: int
    ) -> bool:
        """True when the article is new."""
        cur = await self._db.execute(
            "INSERT OR IGNORE INTO articles (feed, article_id, title, link, summary, published, received_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (feed, article_id, title, link, summary, published, now),
        )
        await self._db.commit()
        return cur.rowcount == 1

    async def article(self, feed: str, article_id: str) -> tuple[str, str, str, int | None] | None:
        """(title, link, summary, published) of a stored article."""
        async with self._db.execute(
            "SELECT title, link, summary, published FROM articles WHERE feed = ? AND article_id = ?", (feed, article_id)
        ) as cur:
            return await cur.fetchone()

    # ---- delivery ledger ----------------------------------------------------------------------

    async def claim(
        self, kind: str, job: str, expires_at: int, recipients: Iterable[tuple[str, str]]
    ) -> list[tuple[str, str]]:
        """Claim one delivery of `job` per (platform, chat); returns the newly claimed recipients,
        sorted, so that `mark_sent` can confirm them by key ranges.

        A recipient that already has a ledger row for this job (sent, failed, or claimed before a
        restart) is not claimed again: the retry path owns it. The rows go in as one statement
        over a JSON array of chat ids per platform, far faster than a statement per row.
        """
        async with self._db.execute(
            "SELECT platform, chat_id FROM deliveries WHERE kind = ? AND job = ?", (kind, job)
        ) as cur:
            known = set(await cur.fetchall())
        fresh = sorted({r for r in recipients if r not in known})
        if fresh:
            for platform, group in itertools.groupby(fresh, key=lambda r: r[0]):
                await self._db.execute(
                    "INSERT OR IGNORE INTO deliveries (kind, job, platform, chat_id, expires_at, state) "
                    "SELECT ?, ?, ?, value, ?, 'claimed' FROM json_each(?)",
                    (kind, job, platform, expires_at, json.dumps([chat for _, chat in group])),
                )
            await self._db.commit()
        return fresh

    async def mark_sent(self, kind: str, job: str, first: tuple[str, str], last: tuple[str, str], now: int) -> None:
        """Record that `job` reached every recipient it still has claimed from `first` to `last`
        (in (platform, chat) order). Failures in that range were already marked failed or
        dropped, so they stay as they are; one range update is far cheaper than a row at a time."""
        await self._db.execute(
            "UPDATE deliveries SET state = 'sent', sent_at = ?, attempts = attempts + 1, last_error = NULL, "
            "next_attempt_at = NULL WHERE kind = ? AND job = ? AND state = 'claimed' "
            "AND (platform, chat_id) BETWEEN (?, ?) AND (?, ?)",
            (now, kind, job, *first, *last),
        )
        await self._db.commit()

    async def mark_failed(self, delivery: Delivery, error: str, retry_at: int | None) -> None:
        """Record a failed send: retried at `retry_at`, or dropped for good when it is None."""
        await self._update(
            delivery,
            "state = ?, attempts = attempts + 1, last_error = ?, next_attempt_at = ?",
            ("failed" if retry_at is not None else "dropped", error[:500], retry_at),
        )

    async def reclaim(self, delivery: Delivery) -> None:
        """A retry is about to send: the row is claimed again, as at first (a crash now means retry)."""
        await self._update(delivery, "state = 'claimed'", ())

    async def drop(self, delivery: Delivery, reason: str) -> None:
        await self._update(delivery, "state = 'dropped', last_error = ?, next_attempt_at = NULL", (reason,))

    async def _update(self, delivery: Delivery, assignments: str, values: tuple) -> None:
        await self._db.execute(
            f"UPDATE deliveries SET {assignments} WHERE kind = ? AND job = ? AND platform = ? AND chat_id = ?",
            (*values, delivery.kind, delivery.job, delivery.platform, delivery.chat_id),
        )
        await self._db.commit()

    async def requeue_unfinished(self, now: int) -> int:
        """At start: claims left by a process that stopped mid-send become retries due now."""
        cur = await self._db.execute(
            "UPDATE deliveries SET state = 'failed', next_attempt_at = ?, last_error = 'interrupted' "
            "WHERE state = 'claimed'",
            (now,),
        )
        await self._db.commit()
        return cur.rowcount

    async def due_retries(self, now: int, limit: int = 500) -> list[Pending]:
        async with self._db.execute(
            "SELECT kind, job, platform, chat_id, attempts, expires_at FROM deliveries "
            "WHERE state IN ('claimed', 'failed') AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?",
            (now, limit),
        ) as cur:
            return [Pending(Delivery(*row[:4]), row[4], row[5]) for row in await cur.fetchall()]

    async def next_retry_at(self) -> int | None:
        async with self._db.execute(
            "SELECT MIN(next_attempt_at) FROM deliveries "
            "WHERE next_attempt_at IS NOT NULL AND state IN ('claimed', 'failed')"
        ) as cur:
            return (await cur.fetchone())[0]

    async def prune(self, before: int) -> int:
        """Forget ledger rows that expired before `before`; their jobs can never fire again."""
        cur = await self._db.execute("DELETE FROM deliveries WHERE expires_at < ?", (before,))
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

    async def prune_entries(self, feed: str, before: int) -> int:
        """Forget entries the feed has not listed since `before`."""
        cur = await self._db.execute("DELETE FROM feed_entries WHERE feed = ? AND seen_at < ?", (feed, before))
        await self._db.commit()
        return cur.rowcount
