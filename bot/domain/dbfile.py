"""The database file itself: which file a `database` setting names, and whether the file the
bot has open is still the one that name leads to.

dramabot opens SQLite (a file) or PostgreSQL (`postgresql://...` or `postgres://...`, a server);
a setting that names any other kind of database is refused, rather than taken for a file name.
"""

from __future__ import annotations

import re

URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


POSTGRES_SCHEMES = ("postgresql", "postgres")


def is_postgres(database: str) -> bool:
    """True when the setting names a PostgreSQL database (a `postgresql://` or `postgres://` URL)."""
    found = URL.match(database)
    return found is not None and found.group(1).lower() in POSTGRES_SCHEMES


class NotSqlite(ValueError):
    """The setting names a database dramabot cannot open; the message says so without echoing
    the URL (it may hold a password)."""


def sqlite_path(database: str) -> str:
    """The file path a `database` setting names: a path as it is, or a `sqlite:///path` URL
    (`sqlite:////abs/path` for an absolute one). Raises NotSqlite for any other URL."""
    found = URL.match(database)
    if found is None:
        return database
    scheme = found.group(1).lower()
    rest = database[found.end():]
    if scheme == "sqlite" and rest.startswith("/") and len(rest) > 1:
        return rest[1:]
    if scheme == "sqlite":
        raise NotSqlite("a sqlite: database is written sqlite:///relative/path or sqlite:////absolute/path")
    if scheme in POSTGRES_SCHEMES:
        raise NotSqlite("a PostgreSQL database is on a server, not in a file")
    raise NotSqlite(
        f"a {scheme}:// database cannot be used: dramabot opens SQLite (a file path, or sqlite:///path) "
        "or PostgreSQL (postgresql://user@host:port/name)"
    )
