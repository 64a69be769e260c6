"""Telegram delivery benchmark: reminders through python-telegram-bot to the fake Bot API server.

Run from the project root (about 4 minutes at the default size; figures go to standard output):

    .venv/bin/python benchmarks/bench_telegram.py [--chats 3000] [--latency 0.1] [--blocked 0.02]

N private chats follow one show; the bot (BotProcess on a VirtualClock at the reminder's due
instant, the real TelegramAdapter with `base_url` pointing at tests/fakes/telegram_api.py) fires
the reminder job. The fake answers every request after `latency` seconds and enforces 30
messages a second in sliding one-second windows, answering 429 beyond. Printed: messages per
second from the first accepted send to the last (target at least 95% of 30/s) and the number
of 429s (target 0); then the same with a share of the chats having blocked the bot (403, each
paused after one attempt).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.telegram import TelegramAdapter  # noqa: E402
from bot.config import parse_config  # noqa: E402
from bot.domain.catalog import parse_catalog  # noqa: E402
from bot.domain.interfaces import ChatRef, VirtualClock  # noqa: E402
from bot.domain.names import Target  # noqa: E402
from scheduler.process import BotProcess  # noqa: E402
from tests.fakes.telegram_api import FakeTelegram, FloodLimits  # noqa: E402

AIRS = datetime(2030, 1, 8, 12, 0, tzinfo=timezone.utc)
RATE = 30


async def run(chats: int, latency: float, blocked_share: float) -> None:
    catalog = parse_catalog({"shows": [{"title": "Bench Show", "airings": [{"episode": 1, "at": AIRS}]}]})
    [airing] = catalog.airings
    async with FakeTelegram() as server:
        config = parse_config({"telegram": {"token": server.token, "base_url": server.base_url}})
        with tempfile.TemporaryDirectory(prefix="dramabot-bench-") as scratch:
            process = await BotProcess.start(
                config=config, catalog=catalog, clock=VirtualClock(AIRS - timedelta(minutes=30)),
                adapters={"telegram": TelegramAdapter(config.telegram)}, db_path=str(Path(scratch) / "bench.sqlite3"),
            )
            try:
                target = Target("show", "benchshow", "Bench Show")
                ids = [10_000 + i for i in range(chats)]
                for chat in ids:
                    await process.core.chats.subscribe(ChatRef("telegram", str(chat)), private=True, target=target)
                blocked = ids[:: round(1 / blocked_share)] if blocked_share else []
                for chat in blocked:
                    server.block(chat)
                server.latency = latency
                server.flood = FloodLimits(per_second=RATE, per_chat_per_second=None, per_group_per_minute=20)
                started = time.monotonic()
                queued = await process.core.reminders.fire_reminder(airing, 30)
                await process.core.idle()
                wall = time.monotonic() - started
            finally:
                await process.stop()
        sent = server.sent
        span = sent[-1].at - sent[0].at if len(sent) > 1 else float("nan")
        requests = server.requests["sendMessage"]
        per_second = (len(sent) - 1) / span
        print(f"  chats {chats}, blocked {len(blocked)}, queued {queued}, delivered {len(sent)} "
              f"(each once: {len({m.chat_id for m in sent}) == len(sent)}), sendMessage requests {requests}")
        print(f"  {per_second:.2f} messages/s delivered ({per_second / RATE:.1%} of {RATE}/s), "
              f"{(requests - 1) / span:.2f} requests/s, 429s: {server.count_429}, 403s: {server.statuses[403]}, "
              f"wall {wall:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chats", type=int, default=3000)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--blocked", type=float, default=0.02)
    args = parser.parse_args()
    print(f"{args.chats} reminders to private chats, {args.latency * 1000:.0f} ms per request, fake enforcing {RATE}/s:")
    asyncio.run(run(args.chats, args.latency, 0.0))
    print(f"the same with {args.blocked:.0%} of the chats blocked:")
    asyncio.run(run(args.chats, args.latency, args.blocked))


if __name__ == "__main__":
    main()
