"""The ledger's write side: outcomes buffered by the outbox reach the database, whatever the
moment the bot stops at."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta

from bot.delivery import Item, Ledger
from bot.domain.interfaces import ChatRef, VirtualClock
from bot.storage import open_storage
from bot.storage.values import LedgerJob

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class Job:
    kind = "reminder"
    key = "show#1|60"
    expires = retry_until = NOW + timedelta(hours=1)

    async def message_for(self, item: Item) -> str:
        return "unused"


def states(db: str) -> dict[str, str]:
    with sqlite3.connect(db) as conn:
        return dict(conn.execute("SELECT chat_id, state FROM deliveries").fetchall())


async def test_a_stop_while_the_writer_is_inside_a_write_still_confirms_every_send(tmp_path):
    """SIGTERM must repeat nothing: the stop lands while the ledger's writer is writing a batch
    (the database is slow), and every send of that batch is still confirmed."""
    db = str(tmp_path / "bot.sqlite3")
    store = await open_storage(db)
    chats = [f"c{n:02d}" for n in range(20)]
    await store.claim(LedgerJob("reminder", Job.key, int(Job.expires.timestamp())), recipients=[("telegram", c) for c in chats])
    writing = asyncio.Event()
    real_write = store.record_outcomes

    async def slow_write(*args, **kwargs):
        writing.set()
        await asyncio.sleep(0.3)  # a loaded disk: the write is under way when the stop comes
        return await real_write(*args, **kwargs)

    store.record_outcomes = slow_write  # type: ignore[method-assign]
    ledger = Ledger(store, VirtualClock(NOW))
    ledger.start()
    for chat in chats:
        ledger.sent(Item(Job(), ChatRef("telegram", chat), True, None, 0))
    await asyncio.wait_for(writing.wait(), 5)  # the writer's timer fired: it is inside the write
    await ledger.close()
    await store.close()
    assert states(db) == {chat: "sent" for chat in chats}
