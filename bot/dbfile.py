"""The database file itself: which file a `database` setting names, and whether the file the
bot has open is still the one that name leads to.

dramabot opens SQLite only (PostgreSQL is for later): a setting that names any other kind of
database (`postgresql://...`) is refused, rather than taken for a file name.
"""

from __future__ import annotations

import re

URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


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
    raise NotSqlite(
        f"a {scheme}:// database cannot be used: dramabot opens only SQLite for now "
        "(a file path, or sqlite:///path)"
    )
