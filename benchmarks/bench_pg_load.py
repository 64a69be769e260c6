"""PostgreSQL load per fan-out: statements, rows written, WAL and time for N chats, and the prune.

Run from the project root with a PostgreSQL server the benchmark may create databases on:

    .venv/bin/python benchmarks/bench_pg_load.py [--chats 10000 100000] [--postgres URL]

Each size runs bench_reminders' no-op fan-out (N private Telegram chats follow one show; one
reminder job fires; timed until every message reached the adapter and was confirmed in the
ledger) on a fresh database (dramabot_bench_<random>, dropped at the end). Measured around the
fan-out: statements the bot sent (counted at the driver: calls, and executions within
executemany), WAL bytes (pg_current_wal_lsn() before and after; the whole server's, so other
work on it counts too: take the least of several runs), the ledger's inserted and updated rows
(pg_stat_user_tables, read after the bot stopped and its connections flushed their counters),
the ledger's size on disk, then the prune of all of it (`prune`: one DELETE) in time and WAL.
pg_stat_statements is used when the server has it loaded; most do not.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

import psycopg
from psycopg import AsyncCursor

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_postgres import PostgresTarget, on_database  # noqa: E402
from bench_reminders import fanout  # noqa: E402

from bot.storage import open_storage  # noqa: E402


class Counter:
    """Statements through psycopg in this process: each call, and each execution an executemany makes."""

    calls = 0
    executions = 0

    @classmethod
    def install(cls) -> None:
        execute, executemany = AsyncCursor.execute, AsyncCursor.executemany

        async def counted_execute(self, query, params=None, **kwargs):
            cls.calls += 1
            cls.executions += 1
            return await execute(self, query, params, **kwargs)

        async def counted_executemany(self, query, params_seq, **kwargs):
            rows = list(params_seq)
            cls.calls += 1
            cls.executions += len(rows)
            return await executemany(self, query, rows, **kwargs)

        AsyncCursor.execute = counted_execute  # type: ignore[method-assign]
        AsyncCursor.executemany = counted_executemany  # type: ignore[method-assign]


def lsn(text: str) -> int:
    high, low = text.split("/")
    return (int(high, 16) << 32) | int(low, 16)


class MeasuredTarget(PostgresTarget):
    """bench_postgres' target, with marks around the fan-out."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.marks: dict[str, tuple[int, int, int]] = {}

    async def mark(self, name: str) -> None:
        counted = (Counter.calls, Counter.executions)
        async with await psycopg.AsyncConnection.connect(self.url, autocommit=True) as conn:
            row = await (await conn.execute("SELECT pg_current_wal_lsn()::text")).fetchone()
        if name == "fire":
            counted = (Counter.calls, Counter.executions)  # after this mark's own statement
        self.marks[name] = (lsn(row[0]) if row else 0, *counted)

    async def ledger(self) -> dict[str, int]:
        await asyncio.sleep(1.5)  # the bot's connections closed; their counters reach the statistics
        async with await psycopg.AsyncConnection.connect(self.url, autocommit=True) as conn:
            cur = await conn.execute(
                "SELECT n_tup_ins, n_tup_upd, n_tup_hot_upd, pg_total_relation_size('deliveries') FROM pg_stat_user_tables "
                "WHERE relname = 'deliveries'")
            row = await cur.fetchone()
        return dict(zip(("inserted", "updated", "hot", "bytes"), row or (0, 0, 0, 0), strict=True))

    async def prune(self) -> tuple[int, float, int]:
        store = await open_storage(self.url, exclusive=False)
        try:
            async with await psycopg.AsyncConnection.connect(self.url, autocommit=True) as conn:
                before = lsn((await (await conn.execute("SELECT pg_current_wal_lsn()::text")).fetchone() or ("0/0",))[0])
                t = time.perf_counter()
                removed = await store.prune(before=2**62)
                seconds = time.perf_counter() - t
                after = lsn((await (await conn.execute("SELECT pg_current_wal_lsn()::text")).fetchone() or ("0/0",))[0])
        finally:
            await store.close()
        return removed, seconds, after - before


def measure(n: int, maintenance: str) -> None:
    name = f"dramabot_bench_{secrets.token_hex(4)}"
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        target = MeasuredTarget(on_database(maintenance, name))
        with tempfile.TemporaryDirectory(prefix="dramabot-bench-") as scratch:
            f = asyncio.run(fanout(n, Path(scratch), target=target))
        (wal0, calls0, runs0), (wal1, calls1, runs1) = target.marks["fire"], target.marks["fired"]
        ledger = asyncio.run(target.ledger())
        removed, prune_seconds, prune_wal = asyncio.run(target.prune())
        wal = wal1 - wal0
        print(f"   {n:>7,} chats: fan-out {f['seconds']:.2f} s ({f['delivered'] / f['seconds']:,.0f}/s), "
              f"{calls1 - calls0:,} statement calls ({runs1 - runs0:,} executions), "
              f"ledger rows {ledger['inserted']:,} inserted + {ledger['updated']:,} updated ({ledger['hot']:,} HOT), "
              f"WAL {wal / 1e6:.1f} MB ({wal / n:.0f} B/chat, {wal / 1e6 / f['seconds']:.1f} MB/s), "
              f"ledger on disk {ledger['bytes'] / 1e6:.1f} MB ({ledger['bytes'] / n:.0f} B/row)", flush=True)
        print(f"   {'':>7} prune: {removed:,} rows deleted in {prune_seconds:.2f} s ({removed / prune_seconds:,.0f}/s), "
              f"WAL {prune_wal / 1e6:.1f} MB", flush=True)
    finally:
        with psycopg.connect(maintenance, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chats", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--postgres", default=os.environ.get("DRAMABOT_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"),
                        help="a maintenance URL: the benchmark creates (and drops) its own databases there")
    args = parser.parse_args()
    with psycopg.connect(args.postgres, autocommit=True) as conn:
        version = conn.execute("SHOW server_version").fetchone()
        settings = conn.execute("SELECT name, setting FROM pg_settings WHERE name IN "
                                "('shared_preload_libraries', 'synchronous_commit', 'wal_level', 'full_page_writes')").fetchall()
    print(f"dramabot PostgreSQL load per fan-out; PostgreSQL {version[0] if version else '?'}, "
          f"{', '.join(f'{k}={v or chr(39) * 2}' for k, v in settings)}; Python {sys.version.split()[0]}, {os.cpu_count()} CPUs",
          flush=True)
    Counter.install()
    for n in args.chats:
        measure(n, args.postgres)


if __name__ == "__main__":
    main()
