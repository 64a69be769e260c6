"""Discord benchmarks against the fake Discord (loopback only); the figures go to standard output.

    .venv/bin/python benchmarks/bench_discord.py [--shows 10000] [--dms 2000] [--creating 500]

1. Autocomplete inside the bot: a catalog of S shows (each with an alias and a Hangul title) and
   S/3 actors; the bot runs with the production Discord adapter against the fake. Timed: the
   adapter's autocomplete handler for 2,000 partial names (prefixes, inner words, Hangul, misses),
   p50 and p99 (target p99 < 50 ms); and, for reference, 200 autocomplete interactions end to end
   through the fake gateway and REST (loopback, so mostly discord.py and aiohttp).
2. DM fan-out: N fans (DM channels already known, as after their /subscribe) follow one show; the
   fake answers every REST request after 100 ms and enforces 50 requests per second. Timed: the
   reminder job from firing until every DM was accepted. Printed: messages per second against
   Discord's 50/s, and the 429s the fake sent (target >= 90 % of the rate, zero 429s).
3. DM channel creation: C fans run /subscribe in a server channel at the same moment, so each
   needs `POST /users/@me/channels` (it counts toward the 50/s); same latency and limit. Printed:
   requests per second, 429s, and how many interactions had to be deferred.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import random
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.domain.catalog import parse_catalog
from bot.domain.interfaces import ChatRef
from bot.domain.names import Target
from tests.adapters.discord_bot import GUILD, OTHER, DiscordBot, world
from tests.conftest import at
from tests.fakes.discord_api import FakeDiscord

SYLLABLES = ["ka", "mi", "so", "ra", "hye", "jin", "woo", "seo", "yeon", "min", "ha", "na", "do", "yu", "ri"]
WORDS = ["love", "queen", "night", "secret", "doctor", "city", "summer", "dream", "king", "moon", "star", "sky",
         "river", "crash", "office", "garden", "spring", "winter", "ocean", "attorney", "runner", "tears"]
HANGUL = "가나다라마바사아자차카타파하사랑의이해여왕눈물"
AIRS = at("2026-03-04T13:30:00Z")


def synthetic_catalog(shows: int, rng: random.Random) -> dict:
    actors = [{"name": f"{rng.choice(['Kim', 'Lee', 'Park', 'Choi', 'Moon'])} "
                       f"{rng.choice(SYLLABLES).title()} {rng.choice(SYLLABLES).title()} {n}"} for n in range(shows // 3)]
    entries = []
    for n in range(shows):
        title = " ".join(rng.choice(WORDS).title() for _ in range(rng.randint(2, 4))) + f" {n}"
        entries.append({
            "title": title, "aliases": [f"{title.split()[0]} {n}x", "".join(rng.choice(HANGUL) for _ in range(4)) + str(n)],
            "network": "JTBC", "cast": [actors[rng.randrange(len(actors))]["name"]],
            "airings": [{"episode": 1, "at": AIRS + timedelta(minutes=n)}],
        })
    return {"shows": entries, "actors": actors}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def queries(catalog, rng: random.Random, count: int) -> list[str]:
    names = [name for name, _ in catalog.named_targets()]
    found = []
    for _ in range(count):
        name = rng.choice(names)
        kind = rng.random()
        if kind < 0.5:
            found.append(name[: rng.randint(1, min(12, len(name)))])  # typing the start
        elif kind < 0.8:
            words = name.split()
            found.append(rng.choice(words)[:6])  # a word inside
        elif kind < 0.9:
            found.append("".join(rng.choice(HANGUL) for _ in range(2)))
        else:
            found.append("zqx" + str(rng.randint(0, 999)))  # no match: a full scan
    return found


async def bench_autocomplete(shows: int, scratch: Path) -> None:
    rng = random.Random(7)
    started = time.perf_counter()
    catalog = parse_catalog(synthetic_catalog(shows, rng))
    print(f"autocomplete: catalog of {len(catalog.shows):,} shows and {len(catalog.actors):,} actors "
          f"parsed in {time.perf_counter() - started:.1f} s")
    async with FakeDiscord() as server:
        world(server)
        started = time.perf_counter()
        bot = await DiscordBot.start(server, scratch, catalog=catalog, db="complete.sqlite3", start=AIRS - timedelta(days=1))
        try:
            print(f"  bot started (index of {len(bot.adapter.completer):,} names built) in {time.perf_counter() - started:.1f} s")
            timings, empty = [], 0
            for text in queries(catalog, rng, 2000):
                t0 = time.perf_counter()
                choices = await bot.adapter._complete(None, text)  # type: ignore[arg-type]
                timings.append((time.perf_counter() - t0) * 1000)
                empty += not choices
            print(f"  inside the bot, 2,000 queries: p50 {statistics.median(timings):.3f} ms, "
                  f"p99 {percentile(timings, 99):.3f} ms, max {max(timings):.3f} ms (target p99 < 50 ms); "
                  f"{empty} found nothing")
            loop_timings = []
            for text in queries(catalog, rng, 200):
                t0 = time.perf_counter()
                await server.autocomplete("subscribe", "name", {"name": text}, user=1001, guild=GUILD)
                loop_timings.append((time.perf_counter() - t0) * 1000)
            print(f"  end to end through the fake (loopback), 200 interactions: p50 {statistics.median(loop_timings):.1f} ms, "
                  f"p99 {percentile(loop_timings, 99):.1f} ms (Discord allows 3,000 ms)")
        finally:
            await bot.stop()


FANOUT_CATALOG = {"shows": [{"title": "Fan Out Show", "network": "tvN", "airings": [{"episode": 1, "at": AIRS}]}]}


@contextlib.asynccontextmanager
async def fan_out_bot(scratch: Path, db: str) -> AsyncIterator[tuple[FakeDiscord, DiscordBot]]:
    """The bot an hour before Fan Out Show airs; `limit` makes the fake slow (100 ms) and strict (50/s)."""
    async with FakeDiscord() as server:
        world(server)
        bot = await DiscordBot.start(server, scratch, catalog=parse_catalog(FANOUT_CATALOG), db=db,
                                     start=AIRS - timedelta(hours=1))
        try:
            yield server, bot
        finally:
            await bot.stop()


def limit(server: FakeDiscord) -> None:
    server.latency = 0.1
    server.limit_global(50, 1.0)


async def bench_fanout(dms: int, scratch: Path) -> None:
    async with fan_out_bot(scratch, "fanout.sqlite3") as (server, bot):
        core = bot.process.core
        target = Target("show", "fanoutshow", "Fan Out Show")
        for user in range(10_000, 10_000 + dms):
            channel = server.dm_channel(user)["id"]
            await core.chats.subscribe(ChatRef("discord", channel), private=True, target=target)
        limit(server)
        started = time.perf_counter()
        await bot.advance(AIRS - timedelta(minutes=30))
        elapsed = time.perf_counter() - started
        delivered = sum(len(server.dm_messages(u)) for u in range(10_000, 10_000 + dms))
        requests = server.requests["POST /channels/{channel_id}/messages"]
        print(f"DM fan-out: {delivered:,} of {dms:,} DMs in {elapsed:.1f} s = {delivered / elapsed:.1f} messages/s "
              f"({requests:,} requests, {100 * requests / elapsed / 50:.0f} % of Discord's 50/s); "
              f"429s: {server.rate_limited}; 100 ms latency per request")


async def bench_creation(creating: int, scratch: Path) -> None:
    async with fan_out_bot(scratch, "create.sqlite3") as (server, _):
        limit(server)
        users = range(20_000, 20_000 + creating)
        started = time.perf_counter()
        calls = [await server.slash("subscribe", {"name": "Fan Out Show"}, user=u, guild=GUILD, channel=OTHER) for u in users]
        firsts = [await call.response(timeout=120) for call in calls]
        pairs = zip(calls, firsts, strict=True)
        answers = [(await call.followup(timeout=120)) if first.type == 5 else first for call, first in pairs]
        elapsed = time.perf_counter() - started
        created = server.requests["POST /users/@me/channels"]
        ok = sum(a.content.startswith("Subscribed") for a in answers)
        deferred = sum(first.type == 5 for first in firsts)
        print(f"DM channel creation: {creating:,} fans ran /subscribe in a server at once: {created:,} DM channels "
              f"created in {elapsed:.1f} s = {created / elapsed:.1f} requests/s ({100 * created / elapsed / 50:.0f} % of 50/s); "
              f"429s: {server.rate_limited}; {deferred:,} answers deferred then followed up; {ok:,} subscribed")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shows", type=int, default=10_000)
    parser.add_argument("--dms", type=int, default=2_000)
    parser.add_argument("--creating", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dramabot-bench-") as scratch:
        await bench_autocomplete(args.shows, Path(scratch))
        # The fake shares this process and event loop: a collection of the big catalog's garbage in the middle of
        # the fan-out would stall the fake's clock too and bunch its arrival times, which Discord's would not be.
        gc.collect()
        await bench_fanout(args.dms, Path(scratch))
        gc.collect()
        await bench_creation(args.creating, Path(scratch))


if __name__ == "__main__":
    asyncio.run(main())
