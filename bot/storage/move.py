"""Moving a bot's state from its SQLite file to an empty PostgreSQL database (`dramabot migrate`).

The order keeps a refusal from changing anything: the source is looked at read-only (a file,
SQLite, a dramabot schema no newer than this one), then the target (reachable, empty), and only
then is the source's instance lock taken (a bot running on it is refused), the source migrated
to the latest schema if it is older (as `dramabot run` would), and the target created or
migrated to the same version. The rows go over with COPY in one PostgreSQL transaction that
first locks every table and looks again that they are empty: all or nothing. Leases are not
copied (they name the old processes); ledger rows and change notices the next prune would
forget are left behind.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from urllib.parse import quote

import aiosqlite
import psycopg
from psycopg import AsyncConnection, sql

from ..domain.dbfile import NotSqlite, is_postgres, sqlite_path
from .postgres import PostgresStorage, describe
from .postgres.backend import CONNECT_TIMEOUT, _first_line  # a driver error's first line, any password hidden
from .sqlite import SqliteStorage
from .sqlite.schema import MIGRATIONS
from .values import StorageError

# Parents before children (subscriptions refer to chats). `leases` is the one table not copied.
TABLES: tuple[str, ...] = (
    "chats", "subscriptions", "deliveries", "articles", "article_targets", "feed_state", "feed_entries", "feeds",
    "news_quota", "news_digest", "catalog_imports", "catalog_edits", "catalog_notices", "calendar_links",
    "calendar_events", "meta",
)
NOT_COPIED: tuple[str, ...] = ("leases",)
_EXPIRING = frozenset({"deliveries", "catalog_notices"})  # rows older than the prune's cut-off stay behind
_IDENTITIES = {"catalog_edits": "id", "catalog_notices": "seq"}  # the target's sequences continue after the copied ids
_BATCH = 5000
log = logging.getLogger(__name__)
_SQLITE_HEADER = b"SQLite format 3\x00"


class MoveRefused(Exception):
    """The move cannot be made; the message is one line saying why, and nothing was changed."""


@dataclass(frozen=True)
class Copied:
    table: str
    rows: int


@dataclass(frozen=True)
class MoveReport:
    """What a move copied, per table, and how long it took."""

    source: str
    target: str  # described, without a password
    copied: tuple[Copied, ...]
    left_behind: int  # expired ledger rows and notices not copied
    schema: int
    source_schema_was: int
    seconds: float

    @property
    def rows(self) -> int:
        return sum(c.rows for c in self.copied)


async def move(*, source: str, target: str, expired_before: int) -> MoveReport:
    """Copy the bot in SQLite file `source` into the empty PostgreSQL database `target`.
    Rows of `deliveries` and `catalog_notices` that expired before `expired_before` are not
    copied. Raises MoveRefused (one line) when it cannot, having changed nothing."""
    started = time.perf_counter()
    path = _source_path(source, target)
    was = await _probe_source(path)
    name = describe(target)
    await _refuse_non_empty(target, name)
    try:
        src = await SqliteStorage.open(path)  # the instance lock: no bot may run on the file meanwhile
    except StorageError as exc:
        raise MoveRefused(str(exc)) from None
    try:
        try:
            dst = await PostgresStorage.open(target)  # migrated to the same version; refuses a bot running on it
        except StorageError as exc:
            raise MoveRefused(str(exc)) from None
        try:
            copied, left = await _copy(path, target, name=name, expired_before=expired_before)
            schema = await dst.schema_version()
        finally:
            await dst.close()
    finally:
        await src.close()
    return MoveReport(source=source, target=name, copied=copied, left_behind=left, schema=schema,
                      source_schema_was=was, seconds=time.perf_counter() - started)


def _source_path(source: str, target: str) -> str:
    if is_postgres(source):
        raise MoveRefused("--from must be the bot's SQLite file; this is a PostgreSQL URL")
    try:
        path = sqlite_path(source)
    except NotSqlite as exc:
        raise MoveRefused(f"--from: {exc}") from None
    if not is_postgres(target):
        same = "://" not in target and os.path.exists(target) and os.path.realpath(target) == os.path.realpath(path)
        if same or target == source:
            raise MoveRefused(f"--from and --to name the same database ({source}); --to must be a PostgreSQL URL")
        raise MoveRefused("--to must be a PostgreSQL URL (postgresql://user@host:port/name)")
    if path == ":memory:":
        raise MoveRefused("--from: an in-memory database holds no bot to move")
    return path


async def _probe_source(path: str) -> int:
    """The source's schema version, read without writing; MoveRefused when it is no dramabot database."""
    problem = _file_problem(path)
    if problem:
        raise MoveRefused(f"{path}: {problem}")
    try:
        async with aiosqlite.connect(_read_only(path), uri=True) as db:
            async with db.execute("PRAGMA user_version") as cur:
                row = await cur.fetchone()
    except aiosqlite.Error as exc:
        raise MoveRefused(f"{path}: cannot read the database: {exc}") from None
    version = int(row[0]) if row else 0
    if version == 0:
        raise MoveRefused(f"{path}: not a dramabot database (no schema version)")
    if version > MIGRATIONS.latest:
        raise MoveRefused(
            f"{path}: the database was written by a newer dramabot (schema {version}; this one knows up to "
            f"{MIGRATIONS.latest}); upgrade dramabot"
        )
    return version


def _file_problem(path: str) -> str | None:
    """Why `path` is no SQLite file (a stat and sixteen bytes: not worth a thread), else None."""
    if not os.path.exists(path):
        return "no such file"
    if not os.path.isfile(path):
        return "not a file"
    try:
        with open(path, "rb") as file:
            header = file.read(len(_SQLITE_HEADER))
    except OSError as exc:
        return f"cannot read it ({exc.strerror})"
    return None if header == _SQLITE_HEADER else "not a SQLite database"


async def _connect(target: str, name: str) -> AsyncConnection:
    try:
        return await AsyncConnection.connect(target, connect_timeout=CONNECT_TIMEOUT)
    except psycopg.Error as exc:
        raise MoveRefused(f"{name}: cannot connect: {_first_line(exc)}") from None


async def _refuse_non_empty(target: str, name: str) -> None:
    """MoveRefused when any of the bot's tables in the target holds a row (before anything is created)."""
    conn = await _connect(target, name)
    try:
        async with conn.transaction():
            await _check_empty(conn, name)
    finally:
        await conn.close()


async def _check_empty(conn: AsyncConnection, name: str) -> None:
    for table in (*TABLES, *NOT_COPIED):
        cur = await conn.execute("SELECT to_regclass(%s)", (table,))
        row = await cur.fetchone()
        if row is None or row[0] is None:
            continue
        cur = await conn.execute(sql.SQL("SELECT EXISTS (SELECT 1 FROM {})").format(sql.Identifier(table)))
        found = await cur.fetchone()
        if found and found[0]:
            raise MoveRefused(f"{name} is not empty (table {table} has rows); migrate into a new, empty database")


async def _copy(path: str, target: str, *, name: str, expired_before: int) -> tuple[tuple[Copied, ...], int]:
    """Every table, in one PostgreSQL transaction; the counts copied and the expired rows left behind."""
    copied: list[Copied] = []
    left = 0
    conn = await _connect(target, name)
    try:
        try:
            async with aiosqlite.connect(_read_only(path), uri=True) as src, conn.transaction():
                tables = sql.SQL(", ").join(sql.Identifier(t) for t in (*TABLES, *NOT_COPIED))
                await conn.execute(sql.SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(tables))
                await _check_empty(conn, name)  # again, under the locks: nobody wrote since the first look
                await src.execute("BEGIN")  # one snapshot of the source
                for table in TABLES:
                    left += await _expired(src, table, expired_before=expired_before)
                    copied.append(Copied(table, await _copy_table(src, conn, table=table, expired_before=expired_before)))
                await src.rollback()
                for table, column in _IDENTITIES.items():
                    await conn.execute(
                        sql.SQL("SELECT setval(pg_get_serial_sequence(%s, %s), coalesce(max({}), 0) + 1, false) FROM {}").format(
                            sql.Identifier(column), sql.Identifier(table)),
                        (table, column),
                    )
        except psycopg.Error as exc:
            raise MoveRefused(f"{name}: the copy failed and was undone: {_first_line(exc)}") from None
        except aiosqlite.Error as exc:
            raise MoveRefused(f"{path}: cannot read the database ({exc}); nothing was copied") from None
        try:  # the planner's statistics for the new rows; autovacuum would get there too, later
            await conn.set_autocommit(True)
            await conn.execute(sql.SQL("ANALYZE {}").format(sql.SQL(", ").join(sql.Identifier(t) for t in TABLES)))
        except psycopg.Error as exc:
            log.warning("%s: copied, but ANALYZE failed: %s", name, _first_line(exc))
    finally:
        await conn.close()
    return tuple(copied), left


def _read_only(path: str) -> str:
    """A SQLite URI opening `path` read-only (any `?` or `#` in the path quoted)."""
    return f"file:{quote(path)}?mode=ro"


async def _columns(src: aiosqlite.Connection, table: str) -> list[str]:
    async with src.execute(f"PRAGMA table_info({table})") as cur:
        return [row[1] for row in await cur.fetchall()]


async def _expired(src: aiosqlite.Connection, table: str, *, expired_before: int) -> int:
    """How many of the table's rows the prune would forget (left behind)."""
    if table not in _EXPIRING:
        return 0
    async with src.execute(f"SELECT count(*) FROM {table} WHERE expires_at < ?", (expired_before,)) as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def _copy_table(src: aiosqlite.Connection, conn: AsyncConnection, *, table: str, expired_before: int) -> int:
    """COPY one table's rows (of a ledger table, those not expired); catalog_notices' order
    (SQLite's rowid) becomes its `seq`."""
    columns = await _columns(src, table)
    where, params = ("WHERE expires_at >= ?", (expired_before,)) if table in _EXPIRING else ("", ())
    selected = [*columns, "rowid"] if table == "catalog_notices" else list(columns)
    written = [*columns, "seq"] if table == "catalog_notices" else list(columns)
    order = " ORDER BY rowid" if table == "catalog_notices" else ""
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(c) for c in written))
    count = 0
    async with src.execute(f"SELECT {', '.join(selected)} FROM {table} {where}{order}", params) as rows, \
            conn.cursor() as cur, cur.copy(statement) as copy:
        while batch := list(await rows.fetchmany(_BATCH)):
            for row in batch:
                await copy.write_row(row)
            count += len(batch)
    return count
