"""PostgreSQL benchmark, part 1: the no-op fan-out of N chats on PostgreSQL and on SQLite, in one run.

Run from the project root with a PostgreSQL server the benchmark may create a database on:

    .venv/bin/python benchmarks/bench_postgres.py [--subscribers 100000] [--postgres postgresql://postgres@127.0.0.1:5432/postgres]

The fan-out is bench_reminders' (N private Telegram chats in 10 zones follow one show; the bot
starts on a VirtualClock at the due instant with a no-op adapter; timed: fire_reminder until every
message reached the adapter and was confirmed in the ledger), once on a SQLite file and once on a
fresh PostgreSQL database (dramabot_bench_<random>, dropped at the end), filled with COPY.
Target on PostgreSQL: >= 20,000/s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_reminders import fanout  # noqa: E402

from bot.storage import open_storage  # noqa: E402

TARGET = 20_000


class PostgresTarget:
    """A fresh PostgreSQL database for one fan-out, filled with COPY."""

    def __init__(self, url: str) -> None:
        self.url = url

    async def make(self, chats: list[tuple], subs: list[tuple]) -> str:
        await (await open_storage(self.url)).close()  # the schema, exactly as the bot creates it
        async with await psycopg.AsyncConnection.connect(self.url) as conn:
            async with conn.cursor() as cur:
                async with cur.copy("COPY chats (platform, chat_id, is_private, timezone, leads, created_at, language) "
                                    "FROM STDIN") as copy:
                    for chat in chats:
                        await copy.write_row((*chat, None)[:7])
                async with cur.copy("COPY subscriptions (platform, chat_id, kind, target, created_at) FROM STDIN") as copy:
                    for platform, chat, target, created in subs:
                        await copy.write_row((platform, chat, "show", target, created))
            await conn.execute("ANALYZE")
        return self.url

    async def sent(self) -> int:
        async with await psycopg.AsyncConnection.connect(self.url) as conn:
            cur = await conn.execute("SELECT COUNT(*) FROM deliveries WHERE state = 'sent'")
            row = await cur.fetchone()
            return int(row[0]) if row else 0


def on_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def report(label: str, f: dict) -> float:
    rate = f["delivered"] / f["seconds"]
    ok = f["sent"] == f["delivered"] == f["n"] == f["ledger_sent"] and f["again_delivered"] == 0
    split = ", ".join(f"{k} {v[1]:.3f} s/{v[0]}" for k, v in f["split"].items())
    print(f"   {label}: {f['delivered']:,} in {f['seconds']:.3f} s = {rate:,.0f}/s; count and idempotence "
          f"{'OK' if ok else 'WRONG'} (ledger 'sent' {f['ledger_sent']:,}; fired again: {f['again_delivered']}); store: {split}",
          flush=True)
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--postgres", default=os.environ.get("DRAMABOT_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"),
                        help="a maintenance URL: the benchmark creates (and drops) its own database there")
    args = parser.parse_args()
    n = args.subscribers
    name = f"dramabot_bench_{secrets.token_hex(4)}"
    print(f"dramabot PostgreSQL benchmark, part 1: no-op fan-out of {n:,} chats; Python {sys.version.split()[0]}", flush=True)
    with psycopg.connect(args.postgres, autocommit=True) as conn:
        version = conn.execute("SHOW server_version").fetchone()
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        with tempfile.TemporaryDirectory(prefix="dramabot-bench-") as scratch:
            sqlite_rate = report("SQLite", asyncio.run(fanout(n, Path(scratch))))
            pg_rate = report(f"PostgreSQL {version[0] if version else '?'}",
                             asyncio.run(fanout(n, Path(scratch), target=PostgresTarget(on_database(args.postgres, name)))))
        print(f"   PostgreSQL/SQLite: {pg_rate / sqlite_rate:.2f}; target on PostgreSQL >= {TARGET:,}/s: "
              f"{'OK' if pg_rate >= TARGET else 'MISSED'}")
    finally:
        with psycopg.connect(args.postgres, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
