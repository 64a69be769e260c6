"""The PostgreSQL schema: the same numbered migrations as SQLite's, in PostgreSQL's dialect, with
the version kept in a one-row table (`schema_version`).

`migrate()` runs the missing steps in one transaction under an advisory lock, so two processes
starting at once on a fresh database migrate it once. Text keys are compared and sorted
bytewise (COLLATE "C"), as SQLite does and as the ledger's confirmed key ranges need, whatever
the database's own collation. Times are Unix seconds in BIGINT; flags are 0/1 INTEGERs, as in
SQLite, so rows copy between the two unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from psycopg import AsyncConnection

from ...domain.jobkeys import JOB_KINDS
from ..migrations import Dialect, Migrations

MIGRATIONS = Migrations()
SCRIPTS: dict[int, str] = {}
LEDGER_KINDS = ", ".join(f"'{kind}'" for kind in JOB_KINDS)
_TEXT = re.compile(r"\bTEXT\b")
VERSION_TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_version (one BOOLEAN PRIMARY KEY DEFAULT true CHECK (one), version INTEGER NOT NULL)"
)


def _script(version: int, sql: str) -> Callable[[AsyncConnection, Dialect], Awaitable[None]]:
    sql = _TEXT.sub('TEXT COLLATE "C"', sql)
    SCRIPTS[version] = sql

    @MIGRATIONS.migration(version)
    async def step(conn: AsyncConnection, dialect: Dialect) -> None:
        await conn.execute(sql)
        await conn.execute("UPDATE schema_version SET version = %s", (version,))

    step.__name__ = f"migration_{version}"
    return step


async def current_version(conn: AsyncConnection) -> int:
    """The schema version of the database `conn` is in (0: empty), creating the version row."""
    await conn.execute(VERSION_TABLE)
    await conn.execute("INSERT INTO schema_version (version) VALUES (0) ON CONFLICT DO NOTHING")
    cur = await conn.execute("SELECT version FROM schema_version")
    row = await cur.fetchone()
    return int(row[0]) if row else 0


_script(
    1,
    """
    CREATE TABLE chats (
        platform   TEXT NOT NULL,
        chat_id    TEXT NOT NULL,
        is_private INTEGER NOT NULL,
        timezone   TEXT,
        leads      TEXT,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (platform, chat_id)
    );
    CREATE TABLE subscriptions (
        platform   TEXT NOT NULL,
        chat_id    TEXT NOT NULL,
        kind       TEXT NOT NULL CHECK (kind IN ('show', 'actor')),
        target     TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (platform, chat_id, kind, target),
        FOREIGN KEY (platform, chat_id) REFERENCES chats (platform, chat_id)
    );
    CREATE INDEX subscriptions_by_target ON subscriptions (kind, target, platform, chat_id);
    CREATE TABLE articles (
        feed        TEXT NOT NULL,
        article_id  TEXT NOT NULL,
        title       TEXT NOT NULL,
        link        TEXT NOT NULL,
        summary     TEXT NOT NULL,
        published   BIGINT,
        received_at BIGINT NOT NULL,
        PRIMARY KEY (feed, article_id)
    );
    CREATE TABLE deliveries (
        kind            TEXT NOT NULL CONSTRAINT deliveries_kind_check CHECK (kind IN ('reminder', 'news')),
        job             TEXT NOT NULL,
        platform        TEXT NOT NULL,
        chat_id         TEXT NOT NULL,
        expires_at      BIGINT NOT NULL,
        state           TEXT NOT NULL CHECK (state IN ('claimed', 'sent', 'failed', 'dropped')),
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at BIGINT,
        last_error      TEXT,
        sent_at         BIGINT,
        PRIMARY KEY (kind, job, platform, chat_id)
    );
    CREATE INDEX deliveries_to_retry ON deliveries (next_attempt_at) WHERE state IN ('claimed', 'failed');
    CREATE TABLE meta (
        name  TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
)

# 2: the retry index holds only rows with a retry time (a fresh claim writes no index entry)
_script(
    2,
    """
    DROP INDEX deliveries_to_retry;
    CREATE INDEX deliveries_to_retry ON deliveries (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
    """,
)

# 3: a chat the platform says cannot be reached is paused
_script(
    3,
    """
    ALTER TABLE chats ADD COLUMN paused_at BIGINT;
    ALTER TABLE chats ADD COLUMN paused_reason TEXT;
    """,
)

# 4: news feed polling: each feed's poll state, and the entries polls saw
_script(
    4,
    """
    CREATE TABLE feed_state (
        feed          TEXT PRIMARY KEY,
        url           TEXT NOT NULL,
        etag          TEXT,
        last_modified TEXT,
        healthy       INTEGER NOT NULL DEFAULT 1,
        failures      INTEGER NOT NULL DEFAULT 0,
        last_error    TEXT,
        next_poll_at  BIGINT,
        baseline_at   BIGINT
    );
    CREATE TABLE feed_entries (
        feed      TEXT NOT NULL,
        entry_id  TEXT NOT NULL,
        link      TEXT NOT NULL,
        delivered INTEGER NOT NULL,
        seen_at   BIGINT NOT NULL,
        PRIMARY KEY (feed, entry_id)
    );
    CREATE INDEX feed_entries_delivered_links ON feed_entries (link) WHERE delivered = 1 AND link <> '';
    """,
)

# 5: each claim stamps its rows (confirmed by key range)
_script(
    5,
    """
    ALTER TABLE deliveries ADD COLUMN claim BIGINT;
    """,
)

# 6: whom reminders mention, and the platform's event calendar
_script(
    6,
    """
    ALTER TABLE chats ADD COLUMN mention TEXT;
    ALTER TABLE chats ADD COLUMN events INTEGER NOT NULL DEFAULT 0;
    """,
)

# 7: feeds added at run time, what articles name, the hourly news cap and digests
_script(
    7,
    """
    CREATE TABLE feeds (
        name     TEXT PRIMARY KEY,
        url      TEXT NOT NULL,
        added_by TEXT NOT NULL,
        added_at BIGINT NOT NULL
    );
    CREATE TABLE article_targets (
        kind       TEXT NOT NULL,
        target     TEXT NOT NULL,
        feed       TEXT NOT NULL,
        article_id TEXT NOT NULL,
        PRIMARY KEY (kind, target, feed, article_id)
    );
    CREATE INDEX articles_by_received ON articles (received_at);
    CREATE TABLE news_quota (
        platform TEXT NOT NULL,
        chat_id  TEXT NOT NULL,
        hour     BIGINT NOT NULL,
        queued   INTEGER NOT NULL,
        PRIMARY KEY (platform, chat_id, hour)
    );
    CREATE TABLE news_digest (
        platform   TEXT NOT NULL,
        chat_id    TEXT NOT NULL,
        hour       BIGINT NOT NULL,
        feed       TEXT NOT NULL,
        article_id TEXT NOT NULL,
        queued     INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (platform, chat_id, hour, feed, article_id)
    );
    CREATE INDEX news_digest_pending ON news_digest (hour) WHERE queued = 0;
    """,
)

# 8: a live catalog (imports, edits, notices); the ledger's kinds are the domain's JOB_KINDS
# (PostgreSQL alters the CHECK in place; a kind added later needs a version that alters it again)
_script(
    8,
    f"""
    ALTER TABLE deliveries DROP CONSTRAINT deliveries_kind_check,
        ADD CONSTRAINT deliveries_kind_check CHECK (kind IN ({LEDGER_KINDS}));
    CREATE TABLE catalog_imports (
        kind            TEXT NOT NULL CHECK (kind IN ('show', 'person')),
        key             TEXT NOT NULL,
        data            TEXT NOT NULL,
        ended           INTEGER NOT NULL DEFAULT 0,
        refreshed_at    BIGINT NOT NULL,
        next_refresh_at BIGINT,
        PRIMARY KEY (kind, key)
    );
    CREATE INDEX catalog_imports_due ON catalog_imports (next_refresh_at) WHERE next_refresh_at IS NOT NULL;
    CREATE TABLE catalog_edits (
        id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        show_key   TEXT NOT NULL,
        kind       TEXT NOT NULL CHECK (kind IN ('skip', 'move')),
        day        TEXT NOT NULL,
        episode    INTEGER,
        at_time    TEXT,
        created_at BIGINT NOT NULL
    );
    CREATE TABLE catalog_notices (
        notice       TEXT PRIMARY KEY,
        show_key     TEXT NOT NULL,
        data         TEXT NOT NULL,
        expires_at   BIGINT NOT NULL,
        announced_at BIGINT,
        seq          BIGINT GENERATED ALWAYS AS IDENTITY  -- the order stored (SQLite: rowid)
    );
    CREATE INDEX catalog_notices_pending ON catalog_notices (expires_at) WHERE announced_at IS NULL;
    """,
)

# 9: calendar feeds: each chat's link (a hash of its token) and each broadcast's revision
_script(
    9,
    """
    CREATE TABLE calendar_links (
        platform   TEXT NOT NULL,
        chat_id    TEXT NOT NULL,
        nonce      TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (platform, chat_id)
    );
    CREATE TABLE calendar_events (
        uid      TEXT PRIMARY KEY,
        start    BIGINT NOT NULL,
        sequence INTEGER NOT NULL
    );
    """,
)

# 10: the language a chat reads
_script(
    10,
    """
    ALTER TABLE chats ADD COLUMN language TEXT;
    """,
)

# 11: roles shared by several processes on one database (bot.domain.roles): one lease per role
_script(
    11,
    """
    CREATE TABLE leases (
        role       TEXT PRIMARY KEY,
        holder     TEXT NOT NULL,
        generation INTEGER NOT NULL,
        expires_at DOUBLE PRECISION NOT NULL
    );
    """,
)

# 12: the generation of the platform's sending role that took a ledger row (bot.app.sending)
_script(
    12,
    """
    ALTER TABLE deliveries ADD COLUMN sender INTEGER;
    """,
)
