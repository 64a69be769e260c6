"""Reminder benchmarks: fan-out throughput, start-up time and memory, and the naive design.

Run from the project root (about 15 s at the default sizes; the figures go to standard output):

    .venv/bin/python benchmarks/bench_reminders.py [--subscribers 100000] [--shows 1000] [--only-fanout]

1. Fan-out: N private Telegram chats (10 zones, default leads) follow one show. The bot is
   started by BotProcess.start on a VirtualClock at the due instant with a no-op adapter;
   timed: `await core.reminders.fire_reminder(airing, 30)` until every message reached the adapter.
   Firing the same job again must send 0 (the delivery ledger). Target >= 100,000/s.
2. Start-up, in fresh subprocesses: S shows (catalog dict in memory, then a TOML file) and N
   subscriptions over three lead settings; timed from parsing the catalog until
   BotProcess.start returns with the APScheduler driver's next wake-up set (fixed clock, not a
   VirtualClock); also from process launch. RSS from /proc. Targets <= 2 s and <= 150 MB.
3. Naive design, in a fresh subprocess: one DateTrigger job per subscriber in a running
   AsyncIOScheduler; timed: adding N jobs (and RSS growth), then all N jobs running when due.
Databases are filled with sqlite3.executemany on the schema open_storage creates, in a temp dir.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot.config import Config
from bot.domain.catalog import WEEKDAYS, load_catalog, parse_catalog
from bot.domain.interfaces import ChatRef, Limits, Outgoing, VirtualClock
from bot.domain.render import Bold, Message
from bot.storage import open_storage
from scheduler.process import BotProcess

# Later than the real clock, so APScheduler never fires during a run.
T0 = datetime(2030, 3, 4, tzinfo=UTC)
ZONES = ("Asia/Seoul", "Asia/Tokyo", "Asia/Manila", "Asia/Jakarta", "Asia/Kolkata", "Europe/London",
         "Europe/Berlin", "America/New_York", "America/Sao_Paulo", "Australia/Sydney")
LEAD_SETTINGS = (None, "60,30", "1440")
NETWORKS = ("JTBC", "tvN", "SBS", "KBS2", "MBC", "ENA")
NAIVE_TIMEOUT = 120.0


class NoopAdapter:
    """Hands every message to nothing; only counts. No limits: the outbox sends as fast as it can."""

    platform, count, limits = "telegram", 0, Limits()

    async def connect(self) -> None: ...

    async def listen(self, inbox) -> None: ...

    async def stop(self) -> None: ...

    async def send(self, chat: ChatRef, message: Outgoing) -> None:
        self.count += 1


class FixedClock:
    """A real-clock stand-in at a fixed instant; not a VirtualClock, so BotProcess picks ApsDriver."""

    def __init__(self, at: datetime) -> None:
        self.now = lambda: at


def rss_mb() -> dict[str, float]:
    """RSS in MB: now (VmRSS), peak (VmHWM), and ru_maxrss (on Linux, kept from the parent across exec)."""
    with open("/proc/self/status") as status:
        kb = {k: int(v.split()[0]) for k, v in (line.split(":", 1) for line in status) if k in ("VmRSS", "VmHWM")}
    return dict(vm_rss=kb["VmRSS"] / 1024, vm_hwm=kb["VmHWM"] / 1024,
                ru_maxrss=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def catalog_dict(shows: int, seed: int = 1, episodes: int = 16) -> dict:
    """S shows: two weekly slots, E episodes, premieres 1-90 days after T0 (with 1,000 episodes,
    spread over the ten years before it: long histories); every third has a cast."""
    rng = random.Random(seed)
    entries = []
    for i in range(shows):
        days_after = rng.randint(1, 90) if episodes <= 16 else -rng.randint(0, 3650)
        premiere = (T0 + timedelta(days=days_after)).date()
        entry = {
            "title": f"Benchmark Drama {i}", "network": rng.choice(NETWORKS), "timezone": "Asia/Seoul",
            "days": [WEEKDAYS[premiere.weekday()], WEEKDAYS[(premiere.weekday() + 1) % 7]],
            "time": f"{rng.randint(18, 23):02d}:{rng.choice((0, 10, 30, 50)):02d}",
            "premiere": premiere, "episodes": episodes, "runtime": 70,
        }
        if i % 3 == 0:
            entry["cast"] = sorted({f"Bench Actor {rng.randrange(shows)}" for _ in range(3)})
        entries.append(entry)
    return {"shows": entries}


def to_toml(raw: dict) -> str:
    def value(v) -> str:  # strings, ints, dates and lists of them are all this catalog needs
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        return v.isoformat() if isinstance(v, date) else json.dumps(v) if isinstance(v, str) else str(v)

    return "\n".join("[[shows]]\n" + "\n".join(f"{k} = {value(v)}" for k, v in s.items()) + "\n" for s in raw["shows"])


async def make_db(path: Path, chats: list[tuple], subs: list[tuple]) -> None:
    await (await open_storage(path)).close()  # the schema, exactly as the bot creates it
    con = sqlite3.connect(path)
    with con:
        con.executemany("INSERT INTO chats (platform, chat_id, is_private, timezone, leads, created_at, language) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?)", [(*chat, None)[:7] for chat in chats])
        con.executemany("INSERT INTO subscriptions (platform, chat_id, kind, target, created_at) "
                        "VALUES (?, ?, 'show', ?, ?)", subs)
    con.close()


class SqliteTarget:
    """Where a fan-out benchmark keeps its state: a SQLite file (bench_postgres adds PostgreSQL)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    async def make(self, chats: list[tuple], subs: list[tuple]) -> str:
        """Create and fill the database; returns what `db_path` to start the bot with."""
        await make_db(self.path, chats, subs)
        return str(self.path)

    async def sent(self) -> int:
        con = sqlite3.connect(self.path)
        try:
            return con.execute("SELECT COUNT(*) FROM deliveries WHERE state = 'sent'").fetchone()[0]
        finally:
            con.close()


# ---- 1. fan-out -------------------------------------------------------------------------------


async def fanout(n: int, tmp: Path, language: str | None = None, target=None) -> dict:
    raw = {"shows": [{"title": "Fan Out Drama", "network": "JTBC", "timezone": "Asia/Seoul", "days": ["wed", "thu"],
                      "time": "22:30", "premiere": date(2030, 3, 6), "episodes": 16,
                      "cast": ["Bench Actor A", "Bench Actor B"]}]}
    catalog = parse_catalog(raw)
    airing = catalog.by_show["fanoutdrama"][0]
    due = airing.start - timedelta(minutes=30)
    target = target or SqliteTarget(tmp / f"fanout-{language or 'default'}.sqlite3")
    created = int(T0.timestamp())
    ids = [str(10_000_000 + i) for i in range(n)]
    db = await target.make([("telegram", c, 1, ZONES[i % len(ZONES)], None, created, language) for i, c in enumerate(ids)],
                           [("telegram", c, "fanoutdrama", created) for c in ids])
    adapter = NoopAdapter()
    process = await BotProcess.start(config=Config(), catalog=catalog, clock=VirtualClock(due),
                                     adapters={"telegram": adapter}, db_path=db)
    spent: dict[str, tuple[int, float]] = {}  # where the time goes: store calls, wrapped on this instance

    def timed(name: str, method):
        async def call(*a, **k):
            t = time.perf_counter()
            result = await method(*a, **k)
            calls, secs = spent.get(name, (0, 0.0))
            spent[name] = (calls + 1, secs + time.perf_counter() - t)
            return result
        return call

    for name in ("recipients", "claim", "record_outcomes"):
        setattr(process.core.store, name, timed(name, getattr(process.core.store, name)))
    mark = getattr(target, "mark", None)  # a target that measures the database around the fan-out (bench_pg_load)
    try:
        if mark:
            await mark("fire")
        t = time.perf_counter()
        sent = await process.core.reminders.fire_reminder(airing, 30)
        await process.core.idle()  # every message through the outbox and confirmed in the ledger
        seconds = time.perf_counter() - t
        if mark:
            await mark("fired")
        delivered, split = adapter.count, dict(spent)
        t = time.perf_counter()
        again = await process.core.reminders.fire_reminder(airing, 30)
        await process.core.idle()
        again_seconds = time.perf_counter() - t
    finally:
        await process.stop()
    ledger = await target.sent()
    return dict(n=n, sent=sent, delivered=delivered, seconds=seconds, again=again, again_delivered=adapter.count - delivered,
                again_seconds=again_seconds, ledger_sent=ledger, split=split)


# ---- 2. start-up (child process) --------------------------------------------------------------


def startup_db(path: Path, shows: int, n: int, episodes: int) -> Path:
    keys = list(parse_catalog(catalog_dict(shows, episodes=episodes)).shows)
    rng = random.Random(2)
    created = int(T0.timestamp())
    ids = [str(20_000_000 + i) for i in range(n)]
    chats = [("telegram", c, 1, ZONES[i % len(ZONES)], LEAD_SETTINGS[i % 3], created) for i, c in enumerate(ids)]
    asyncio.run(make_db(path, chats, [("telegram", c, rng.choice(keys), created) for c in ids]))
    toml = path.with_suffix(".toml")
    toml.write_text(to_toml(catalog_dict(shows, episodes=episodes)), encoding="utf-8")
    return toml


async def startup_child(db: str, shows: int, episodes: int, toml: str | None, launched: float) -> None:
    raw = None if toml else catalog_dict(shows, episodes=episodes)  # "already in memory": not timed
    before = rss_mb()["vm_rss"]
    t = time.perf_counter()
    catalog = load_catalog(toml) if toml else parse_catalog(raw)
    catalog_seconds = time.perf_counter() - t
    process = await BotProcess.start(config=Config(), catalog=catalog, clock=FixedClock(T0),
                                     adapters={"telegram": NoopAdapter()}, db_path=db)
    next_run = process.driver.next_run_time()
    seconds, cold = time.perf_counter() - t, time.time() - launched
    print(json.dumps(dict(seconds=seconds, cold=cold, catalog_seconds=catalog_seconds, driver=type(process.driver).__name__,
                          scheduler=type(getattr(process.driver, "scheduler", None)).__name__,
                          next_run=str(next_run), jobs=len(process.jobs.plan),
                          rss_before=before, **rss_mb())))
    await process.stop()


# ---- 3. naive: one APScheduler job per subscriber (child process) -----------------------------


async def naive_child(n: int) -> None:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler
    from apscheduler.triggers.date import DateTrigger

    adapter = NoopAdapter()
    message = Outgoing("reminder", Message.of("⏰ ", Bold("Fan Out Drama"), ", episode 1, starts in 30 minutes."))
    done = asyncio.Event()

    async def remind(chat: str) -> None:
        await adapter.send(chat, message)
        if adapter.count >= n:
            done.set()

    chats = [str(10_000_000 + i) for i in range(n)]
    before = rss_mb()["vm_rss"]
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.start()
    t = time.perf_counter()
    run_date = datetime.now(UTC) + timedelta(seconds=0.5)
    for chat in chats:
        scheduler.add_job(remind, DateTrigger(run_date=run_date), args=(chat,), misfire_grace_time=None)
    # Each add on a running scheduler queues a wake-up; let them drain without running jobs yet.
    scheduler.pause()
    await asyncio.sleep(0)
    add_seconds = time.perf_counter() - t
    grown = rss_mb()["vm_rss"] - before
    late = (datetime.now(UTC) - run_date).total_seconds()
    if late < 0:
        await asyncio.sleep(-late)
    t = time.perf_counter()  # jobs are due and the loop is free: fan-out starts now
    scheduler.resume()
    await asyncio.wait([asyncio.ensure_future(done.wait())], timeout=NAIVE_TIMEOUT)
    seconds = time.perf_counter() - t
    print(json.dumps(dict(n=n, add_seconds=add_seconds, rss_growth=grown, seconds=seconds, sent=adapter.count,
                          timed_out=adapter.count < n, add_overran_run_date_by=max(late, 0.0))))
    scheduler.shutdown(wait=False)


# ---- the run ----------------------------------------------------------------------------------


def child(*args: str) -> dict:
    argv = [sys.executable, __file__, *args, "--launched", repr(time.time())]
    out = subprocess.run(argv, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--shows", type=int, default=1000)
    parser.add_argument("--episodes", type=int, default=1000, help="episodes per show in the start-up catalog")
    parser.add_argument("--naive-subscribers", type=int, help="N for the naive design (default: --subscribers)")
    parser.add_argument("--only-fanout", action="store_true", help="measure the fan-out only (for profiling it)")
    parser.add_argument("--startup-child", metavar="DBPATH", help=argparse.SUPPRESS)
    parser.add_argument("--toml", help=argparse.SUPPRESS)
    parser.add_argument("--naive-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--launched", type=float, default=0.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.startup_child:
        return asyncio.run(startup_child(args.startup_child, args.shows, args.episodes, args.toml, args.launched))
    if args.naive_child:
        return asyncio.run(naive_child(args.subscribers))
    n, s = args.subscribers, args.shows
    naive_n = args.naive_subscribers or n
    print(f"dramabot reminder benchmark: {n:,} subscribers, {s:,} shows, Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="dramabot-bench-") as scratch:
        print(f"1. fan-out: {n:,} private chats in {len(ZONES)} zones follow one show; fire_reminder(airing, 30)", flush=True)
        f = asyncio.run(fanout(n, Path(scratch)))
        rate = f["delivered"] / f["seconds"]
        ok = f["sent"] == f["delivered"] == n == f["ledger_sent"]
        idem = f["again"] == 0 and f["again_delivered"] == 0
        print(f"   {f['delivered']:,} reminders handed to the adapter in {f['seconds']:.3f} s = {rate:,.0f}/s; count "
              f"{'OK' if ok else 'WRONG'} (returned {f['sent']:,}, ledger rows 'sent' {f['ledger_sent']:,})")
        print("   store calls (their time includes waiting for the one connection, and overlaps with sending, so it does not add up): "
              + ", ".join(f"store.{k} {v[1]:.3f} s in {v[0]} call{'s' if v[0] > 1 else ''}" for k, v in f["split"].items()))
        print(f"   fired again: {f['again_delivered']} sent in {f['again_seconds']:.3f} s: ledger idempotence "
              f"{'OK' if idem else 'BROKEN'}")
        k = asyncio.run(fanout(n, Path(scratch), language="ko"))
        ratio = k["seconds"] / f["seconds"]
        print(f"   every chat in Korean: {k['delivered']:,} reminders in {k['seconds']:.3f} s = {k['delivered'] / k['seconds']:,.0f}/s, "
              f"{ratio:.2f}x English ({'OK' if ratio <= 1.3 and k['delivered'] == n else 'OVER 1.3x'})", flush=True)
        if args.only_fanout:
            return
        e = args.episodes
        print(f"2. start-up: {s:,} shows of {e:,} episodes, {n:,} subscriptions, leads {LEAD_SETTINGS}; fresh subprocess each",
              flush=True)
        db = Path(scratch) / "startup.sqlite3"
        toml = startup_db(db, s, n, e)
        st = child("--startup-child", str(db), "--shows", str(s), "--episodes", str(e))
        st_toml = child("--startup-child", str(db), "--shows", str(s), "--episodes", str(e), "--toml", str(toml))
        for label, r in (("catalog dict in memory", st), (f"TOML file ({toml.stat().st_size // 1024} KB)", st_toml)):
            print(f"   from {label}: {r['seconds']:.3f} s (catalog {r['catalog_seconds']:.3f} s; {r['cold']:.2f} s from "
                  f"process launch) to {r['driver']}/{r['scheduler']} ready, next wake-up {r['next_run']}, "
                  f"{r['jobs']:,} reminder jobs in the plan's horizon; RSS {r['vm_rss']:.1f} MB, peak (VmHWM) "
                  f"{r['vm_hwm']:.1f} MB ({r['rss_before']:.1f} MB before parsing; getrusage ru_maxrss "
                  f"{r['ru_maxrss']:.1f} MB, which on Linux inherits the parent's peak)")
        print(f"3. naive: one APScheduler DateTrigger job per subscriber, N = {naive_n:,}; fresh subprocess", flush=True)
        nv = child("--naive-child", "--subscribers", str(naive_n))
    naive_rate = nv["sent"] / nv["seconds"]
    print(f"   added {nv['n']:,} jobs to a running AsyncIOScheduler in {nv['add_seconds']:.3f} s (RSS +{nv['rss_growth']:.1f}"
          f" MB); {nv['sent']:,} ran in {nv['seconds']:.3f} s = {naive_rate:,.0f}/s"
          + (f" (TIMED OUT after {NAIVE_TIMEOUT:.0f} s)" if nv["timed_out"] else "")
          + (f"\n   (the add overran the 0.5 s run_date by {nv['add_overran_run_date_by']:.1f} s; the run is timed from "
             "when the jobs were all added and due)" if nv["add_overran_run_date_by"] else ""))
    def ready(r: dict) -> bool:
        return r["driver"] == "ApsDriver" and r["scheduler"] == "AsyncIOScheduler" and r["next_run"] != "None"

    scale, mark = n / naive_n, ("*" if naive_n != n else "")
    naive_setup = nv["add_seconds"] * scale
    rows = [
        ("measure", "ours", "target", "met", "naive", "ours vs naive"),
        ("fan-out throughput", f"{rate:,.0f}/s", ">= 100,000/s", rate >= 100_000, f"{naive_rate:,.0f}/s",
         f"{rate / naive_rate:.1f}x faster"),
        ("re-fire of the same job", f"{f['again_delivered']} sent", "0 sent", idem, "-", "-"),
        (f"start-up / setup, {n:,} subs", f"{st['seconds']:.2f} s", "<= 2 s, APS ready", st["seconds"] <= 2 and ready(st),
         f"{naive_setup:.2f} s{mark}", f"{naive_setup / st['seconds']:.1f}x faster"),
        ("start-up from TOML file", f"{st_toml['seconds']:.2f} s", "<= 2 s, APS ready", st_toml["seconds"] <= 2 and ready(st_toml),
         "-", "-"),
        ("start-up peak RSS (whole process)", f"{st['vm_hwm']:.0f} MB", "<= 150 MB", st["vm_hwm"] <= 150,
         f"+{nv['rss_growth'] * scale:.0f} MB for the jobs{mark}", "-"),
    ]
    rows = [r[:3] + ((r[3] if isinstance(r[3], str) else "yes" if r[3] else "NO"),) + r[4:] for r in rows]
    widths = [max(len(r[i]) for r in rows) for i in range(6)]
    print()
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    if mark:
        print(f"* naive measured with N = {naive_n:,}, scaled linearly to {n:,} (optimistic: adding is worse than linear)")
    print("The naive setup leaves out reading the subscribers back from the database at restart: a lower bound.")


if __name__ == "__main__":
    main()
