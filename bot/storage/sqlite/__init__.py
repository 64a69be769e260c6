"""The SQLite backend of the storage contract."""

from .backend import SqliteStorage
from .lock import InstanceLock
from .schema import MIGRATIONS, SCRIPTS

__all__ = ["MIGRATIONS", "SCRIPTS", "InstanceLock", "SqliteStorage"]
