"""`dramabot migrate` benchmark: a SQLite bot of N subscriptions and M ledger rows copied to PostgreSQL.

Run from the project root with a PostgreSQL server the benchmark may create a database on:

    .venv/bin/python benchmarks/bench_migrate.py [--subscriptions 100000] [--ledger 300000] [--postgres URL]

The source is made as the bot makes it (the schema by `open_storage`, then rows inserted in
bulk): N chats in 10 zones, each following one of 50 shows; M ledger rows (reminders sent, a few
failed and due again, news) spread over the last days, 10% of them past the prune's cut-off (not
copied). Timed: `bot.storage.move.move` as `dramabot migrate` runs it (probe, lock, migrate the
empty target, COPY in one transaction, ANALYZE). The target is a fresh database
(dramabot_bench_<random>), dropped at the end. Prints the rows per table and rows per second.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_postgres import on_database  # noqa: E402
from bench_reminders import T0, ZONES, make_db  # noqa: E402

from bot.storage.move import move  # noqa: E402

DAY = 86_400


def fill_ledger(path: Path, chats: list[str], rows: int, now: int) -> int:
    """`rows` ledger rows over the chats; returns how many are past the cut-off (now - 7 days)."""
    con = sqlite3.connect(path)
    old = rows // 10
    with con:
        batch = []
        for i in range(rows):
            chat = chats[i % len(chats)]
            job = f"show{i // len(chats)}#{i % 16}@{i // len(chats)}|30"
            expires = now - 8 * DAY - i if i < old else now - 6 * DAY + (i % (7 * DAY))
            state, attempts, next_at, sent_at = ("failed", 1, now + 60, None) if i % 997 == 0 else ("sent", 1, None, expires)
            batch.append(("reminder", job, "telegram", chat, expires, state, attempts, next_at, sent_at))
            if len(batch) == 10_000:
                con.executemany("INSERT INTO deliveries (kind, job, platform, chat_id, expires_at, state, attempts, "
                                "next_attempt_at, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", batch)
                batch.clear()
        con.executemany("INSERT INTO deliveries (kind, job, platform, chat_id, expires_at, state, attempts, "
                        "next_attempt_at, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", batch)
    con.close()
    return old


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscriptions", type=int, default=100_000)
    parser.add_argument("--ledger", type=int, default=300_000)
    parser.add_argument("--postgres", default=os.environ.get("DRAMABOT_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"),
                        help="a maintenance URL: the benchmark creates (and drops) its own database there")
    args = parser.parse_args()
    n, m = args.subscriptions, args.ledger
    now = int(T0.timestamp())
    name = f"dramabot_bench_{secrets.token_hex(4)}"
    with psycopg.connect(args.postgres, autocommit=True) as conn:
        version = conn.execute("SHOW server_version").fetchone()
        conn.execute(f'CREATE DATABASE "{name}"')
    print(f"dramabot migrate benchmark: {n:,} subscriptions, {m:,} ledger rows, SQLite -> PostgreSQL "
          f"{version[0] if version else '?'}; Python {sys.version.split()[0]}, {os.cpu_count()} CPUs", flush=True)
    try:
        with tempfile.TemporaryDirectory(prefix="dramabot-bench-") as scratch:
            path = Path(scratch) / "bot.sqlite3"
            ids = [str(30_000_000 + i) for i in range(n)]
            t = time.perf_counter()
            asyncio.run(make_db(path, [("telegram", c, 1, ZONES[i % len(ZONES)], None, now - DAY, None) for i, c in enumerate(ids)],
                                [("telegram", c, f"show{i % 50}", now - DAY) for i, c in enumerate(ids)]))
            old = fill_ledger(path, ids, m, now)
            print(f"   source built in {time.perf_counter() - t:.1f} s ({path.stat().st_size / 1e6:.0f} MB)", flush=True)
            report = asyncio.run(move(source=str(path), target=on_database(args.postgres, name), expired_before=now - 7 * DAY))
        for copied in report.copied:
            if copied.rows:
                print(f"   {copied.table:<16} {copied.rows:>9,}")
        print(f"   left behind (expired): {report.left_behind:,} (expected {old:,})")
        print(f"   migrate: {report.rows:,} rows in {report.seconds:.2f} s = {report.rows / report.seconds:,.0f} rows/s")
    finally:
        with psycopg.connect(args.postgres, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
