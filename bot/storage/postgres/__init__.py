"""The PostgreSQL backend of the storage contract (psycopg 3, async, with a connection pool)."""

from .backend import PostgresStorage, describe
from .schema import MIGRATIONS, SCRIPTS

__all__ = ["MIGRATIONS", "SCRIPTS", "PostgresStorage", "describe"]
