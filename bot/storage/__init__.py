"""Storage: the contract the bot keeps its state through (`contract`), the typed values it
speaks in (`values`), explicit transactions, registered migrations, and the backends (`sqlite`).
"""

from __future__ import annotations

from pathlib import Path

from ..domain.dbfile import is_postgres
from .contract import Storage
from .sqlite import SqliteStorage
from .values import StorageError


async def open_storage(database: str | Path, *, exclusive: bool = True) -> Storage:
    """Open the configured database (SQLite: a file path; PostgreSQL: a `postgresql://` URL),
    creating and migrating it; `exclusive` refuses a second bot on the same database."""
    if is_postgres(str(database)):
        from .postgres import PostgresStorage  # psycopg is imported only by a bot that uses it

        return await PostgresStorage.open(str(database), exclusive=exclusive)
    return await SqliteStorage.open(database, exclusive=exclusive)


def database_name(database: str | Path) -> str:
    """The database a setting names, fit for a log line: a file path as it is, a URL without its password."""
    if not is_postgres(str(database)):
        return str(database)
    from .postgres import describe

    return describe(str(database))


__all__ = ["Storage", "StorageError", "database_name", "open_storage"]
