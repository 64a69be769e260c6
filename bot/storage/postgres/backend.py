"""The PostgreSQL backend: a psycopg connection pool, the migrations run at open, and every
aggregate's part of the storage contract (one class per aggregate, combined here).

Any number of bot processes may open one database (`shared`): they split the work into roles
held through leases (scheduler/roles.py), so there is no instance lock as SQLite has."""

from __future__ import annotations

import re

import psycopg
from psycopg import AsyncConnection
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from ..values import StorageError
from .base import PostgresBase
from .calendars import PostgresCalendars
from .catalog import PostgresCatalog
from .chats import PostgresChats
from .feeds import PostgresFeeds
from .leases import PostgresLeases
from .ledger import PostgresLedger
from .meta import PostgresMeta
from .news import PostgresArticles
from .schema import MIGRATIONS, current_version
from .subscriptions import PostgresSubscriptions
from .wakeups import PostgresWakeups

CONNECT_TIMEOUT = 10  # seconds, to reach the server at open
POOL_SIZE = 8
_MIGRATE_KEY = "hashtext('dramabot migrate ' || current_schema())"


def describe(url: str) -> str:
    """The database a URL names, for messages: never its password."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "the PostgreSQL database (a URL it cannot read)"
    host, port, name = parts.get("host") or "localhost", parts.get("port") or "5432", parts.get("dbname") or "?"
    return f"PostgreSQL database {name} on {host}:{port}"


class PostgresStorage(PostgresChats, PostgresSubscriptions, PostgresLedger, PostgresArticles, PostgresFeeds,
                      PostgresCatalog, PostgresCalendars, PostgresMeta, PostgresLeases, PostgresWakeups, PostgresBase):
    """The storage contract over one PostgreSQL database; open with `await PostgresStorage.open(url)`."""

    shared = True  # several processes may use it at once

    def __init__(self, pool: AsyncConnectionPool, *, url: str):
        super().__init__(pool)
        self.url = url
        self.name = describe(url)

    @classmethod
    async def open(cls, url: str, *, exclusive: bool = True) -> PostgresStorage:
        """Connect, migrate, and open the pool. Raises StorageError (one line, no password) when
        the server cannot be reached or the URL is wrong. `exclusive` is SQLite's: here several
        processes share the database through roles."""
        name = describe(url)
        try:
            first = await AsyncConnection.connect(url, connect_timeout=CONNECT_TIMEOUT)
        except psycopg.Error as exc:
            raise StorageError(f"{name}: cannot connect: {_first_line(exc)}") from None
        try:
            await _migrate(first, name)
            pool = AsyncConnectionPool(  # each connection checked as it is taken: one the server dropped is replaced
                url, min_size=1, max_size=POOL_SIZE, open=False, timeout=60, kwargs={"connect_timeout": CONNECT_TIMEOUT},
                check=AsyncConnectionPool.check_connection,
            )
            try:
                await pool.open(wait=True, timeout=CONNECT_TIMEOUT)
            except PoolTimeout:
                await pool.close()
                raise StorageError(f"{name}: cannot open a pool of connections") from None
        except psycopg.Error as exc:
            await first.close()
            raise StorageError(f"{name}: cannot use the database: {_first_line(exc)}") from None
        except BaseException:
            await first.close()
            raise
        await first.close()
        return cls(pool, url=url)

    def file_problem(self) -> str | None:
        """There is no file to check on a server."""
        return None

    async def close(self) -> None:
        await self._stop_listening()
        await self._pool.close()

    async def schema_version(self) -> int:
        return int(await self._value("SELECT version FROM schema_version"))


async def _migrate(conn: AsyncConnection, name: str) -> None:
    """Take the database to the latest schema, in one transaction, one process at a time."""
    async with conn.transaction():
        await conn.execute(f"SELECT pg_advisory_xact_lock({_MIGRATE_KEY})")
        version = await current_version(conn)
        if version > MIGRATIONS.latest:
            raise StorageError(
                f"{name}: the database was written by a newer dramabot (schema {version}; "
                f"this one knows up to {MIGRATIONS.latest}); upgrade dramabot"
            )
        for _number, step in MIGRATIONS.after(version):
            await step(conn, PostgresBase.dialect)


_PASSWORD = re.compile(r"(://[^:/@\s]*):[^@\s]*@")  # user:password@ in a URL a message quotes
_PASSWORD_PARAMETER = re.compile(r"(password=)[^&\s]*")  # and ?password=...


def _first_line(exc: BaseException) -> str:
    """The error's first line, any password in a URL it quotes hidden."""
    text = str(exc).strip().splitlines()
    return _PASSWORD_PARAMETER.sub(r"\1***", _PASSWORD.sub(r"\1:***@", text[0])) if text else type(exc).__name__
