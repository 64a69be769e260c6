"""Planning under a burst of commands: deadline plans read each due job's audience, and every
subscription changes the plan.

Run from the project root (a few seconds at the default sizes; the figures go to standard output):

    .venv/bin/python benchmarks/bench_audience.py [--shows 40] [--per-show 2500] [--subscribes 100]

`--shows` shows air one after another over the next hours, each followed by `--per-show` private
Telegram chats (100,000 subscriptions at the defaults), leads 30m and 3h: every job in the
early-start lookahead needs its audience. Then `--subscribes` new fans subscribe to the first
show, one after another, each followed by `jobs.next_due()` (what the scheduler asks after a
change). Printed: the time for the burst, the audience counts read from the database, and the
scans of the lead settings and zones in use.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.mock import MockAdapter  # noqa: E402
from bot.config import parse_config  # noqa: E402
from bot.domain.catalog import parse_catalog  # noqa: E402
from bot.domain.interfaces import ChatRef, Limits, Rate, VirtualClock  # noqa: E402
from bot.domain.names import Target  # noqa: E402
from scheduler.process import BotProcess  # noqa: E402
from tests.scheduler.realclock import seed, soon_catalog  # noqa: E402

NOW = datetime(2030, 3, 6, 9, 0, tzinfo=UTC)
COUNTED = ("audience", "lead_settings_in_use", "zones_in_use")


async def main(shows: int, per_show: int, subscribes: int) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        db = str(Path(scratch) / "bench.sqlite3")
        names = [f"s{n:03d}" for n in range(shows)]
        catalog = parse_catalog(soon_catalog(**{n: NOW + timedelta(hours=1, minutes=7 * i) for i, n in enumerate(names)}))
        keys = sorted(catalog.shows)
        for i, key in enumerate(keys):
            await seed(db, key, (f"fan{i:03d}_{n:06d}" for n in range(per_show)))
        clock = VirtualClock(NOW)
        adapter = MockAdapter("telegram", clock.now, limits=Limits(overall=Rate(30)))
        process = await BotProcess.start(
            config=parse_config({"leads": ["30m", "3h"], "tvmaze": {"enabled": False}}), catalog=catalog, clock=clock,
            adapters={"telegram": adapter}, db_path=db, start_adapters=False, poll_feeds=False,
        )
        store = process.core.store
        calls: collections.Counter[str] = collections.Counter()

        def counting(name: str):
            read = getattr(store, name)

            async def counted(*args, **kwargs):
                calls[name] += 1
                return await read(*args, **kwargs)
            return counted

        for name in COUNTED:
            setattr(store, name, counting(name))
        try:
            await process.jobs.next_due()
            calls.clear()
            lookahead = len(list(process.jobs.plan.due_between(NOW, NOW + timedelta(hours=6))))
            show = catalog.shows[keys[0]]
            started = time.perf_counter()
            for n in range(subscribes):
                await process.core.chats.subscribe(ChatRef("telegram", f"new{n}"), private=True,
                                             target=Target("show", show.key, show.title))
                await process.jobs.next_due()
            took = time.perf_counter() - started
        finally:
            await process.kill()
    print(f"{subscribes} subscribes, each followed by next_due(), with {shows * per_show:,} subscriptions and "
          f"{lookahead} jobs in the early-start lookahead: {took:.2f} s")
    print("database reads: " + ", ".join(f"{name} {calls[name]}" for name in COUNTED))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shows", type=int, default=40)
    parser.add_argument("--per-show", type=int, default=2500)
    parser.add_argument("--subscribes", type=int, default=100)
    args = parser.parse_args()
    asyncio.run(main(args.shows, args.per_show, args.subscribes))
