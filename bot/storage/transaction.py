"""Explicit transactions over one shared connection (the SQLite backend; PostgreSQL's pool gives
each transaction a connection of its own, `bot.storage.postgres.base`).

`async with storage.transaction():` runs the storage calls the task makes inside the block as
one unit: it commits once at the end, or rolls back on any exception. A `transaction()` entered
inside another one in the same task joins it (nothing commits until the outer one ends); a
storage call made outside any transaction runs in one of its own. The connection is shared, so a
transaction holds an `asyncio.Lock` for its whole life: other tasks' calls wait their turn. Who
holds it is kept in a context variable naming the owning task, so nested calls in that task join
instead of deadlocking, while a task it starts (which inherits the variable) still waits.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
from collections.abc import AsyncIterator, Awaitable, Callable


class Transactions:
    """One connection's transactions: `begin()` is `storage.transaction()`."""

    def __init__(self, *, commit: Callable[[], Awaitable[None]], rollback: Callable[[], Awaitable[None]]):
        self._commit = commit
        self._rollback = rollback
        self._lock = asyncio.Lock()
        self._owner: contextvars.ContextVar[asyncio.Task | None] = contextvars.ContextVar(
            f"transaction_owner_{id(self)}", default=None
        )

    def active(self) -> bool:
        """True inside a transaction this task holds."""
        task = self._owner.get()
        return task is not None and task is asyncio.current_task()

    @contextlib.asynccontextmanager
    async def begin(self) -> AsyncIterator[None]:
        if self.active():  # nested: part of the outer transaction
            yield
            return
        async with self._lock:
            token = self._owner.set(asyncio.current_task())
            try:
                yield
            except BaseException:
                await self._rollback()
                raise
            else:
                await self._commit()
            finally:
                self._owner.reset(token)
