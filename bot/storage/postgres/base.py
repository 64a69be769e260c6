"""What every part of the PostgreSQL backend shares: the connection pool and its transactions.

`transaction()` takes one pooled connection for the task that enters it and keeps it until the
block ends (commit, or rollback on any exception). A transaction entered inside another one in
the same task joins it; a task it starts does not (it takes a connection of its own). A storage
call made outside any transaction runs in one of its own. Concurrent tasks use separate
connections: they do not wait for each other, except where PostgreSQL's row locks make them.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
from collections.abc import AsyncIterator, Sequence
from typing import Any

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from ..migrations import POSTGRESQL, Dialect

Held = tuple[asyncio.Task | None, AsyncConnection]


class PostgresBase:
    """One psycopg pool; every public method runs in `transaction()` (its own, or the caller's
    when one is open in this task)."""

    dialect: Dialect = POSTGRESQL

    def __init__(self, pool: AsyncConnectionPool):
        self._pool = pool
        self._held: contextvars.ContextVar[Held | None] = contextvars.ContextVar(f"pg_transaction_{id(self)}", default=None)

    def _joined(self) -> AsyncConnection | None:
        """The connection of the transaction this task holds, if any."""
        held = self._held.get()
        return held[1] if held is not None and held[0] is asyncio.current_task() else None

    @contextlib.asynccontextmanager
    async def _begin(self) -> AsyncIterator[AsyncConnection]:
        joined = self._joined()
        if joined is not None:  # nested: part of the outer transaction
            yield joined
            return
        async with self._pool.connection() as conn:  # commits at the end, rolls back on an exception
            token = self._held.set((asyncio.current_task(), conn))
            try:
                yield conn
            finally:
                self._held.reset(token)

    @contextlib.asynccontextmanager
    async def _transaction(self) -> AsyncIterator[None]:
        async with self._begin():
            yield

    def transaction(self) -> contextlib.AbstractAsyncContextManager[None]:
        """`async with storage.transaction():` commits everything inside once, or nothing."""
        return self._transaction()

    async def _execute(self, sql: str, params: Sequence[Any] | None = None) -> int:
        """Run one statement (in the caller's transaction or its own); the rows it changed."""
        async with self._begin() as conn:
            cur = await conn.execute(sql, params)
            return cur.rowcount

    async def _executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        async with self._begin() as conn, conn.cursor() as cur:
            await cur.executemany(sql, rows)

    async def _changes_one(self, sql: str, params: Sequence[Any] | None = None) -> bool:
        """Run one statement; True when it changed exactly one row."""
        return await self._execute(sql, params) == 1

    async def _all(self, sql: str, params: Sequence[Any] | None = None) -> list[Any]:
        async with self._begin() as conn:
            cur = await conn.execute(sql, params)
            return await cur.fetchall()

    async def _one(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        """The first row of a query (None when there is none)."""
        async with self._begin() as conn:
            cur = await conn.execute(sql, params)
            return await cur.fetchone()

    async def _value(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        """The first column of a query's first row (None when there is none)."""
        row = await self._one(sql, params)
        return row[0] if row else None

    async def _ensure_chat(self, platform: str, chat_id: str, is_private: bool, now: int) -> None:
        await self._execute(
            "INSERT INTO chats (platform, chat_id, is_private, created_at) VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
            (platform, chat_id, int(is_private), now),
        )
