"""The SQLite backend: one aiosqlite connection in WAL mode, the instance lock on its file, and
every aggregate's part of the storage contract (one class per aggregate, combined here)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import aiosqlite

from ...domain.dbfile import NotSqlite, sqlite_path
from ..values import StorageError
from .calendars import SqliteCalendars
from .catalog import SqliteCatalog
from .chats import SqliteChats
from .feeds import SqliteFeeds
from .leases import SqliteLeases
from .ledger import SqliteLedger
from .lock import InstanceLock
from .meta import SqliteMeta
from .news import SqliteArticles
from .schema import MIGRATIONS
from .subscriptions import SqliteSubscriptions


class SqliteStorage(SqliteChats, SqliteSubscriptions, SqliteLedger, SqliteArticles, SqliteFeeds, SqliteCatalog, SqliteCalendars,
                    SqliteMeta, SqliteLeases):
    """The storage contract over one SQLite database; open with `await SqliteStorage.open(path)`."""

    shared = False  # one process per database file (the instance lock)

    def __init__(self, db: aiosqlite.Connection, path: str, lock: InstanceLock | None = None):
        super().__init__(db)
        self.path = path
        self._lock = lock

    @classmethod
    async def open(cls, path: str | Path, *, exclusive: bool = True) -> SqliteStorage:
        """Open (creating and migrating) the database. `exclusive` takes the database's instance
        lock first: a second bot on the same file is refused with a StorageError naming it."""
        try:
            path = sqlite_path(str(path))
        except NotSqlite as exc:
            raise StorageError(str(exc)) from None
        lock = None
        try:
            if path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
                lock = InstanceLock.take(path) if exclusive else None
            db = await aiosqlite.connect(lock.path if lock else path)
        except (OSError, sqlite3.Error) as exc:
            raise StorageError(f"{path}: cannot open the database: {exc}") from None
        try:
            await db.execute("PRAGMA busy_timeout=5000")
            async with db.execute("PRAGMA quick_check") as cur:
                problems = [row[0] for row in await cur.fetchall()]
            if problems != ["ok"]:
                first = " ".join(" ".join(problems).split())[:120]
                raise StorageError(f"{path}: the database is damaged ({first}…); restore a backup")
            await db.execute("PRAGMA journal_mode=WAL")
            await db.execute("PRAGMA synchronous=NORMAL")
            await db.execute("PRAGMA foreign_keys=ON")
            storage = cls(db, path, lock)
            await storage._migrate()
        except sqlite3.DatabaseError as exc:
            await db.close()
            if lock:
                lock.release()
            raise StorageError(f"{path}: cannot use the database: {exc}") from None
        except BaseException:
            await db.close()
            if lock:
                lock.release()
            raise
        return storage

    def file_problem(self) -> str | None:
        """Why the database's path no longer names the file this storage writes to (deleted, or
        replaced by another file), else None. Only a storage holding the instance lock knows."""
        return self._lock.problem() if self._lock is not None else None

    async def close(self) -> None:
        try:
            await self._db.close()
        finally:
            if self._lock is not None:
                self._lock.release()
                self._lock = None

    async def _migrate(self) -> None:
        version = (await self._one("PRAGMA user_version"))[0]
        if version > MIGRATIONS.latest:
            raise StorageError(
                f"{self.path}: the database was written by a newer dramabot (schema {version}; "
                f"this one knows up to {MIGRATIONS.latest}); upgrade dramabot"
            )
        for _number, step in MIGRATIONS.after(version):
            await step(self._db, self.dialect)

    async def schema_version(self) -> int:
        async with self.transaction():
            return int((await self._one("PRAGMA user_version"))[0])
