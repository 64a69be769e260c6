"""The web server inside `dramabot run`: calendar feeds, /metrics and /status under load.

Run from the project root (about half a minute; the figures go to standard output):

    .venv/bin/python benchmarks/bench_web.py [--shows 50] [--subscriptions 100000] [--requests 200] [--clients 50]

A bot on the real clock with a mock Telegram adapter and `[web] listen` on a loopback port, a
catalog of `--shows` shows airing twice a week (around now), one fan following all of them with
three lead times, and `--subscriptions` more subscriptions of other fans. Printed:

- the fan's feed: the first GET of `/cal/<token>.ics` after the bot started again (the fan's
  subscriptions and link in the database), p50 and p99 of `--requests` GETs (target < 50 ms, all
  of them), the first after a catalog change (an episode moved), the in-process build alone, and
  how long rendering every followed show's events ahead takes (at start and after a change);
- `/metrics` and `/status`: p50 and p99 of `--requests` GETs each (target p99 < 100 ms);
- `/cal/...` requests per second with `--clients` concurrent loopback clients for 5 seconds.

The clients run in the bot's own process and event loop, so every figure includes the client's
own cost (a pessimistic measure of the server).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import socket
import statistics
import sys
import tempfile
import time
from datetime import time as dtime
from datetime import timedelta
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.mock import MockAdapter  # noqa: E402
from bot.config import parse_config  # noqa: E402
from bot.domain.catalog import Catalog, parse_catalog  # noqa: E402
from bot.domain.interfaces import ChatRef, SystemClock  # noqa: E402
from bot.domain.names import Target  # noqa: E402
from bot.integrations.sources import Edit  # noqa: E402
from scheduler.process import BotProcess  # noqa: E402
from tests.scheduler.realclock import seed  # noqa: E402

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def catalog_of(shows: int) -> dict:
    """Shows of 16 episodes, two a week, that began two weeks ago (on one of their days)."""
    start = SystemClock().now().date() - timedelta(days=14)
    return {"shows": [
        {"title": f"Bench Show {n:03d}", "network": "KBS", "timezone": "Asia/Seoul",
         "days": [DAYS[(start.weekday() + n) % 7], DAYS[(start.weekday() + n + 3) % 7]],
         "time": f"{18 + n % 5}:{(n * 7) % 60:02d}", "premiere": start + timedelta(days=n % 7), "episodes": 16, "runtime": 70}
        for n in range(shows)
    ]}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ms(values: list[float]) -> str:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {statistics.median(ordered) * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms"


async def timed_gets(session: aiohttp.ClientSession, url: str, count: int) -> list[float]:
    took = []
    for _ in range(count):
        started = time.perf_counter()
        async with session.get(url) as response:
            await response.read()
            assert response.status == 200, (url, response.status)
        took.append(time.perf_counter() - started)
    return took


def move_one(catalog: Catalog, key: str) -> Edit:
    """The owner moves the show's next-but-one broadcast a day later, at 23:00 (in the show's zone)."""
    now = SystemClock().now()
    airing = [a for a in catalog.by_show[key] if a.start > now][1]
    day = (airing.start.astimezone(catalog.shows[key].zone) + timedelta(days=1)).date()
    return Edit(key, "move", day, airing.episode, dtime(23, 0))


async def main(shows: int, subscriptions: int, requests: int, clients: int) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        db = str(Path(scratch) / "bench.sqlite3")
        catalog = parse_catalog(catalog_of(shows))
        keys = sorted(catalog.shows)
        per_show = subscriptions // len(keys)
        for i, key in enumerate(keys):
            await seed(db, key, (f"{9_000_000 + i * per_show + n}" for n in range(per_show)))
        port = free_port()
        config = parse_config({"leads": ["1d", "1h", "10m"], "tvmaze": {"enabled": False},
                               "web": {"listen": f"127.0.0.1:{port}"}})

        async def start() -> BotProcess:
            return await BotProcess.start(config=config, catalog=catalog, clock=SystemClock(),
                                          adapters={"telegram": MockAdapter("telegram", SystemClock().now)}, db_path=db)

        process = await start()  # the fan subscribes and asks for the link; then the bot restarts
        try:
            fan = ChatRef("telegram", "42")
            for key in keys:
                await process.core.chats.subscribe(fan, private=True, target=Target("show", key, catalog.shows[key].title))
            url = (await process.core.calendars.link(fan)).url
        finally:
            await process.stop()

        started = time.perf_counter()
        process = await start()
        print(f"bot started in {(time.perf_counter() - started) * 1000:.0f} ms (feeds rendered ahead included)")
        try:
            core, ahead = process.core, process.feeds_ahead
            assert ahead is not None
            chat = await core.calendars.chat_of(re.sub(r".*/cal/|\.ics$", "", url))
            assert chat is not None
            events, _, _ = await core.calendars.events(chat)
            print(f"{shows} shows followed, {len(events)} broadcasts in the feed (a week back to a month ahead), "
                  f"{per_show * len(keys):,} other subscriptions")

            async with aiohttp.ClientSession() as session:
                first = await timed_gets(session, url, 1)
                print(f"GET /cal/<token>.ics, the first after start: {first[0] * 1000:.1f} ms  (target < 50 ms)")
                print(f"GET /cal/<token>.ics x {requests}: {ms(await timed_gets(session, url, requests))}  (target p99 < 50 ms)")
                await process.live.edit(move_one(core.catalog, keys[0]))
                await ahead.settled()
                first = await timed_gets(session, url, 1)
                print(f"GET /cal/<token>.ics, the first after a catalog change (an episode moved): {first[0] * 1000:.1f} ms")
                base = f"http://127.0.0.1:{port}"
                print(f"GET /metrics x {requests}: {ms(await timed_gets(session, base + '/metrics', requests))}  (target p99 < 100 ms)")
                print(f"GET /status x {requests}: {ms(await timed_gets(session, base + '/status', requests))}  (target p99 < 100 ms)")

            builds = []
            for _ in range(requests):
                started = time.perf_counter()
                await core.calendars.feed(chat)
                builds.append(time.perf_counter() - started)
            print(f"feed built in process (events rendered ahead): {ms(builds)}")
            renders = []
            for _ in range(10):
                core.calendars.blocks.clear()
                started = time.perf_counter()
                await ahead.prepare()
                renders.append(time.perf_counter() - started)
            print(f"rendering every followed show's events ahead (a worker thread, at start and after a change): {ms(renders)}")
            runs = []
            for _ in range(20):
                started = time.perf_counter()
                await ahead.prepare()
                runs.append(time.perf_counter() - started)
            print(f"a run after a change with nothing new to render (a subscription, a lead): {ms(runs)}")

            done = 0
            stop_at = time.perf_counter() + 5.0
            connector = aiohttp.TCPConnector(limit=clients)

            async def client(session: aiohttp.ClientSession) -> None:
                nonlocal done
                while time.perf_counter() < stop_at:
                    async with session.get(url) as response:
                        await response.read()
                        assert response.status == 200
                    done += 1

            async with aiohttp.ClientSession(connector=connector) as session:
                started = time.perf_counter()
                await asyncio.gather(*(client(session) for _ in range(clients)))
                elapsed = time.perf_counter() - started
            print(f"/cal/<token>.ics under {clients} concurrent loopback clients: {done / elapsed:,.0f} requests/s "
                  f"({done} in {elapsed:.1f} s)")
        finally:
            await process.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shows", type=int, default=50)
    parser.add_argument("--subscriptions", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--clients", type=int, default=50)
    args = parser.parse_args()
    asyncio.run(main(args.shows, args.subscriptions, args.requests, args.clients))
