"""The SQLite schema: one registered migration per version, tracked in PRAGMA user_version.

Each step runs its script and sets the version in one transaction, so a database is always at a
version it names. `SCRIPTS` keeps each version's SQL (tests build databases at old versions).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import aiosqlite

from ...domain.jobkeys import JOB_KINDS
from ..migrations import Dialect, Migrations

MIGRATIONS = Migrations()
SCRIPTS: dict[int, str] = {}
LEDGER_KINDS = ", ".join(f"'{kind}'" for kind in JOB_KINDS)  # the deliveries table's CHECK list


def _script(version: int, sql: str) -> Callable[[aiosqlite.Connection, Dialect], Awaitable[None]]:
    SCRIPTS[version] = sql

    @MIGRATIONS.migration(version)
    async def step(db: aiosqlite.Connection, dialect: Dialect) -> None:
        await db.executescript(f"BEGIN; {sql}; PRAGMA user_version = {version}; COMMIT;")

    step.__name__ = f"migration_{version}"
    return step


# 1: the first schema
_script(
    1,
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
)

# 2: the retry index holds only rows with a retry time. Fresh claims (NULL) stay out of it,
# so a fan-out writes each ledger row once instead of also inserting and deleting an index
# entry (about 40% off marking 100,000 reminders sent). Claims a stopped process left
# behind are found by a scan at start (`requeue_unfinished`), which is rare.
_script(
    2,
    """
    DROP INDEX deliveries_to_retry;
    CREATE INDEX deliveries_to_retry ON deliveries (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
    """,
)

# 3: a chat the platform says cannot be reached (bot blocked, kicked, DMs closed) is paused:
# its subscriptions are kept, fan-outs skip it, its next message resumes it.
_script(
    3,
    """
    ALTER TABLE chats ADD COLUMN paused_at INTEGER;
    ALTER TABLE chats ADD COLUMN paused_reason TEXT;
    """,
)

# 4: news feed polling (self-contained; see "news feeds" below): per feed, what the last poll
# left (conditional GET validators, health, next poll); per entry a feed listed, whether it
# was delivered, so a restart redelivers nothing and a syndicated copy is recognised by link.
_script(
    4,
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

# 5: each claim stamps its rows, so a run of its rows sent one after another is confirmed by
# one key range (claim, first chat, last chat) instead of one lookup per row.
_script(
    5,
    """
    ALTER TABLE deliveries ADD COLUMN claim INTEGER;
    """,
)

# 6: group settings some platforms act on: whom reminders mention (a Discord role id), and
# whether the platform's own event calendar lists the chat's upcoming episodes.
_script(
    6,
    """
    ALTER TABLE chats ADD COLUMN mention TEXT;
    ALTER TABLE chats ADD COLUMN events INTEGER NOT NULL DEFAULT 0;
    """,
)

# 7: feeds owners add at run time (beside the config's); which shows and actors each stored
# article names (for /news and digests); the per-chat hourly news cap, and the articles that
# went over it, kept until the digest at the end of their hour has been queued.
_script(
    7,
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
)

# 8: a live catalog. Shows and people imported from TVmaze (their JSON as dramabot keeps it,
# and when each is read again), owners' corrections, and the change notices a catalog change
# produced (announced once: a notice is stored with the change itself, in one transaction,
# and marked announced once its ledger rows are claimed). The ledger learns two kinds, 'notice'
# and 'release' (a streaming episode's date, bot.releases); SQLite cannot alter a CHECK
# constraint, so `deliveries` is copied into a new table. Its kinds are the domain's `JOB_KINDS`
# (one list; a kind added later needs a version that copies the table again).
_script(
    8,
    f"""
    CREATE TABLE deliveries_v8 (
        kind            TEXT NOT NULL CHECK (kind IN ({LEDGER_KINDS})),
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
        data            TEXT NOT NULL,     -- JSON (bot.integrations.tvmaze.ImportedShow / ImportedPerson)
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
        data         TEXT NOT NULL,        -- JSON (bot.domain.changes.Notice)
        expires_at   INTEGER NOT NULL,
        announced_at INTEGER               -- NULL: its ledger rows are not claimed yet
    );
    CREATE INDEX catalog_notices_pending ON catalog_notices (expires_at) WHERE announced_at IS NULL;
    """,
)

# 9: calendar feeds: each chat's link (a hash of its token, never the token) and each broadcast's
# last published time and revision (an iCalendar SEQUENCE raised when the time moves)
_script(
    9,
    """
    CREATE TABLE calendar_links (
        platform   TEXT NOT NULL,
        chat_id    TEXT NOT NULL,
        nonce      TEXT NOT NULL,          -- random; the token is derived from it and a key kept outside the database
        token_hash TEXT NOT NULL UNIQUE,   -- sha256 of the token, to find the chat a link names
        created_at INTEGER NOT NULL,
        PRIMARY KEY (platform, chat_id)
    ) WITHOUT ROWID;
    CREATE TABLE calendar_events (
        uid      TEXT PRIMARY KEY,         -- the broadcast's stable UID (show and episode)
        start    INTEGER NOT NULL,         -- the start last published
        sequence INTEGER NOT NULL
    ) WITHOUT ROWID;
    """,
)


# 10: the language a chat reads ('en', 'ko'; NULL: not chosen yet, so the writer's app or the config's).
_script(
    10,
    """
    ALTER TABLE chats ADD COLUMN language TEXT;
    """,
)


# 11: roles shared by several processes on one database (bot.domain.roles): one lease per role.
# A generation rises each time the role changes hands; SQLite keeps one process per file, but the
# table is the same on every backend, so status and the contract read alike.
_script(
    11,
    """
    CREATE TABLE leases (
        role       TEXT PRIMARY KEY,      -- 'scheduler', 'send:telegram', 'shard:discord:3'
        holder     TEXT NOT NULL,         -- host:pid:nonce of the process holding it
        generation INTEGER NOT NULL,      -- raised each time the role changes hands
        expires_at REAL NOT NULL          -- Unix seconds; <= now: free to take
    );
    """,
)


# 12: the ledger as the queue of several processes (bot.app.sending): the generation of the
# platform's sending role that took a row. A confirmation names it, so a sender that lost its
# role confirms nothing its successor took; NULL where one process does everything.
_script(
    12,
    """
    ALTER TABLE deliveries ADD COLUMN sender INTEGER;
    """,
)
