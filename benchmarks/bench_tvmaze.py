"""Live-catalog benchmark: applying a TVmaze refresh of many subscribed shows, and re-planning.

Run from the project root (a few seconds; the figures go to standard output):

    .venv/bin/python benchmarks/bench_tvmaze.py [--shows 500] [--episodes 16] [--chats-per-show 20]

A bot on a virtual clock (the mock Telegram adapter, no network: the TVmaze answers are built in
memory, as `TvmazeClient.show` would return them) follows S imported shows of E episodes each
(Wednesday and Thursday 22:30 KST, starting tomorrow), C chats per show. Then one refresh in
which every tenth show has one episode moved a day later and one episode removed is applied as
one change (`LiveCatalog.apply`: snapshot, name index and news matcher, diff, notices stored,
fan-out of the notices), and the reminder plan is rebuilt (`Jobs.run_due`). Timed: the first
import of all shows, the refresh, the re-plan, and how long until every notice was sent;
memory: the process's resident set before and after, and its peak (VmHWM).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.config import parse_config  # noqa: E402
from bot.domain.catalog import Catalog  # noqa: E402
from bot.integrations.sources import Change  # noqa: E402
from bot.integrations.tvmaze import Episode, ImportedShow  # noqa: E402
from scheduler.simulator import Simulator  # noqa: E402

NOW = datetime(2027, 1, 5, 0, 0, tzinfo=UTC)
KST = timedelta(hours=9)


def rss_mb() -> dict[str, float]:
    with open("/proc/self/status") as status:
        kb = {k: int(v.split()[0]) for k, v in (line.split(":", 1) for line in status) if k in ("VmRSS", "VmHWM")}
    return {"rss": kb["VmRSS"] / 1024, "peak": kb["VmHWM"] / 1024}


def show(show_id: int, episodes: int, *, changed: bool = False) -> ImportedShow:
    """A Wednesday/Thursday 22:30 KST drama from tomorrow on; `changed`: episode 3 removed and
    episode 4 a day later."""
    eps, day = [], NOW.date() + timedelta(days=1)
    while len(eps) < episodes:
        if day.weekday() in (2, 3):
            n = len(eps) + 1
            start = datetime(day.year, day.month, day.day, 22, 30, tzinfo=UTC) - KST
            if changed and n == 4:
                start += timedelta(days=1)
            if not (changed and n == 3):
                eps.append(Episode(show_id * 100 + n, 1, n, f"Episode {n}", start.date().isoformat(), "22:30",
                                   start.isoformat(), 70))
            else:
                eps.append(None)
        day += timedelta(days=1)
    return ImportedShow(show_id, f"Benchmark Drama {show_id}", "JTBC", "KR", "Asia/Seoul", "Running", "2027-01-06", 70,
                        False, tuple(e for e in eps if e is not None))


async def run(shows: int, episodes: int, chats_per_show: int, tmp: Path) -> None:
    config = parse_config({"tvmaze": {"enabled": False}})
    sim = Simulator(catalog=Catalog({}, {}), config=config, db_path=str(tmp / "bench.sqlite3"), start_at=NOW)
    await sim.start()
    process = sim.process
    assert process is not None
    live, core = process.live, process.core
    before = rss_mb()
    began = time.perf_counter()
    await live.apply(Change(shows=tuple(show(i, episodes) for i in range(1, shows + 1))))
    imported = time.perf_counter() - began
    adapter = sim.adapter("telegram")
    for i in range(1, shows + 1):
        for c in range(chats_per_show):
            chat = str(i * 1000 + c)
            await core.chats.subscribe(adapter.message(chat, chat, "").chat, private=True,
                                 target=core.catalog.target("show", f"tvmaze:{i}"))  # type: ignore[arg-type]
    await process.jobs.run_due()
    planned_jobs = len(process.jobs.plan)
    refreshed = tuple(show(i, episodes, changed=i % 10 == 0) for i in range(1, shows + 1))
    sent_before = len(sim.outbox)
    began = time.perf_counter()
    notices = await live.apply(Change(shows=refreshed))
    applied = time.perf_counter() - began
    began = time.perf_counter()
    await process.jobs.run_due()
    replanned = time.perf_counter() - began
    began = time.perf_counter()
    await core.idle()
    delivered = time.perf_counter() - began
    after = rss_mb()
    sent = len(sim.outbox) - sent_before
    print(f"shows: {shows} x {episodes} episodes, {chats_per_show} chats per show ({shows * chats_per_show:,} subscriptions)")
    print(f"first import of every show (one apply):      {imported * 1000:8.1f} ms")
    print(f"refresh applied (snapshot, index, diff, notices stored and fanned out): {applied * 1000:8.1f} ms")
    print(f"re-plan after the refresh:                   {replanned * 1000:8.1f} ms  ({len(process.jobs.plan)} jobs; {planned_jobs} before)")
    print(f"then until the last notice was sent:         {delivered * 1000:8.1f} ms  ({len(notices)} notices, {sent:,} messages in all)")
    print(f"memory: RSS {before['rss']:.0f} MB before the import, {after['rss']:.0f} MB after; peak {after['peak']:.0f} MB")
    await sim.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shows", type=int, default=500)
    parser.add_argument("--episodes", type=int, default=16)
    parser.add_argument("--chats-per-show", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(run(args.shows, args.episodes, args.chats_per_show, Path(tmp)))


if __name__ == "__main__":
    main()
