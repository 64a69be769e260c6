"""What every part of the SQLite backend shares: the one connection and its transactions."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

import aiosqlite

from ..migrations import SQLITE, Dialect
from ..transaction import Transactions


class SqliteBase:
    """One aiosqlite connection; every public method runs in `transaction()` (its own, or the
    caller's when one is open in this task)."""

    dialect: Dialect = SQLITE

    def __init__(self, db: aiosqlite.Connection):
        self._db = db
        self._transactions = Transactions(commit=self._commit, rollback=self._rollback)

    async def _commit(self) -> None:
        if self._db.in_transaction:
            await self._db.commit()

    async def _rollback(self) -> None:
        if self._db.in_transaction:
            await self._db.rollback()

    def transaction(self) -> contextlib.AbstractAsyncContextManager[None]:
        """`async with storage.transaction():` commits everything inside once, or nothing."""
        return self._transactions.begin()

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """The first row of a query (None when there is none)."""
        async with self._db.execute(sql, params) as cur:
            return await cur.fetchone()

    async def _value(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """The first column of a query's first row (None when there is none), in a transaction."""
        async with self.transaction():
            row = await self._one(sql, params)
        return row[0] if row else None

    async def _changes_one(self, sql: str, params: Sequence[Any] = ()) -> bool:
        """Run one statement (inside the caller's transaction); True when it changed exactly one row."""
        cur = await self._db.execute(sql, params)
        return cur.rowcount == 1

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        async with self._db.execute(sql, params) as cur:
            return list(await cur.fetchall())

    async def _ensure_chat(self, platform: str, chat_id: str, is_private: bool, now: int) -> None:
        await self._db.execute(
            "INSERT OR IGNORE INTO chats (platform, chat_id, is_private, created_at) VALUES (?, ?, ?, ?)",
            (platform, chat_id, int(is_private), now),
        )
