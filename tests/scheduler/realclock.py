"""Helpers for tests on the real clock: a bot under APScheduler with mock adapters that can be
slow, limited, hanging or failing, a catalog of shows airing seconds from now, and databases
seeded with many subscribers at once."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from adapters.mock import MockAdapter
from bot.config import parse_config
from bot.domain.catalog import parse_catalog
from bot.domain.interfaces import SystemClock
from bot.storage import open_storage
from scheduler.process import BotProcess


def soon_catalog(**airs: datetime) -> dict:
    """One show per keyword ("a" -> "Show A"), each with episode 1 at the given instant and
    episode 2 a week later."""
    return {
        "shows": [
            {
                "title": f"Show {name.upper()}", "network": "KBS",
                "airings": [{"episode": 1, "at": at}, {"episode": 2, "at": at + timedelta(days=7)}],
            }
            for name, at in airs.items()
        ],
    }


async def seed(db: str, show: str, chats: Iterable[str], *, platform: str = "telegram", leads: str | None = None,
               zone: str | None = None) -> None:
    """Subscribe many private chats to `show` (its catalog key) straight in the database."""
    store = await open_storage(db)
    await store.close()
    rows = list(chats)
    with sqlite3.connect(db) as conn:
        conn.executemany(
            "INSERT OR IGNORE INTO chats (platform, chat_id, is_private, timezone, leads, created_at) VALUES (?, ?, 1, ?, ?, 0)",
            [(platform, c, zone, leads) for c in rows],
        )
        conn.executemany(
            "INSERT OR IGNORE INTO subscriptions (platform, chat_id, kind, target, created_at) VALUES (?, ?, 'show', ?, 0)",
            [(platform, c, show) for c in rows],
        )


def mock(platform: str = "telegram", **kwargs: Any) -> MockAdapter:
    return MockAdapter(platform, SystemClock().now, **kwargs)


async def start(db: str, catalog: dict, adapters: dict[str, MockAdapter], **config: Any) -> BotProcess:
    config.setdefault("tvmaze", {"enabled": False})  # no internet in tests (see tests/conftest.py)
    return await BotProcess.start(
        config=parse_config(config), catalog=parse_catalog(catalog), clock=SystemClock(), adapters=adapters, db_path=db,
    )


async def wait_for(predicate: Callable[[], bool], seconds: float = 5.0) -> bool:
    deadline = asyncio.get_running_loop().time() + seconds
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(0.01)
    return True


def reminders(adapter: MockAdapter, show: str | None = None) -> list:
    return [s for s in adapter.outbox if s.kind == "reminder" and (show is None or f"<b>Show {show.upper()}</b>" in s.text)]


def ledger_states(db: str) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return dict(conn.execute("SELECT state, COUNT(*) FROM deliveries GROUP BY state").fetchall())
