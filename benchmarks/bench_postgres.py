"""PostgreSQL benchmark, part 1: the no-op fan-out of N chats on PostgreSQL and on SQLite, in one run.

Run from the project root with a PostgreSQL server the benchmark may create a database on:

    .venv/bin/python benchmarks/bench_postgres.py [--subscribers 100000] [--postgres postgresql://postgres@127.0.0.1:5432/postgres]

The fan-out is bench_reminders' (N private Telegram chats in 10 zones follow one show; the bot
starts on a VirtualClock at the due instant with a no-op adapter; timed: fire_reminder until every
message reached the adapter and was confirmed in the ledger), once on a SQLite file and once on a
fresh PostgreSQL database (dramabot_bench_<random>, dropped at the end), filled with COPY.
Target on PostgreSQL: >= 20,000/s.

Part 2 (`part_processes`): three `dramabot run` processes on one fresh PostgreSQL database, one
reminder fan-out to 3,000 private chats through the fake Bot API answering after 100 ms with
Telegram's 30/s enforced: the bot-wide rate from the first reminder to the last (target >= 95% of
30/s), 429s (target 0), chats reached twice. Part 3 (`part_failover`): the same with 600 chats;
once the fan-out is under way the process holding send:telegram is SIGKILLed; timed: from the kill
until the fake accepts the next reminder (median of 5, target <= 15 s); also who was lost or
reached twice. `--parts 1,2,3` chooses (parts 2 and 3 take about five minutes).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import signal
import statistics
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_reminders import fanout  # noqa: E402

from bot.storage import open_storage  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.adapters.shared_processes import Group, kill, reminders, store_fans  # noqa: E402
from tests.fakes.telegram_api import FakeTelegram, FloodLimits  # noqa: E402

TARGET = 20_000
CAP = 30  # Telegram's bot-wide messages a second, enforced by the fake
RATE_TARGET = 0.95 * CAP
FAILOVER_TARGET = 15.0  # seconds
START_UP = 12.0  # seconds for three processes to start and share their roles before the reminder is due


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


@contextlib.contextmanager
def scratch_database(maintenance: str) -> Iterator[str]:
    """A fresh database on the server (its URL), dropped at the end."""
    name = f"dramabot_bench_{secrets.token_hex(4)}"
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield on_database(maintenance, name)
    finally:
        with psycopg.connect(maintenance, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _processes_run(url: str, scratch: Path, chats: int) -> dict:
    fans = await store_fans(url, chats)
    async with FakeTelegram() as server:
        server.latency, server.flood = 0.1, FloodLimits(per_second=CAP)
        group = Group(server, scratch, url)
        try:
            await group.start(3, due_in=START_UP)
            await server.wait_until(lambda: set(reminders(server)) >= set(fans), START_UP + chats / CAP + 60, "every chat")
            await asyncio.sleep(1.0)
        finally:
            await group.stop()
        times = sorted(m.at for m in server.sent if "Shared Love" in m.plain_text)
        got = reminders(server)
        return {"rate": (len(times) - 1) / (times[-1] - times[0]), "seconds": times[-1] - times[0], "sent": len(times),
                "429": server.count_429, "twice": sum(1 for n in got.values() if n > 1), "lost": len(set(fans) - set(got))}


def part_processes(maintenance: str, chats: int = 3000) -> None:
    print(f"part 2: three processes, one fan-out of {chats:,} chats, fake Bot API at 100 ms with {CAP}/s enforced", flush=True)
    with scratch_database(maintenance) as url, tempfile.TemporaryDirectory(prefix="dramabot-bench-") as scratch:
        f = asyncio.run(_processes_run(url, Path(scratch), chats))
    print(f"   {f['sent']:,} reminders in {f['seconds']:.1f} s = {f['rate']:.2f}/s bot-wide "
          f"({f['rate'] / CAP:.1%} of {CAP}/s; target >= 95%: {'OK' if f['rate'] >= RATE_TARGET else 'MISSED'}); "
          f"429s: {f['429']} (target 0: {'OK' if f['429'] == 0 else 'MISSED'}); lost {f['lost']}, twice {f['twice']}",
          flush=True)


async def _failover_run(url: str, scratch: Path, chats: int) -> dict:
    fans = await store_fans(url, chats)
    async with FakeTelegram() as server:
        server.latency, server.flood = 0.1, FloodLimits(per_second=CAP)
        group = Group(server, scratch, url)
        try:
            await group.start(3, due_in=START_UP)
            await server.wait_until(lambda: len(reminders(server)) >= 90, START_UP + 60, "the fan-out under way")
            victim = await group.sender()
            killed_at = server.clock()
            kill(victim, signal.SIGKILL)
            after = killed_at + 0.5  # what the dead one had on the wire lands within its 100 ms answer
            await server.wait_until(lambda: any(m.at > after for m in server.sent), 60, "sending to resume")
            resumed = min(m.at for m in server.sent if m.at > after) - killed_at
            await server.wait_until(lambda: set(reminders(server)) >= set(fans), chats / CAP + 60, "every chat")
        finally:
            await group.stop()
        got = reminders(server)
        return {"resumed": resumed, "twice": sum(1 for n in got.values() if n > 1), "lost": len(set(fans) - set(got)),
                "429": server.count_429}


def part_failover(maintenance: str, runs: int = 5, chats: int = 600) -> None:
    print(f"part 3: failover, SIGKILL of the sending process mid-fan-out ({chats} chats, {runs} runs)", flush=True)
    resumed = []
    for run in range(runs):
        with scratch_database(maintenance) as url, tempfile.TemporaryDirectory(prefix="dramabot-bench-") as scratch:
            f = asyncio.run(_failover_run(url, Path(scratch), chats))
        resumed.append(f["resumed"])
        print(f"   run {run + 1}: sending resumed {f['resumed']:.1f} s after the kill; lost {f['lost']}, "
              f"twice {f['twice']}, 429s {f['429']}", flush=True)
    median = statistics.median(resumed)
    print(f"   median {median:.1f} s (min {min(resumed):.1f}, max {max(resumed):.1f}); target <= {FAILOVER_TARGET:g} s: "
          f"{'OK' if median <= FAILOVER_TARGET else 'MISSED'}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--postgres", default=os.environ.get("DRAMABOT_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"),
                        help="a maintenance URL: the benchmark creates (and drops) its own database there")
    parser.add_argument("--parts", default="1,2,3", help="which parts to run: 1 (no-op fan-out), 2 (three processes), 3 (failover)")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    if "1" in parts:
        part_noop(args.postgres, args.subscribers)
    if "2" in parts:
        part_processes(args.postgres)
    if "3" in parts:
        part_failover(args.postgres)


def part_noop(maintenance: str, n: int) -> None:
    """Part 1: the no-op fan-out of `n` chats on SQLite and on PostgreSQL."""
    name = f"dramabot_bench_{secrets.token_hex(4)}"
    print(f"dramabot PostgreSQL benchmark, part 1: no-op fan-out of {n:,} chats; Python {sys.version.split()[0]}", flush=True)
    with psycopg.connect(maintenance, autocommit=True) as conn:
        version = conn.execute("SHOW server_version").fetchone()
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        with tempfile.TemporaryDirectory(prefix="dramabot-bench-") as scratch:
            sqlite_rate = report("SQLite", asyncio.run(fanout(n, Path(scratch))))
            pg_rate = report(f"PostgreSQL {version[0] if version else '?'}",
                             asyncio.run(fanout(n, Path(scratch), target=PostgresTarget(on_database(maintenance, name)))))
        print(f"   PostgreSQL/SQLite: {pg_rate / sqlite_rate:.2f}; target on PostgreSQL >= {TARGET:,}/s: "
              f"{'OK' if pg_rate >= TARGET else 'MISSED'}")
    finally:
        with psycopg.connect(maintenance, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
