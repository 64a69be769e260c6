"""Several `dramabot run` processes on one PostgreSQL database against one fake Bot API (issue 17):
fans stored beforehand follow a show whose reminder falls due soon after start; the processes
share the work through their roles. Used by tests/adapters/test_shared_queue_run.py and
benchmarks/bench_postgres.py (parts 2 and 3)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

from bot.storage.postgres import PostgresStorage
from tests.adapters.telegram_process import start_telegram_bot
from tests.fakes.telegram_api import FakeTelegram

LEAD = timedelta(minutes=10)  # the reminder's lead: it expires at air time, long after the fan-out
FIRST_CHAT = 10_000


async def store_fans(url: str, count: int) -> list[int]:
    """`count` private Telegram chats following the show "Shared Love" (its key: sharedlove)."""
    chats = [FIRST_CHAT + n for n in range(count)]
    store = await PostgresStorage.open(url)
    try:
        async with store.transaction():
            for chat in chats:
                await store.subscribe(platform="telegram", chat_id=str(chat), is_private=True, kind="show",
                                      target="sharedlove", now=0)
    finally:
        await store.close()
    return chats


def sender_pid(url: str) -> int | None:
    """The process holding send:telegram now (its holder id is host:pid:random), if any holds it."""
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT holder FROM leases WHERE role = 'send:telegram' AND expires_at > %s",
                           (time.time(),)).fetchone()
    return int(row[0].split(":")[-2]) if row else None


@dataclass
class Group:
    """The processes of one run, and where each writes its log."""

    server: FakeTelegram
    root: Path
    url: str
    processes: list[asyncio.subprocess.Process] = field(default_factory=list)

    async def start(self, count: int, *, due_in: float) -> datetime:
        """Start `count` processes; the reminder falls due `due_in` seconds from now (returned)."""
        due = (datetime.now(UTC) + timedelta(seconds=due_in)).replace(microsecond=0)
        airs = due + LEAD
        for n in range(count):
            home = self.root / f"p{n}"
            home.mkdir(parents=True, exist_ok=True)
            (home / "catalog.toml").write_text(
                f'[[shows]]\ntitle = "Shared Love"\nnetwork = "JTBC"\ntimezone = "Asia/Seoul"\n'
                f'airings = [{{episode = 1, at = {airs.isoformat()}}}]\n', encoding="utf-8",
            )
            log = (home / "log.txt").open("wb")
            self.processes.append(await start_telegram_bot(
                home, self.server, top=f'catalog = "catalog.toml"\ntimezone = "UTC"\nleads = ["{LEAD.seconds // 60}m"]\n',
                database=self.url, log_level="INFO", stderr=log, stdout=asyncio.subprocess.DEVNULL,
            ))
            log.close()
        return due

    def by_pid(self, pid: int) -> asyncio.subprocess.Process:
        return next(p for p in self.processes if p.pid == pid)

    async def sender(self, timeout: float = 30.0) -> asyncio.subprocess.Process:
        """The process holding send:telegram (waiting until one does)."""
        deadline = time.monotonic() + timeout
        while (pid := sender_pid(self.url)) is None or pid not in {p.pid for p in self.processes if p.returncode is None}:
            assert time.monotonic() < deadline, "no process took send:telegram"
            await asyncio.sleep(0.2)
        return self.by_pid(pid)

    async def stop(self) -> None:
        for process in self.processes:
            if process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
                await process.wait()

    def logs(self) -> str:
        return "\n".join((self.root / f"p{n}" / "log.txt").read_text(errors="replace") for n in range(len(self.processes)))


def reminders(server: FakeTelegram) -> Counter[int]:
    """How many reminders each chat received."""
    return Counter(m.chat_id for m in server.sent if "Shared Love" in m.plain_text)


def kill(process: asyncio.subprocess.Process, how: signal.Signals) -> None:
    os.kill(process.pid, how)
