"""Delivery benchmarks: paced fan-out at platform speed, a small job during a big one, deadline plans.

Run from the project root (about two minutes at the default size; the figures go to standard output):

    .venv/bin/python benchmarks/bench_delivery.py [--chats 3000] [--latency 0.1] [--rate 30]

1. Paced fan-out on the real clock (BotProcess with APScheduler): N private chats follow show A,
   whose 30-minute reminder falls due two seconds after start. The mock platform answers each
   send after `latency` seconds and itself refuses (like a 429) any send over `rate` per second
   in a sliding one-second window; the adapter declares that rate. Measured: messages per second
   from the first to the last send (target at least 95% of the rate) and refusals (target 0).
2. Show B's reminder (one chat) falls due 20 seconds into that fan-out: how long after its due
   instant it was sent (target under 2 s; without a fair share it would wait for all of show A).
3. The deadline plan (pure): when a 30-minute reminder job for 100,000 chats must start to have
   its last message out a minute before air, at 30/s and at 1,000/s (Telegram's paid broadcast).
The no-op fan-out (limits off, target at least 100,000/s) is in bench_reminders.py.
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

from adapters.mock import MockAdapter  # noqa: E402
from bot.config import parse_config  # noqa: E402
from bot.domain.catalog import parse_catalog  # noqa: E402
from bot.domain.interfaces import Limits, Rate, SystemClock  # noqa: E402
from bot.domain.pacing import fanout_start  # noqa: E402
from scheduler.process import BotProcess  # noqa: E402
from tests.scheduler.realclock import seed  # noqa: E402


async def paced(chats: int, latency: float, rate: float) -> dict:
    now = datetime.now(timezone.utc)
    a_due, b_due = now + timedelta(seconds=2), now + timedelta(seconds=22)
    lead = timedelta(minutes=30)
    catalog = {"shows": [
        {"title": "Show A", "network": "JTBC", "airings": [{"episode": 1, "at": a_due + lead}]},
        {"title": "Show B", "network": "tvN", "airings": [{"episode": 1, "at": b_due + lead}]},
    ]}
    with tempfile.TemporaryDirectory(prefix="dramabot-bench-") as scratch:
        db = str(Path(scratch) / "bench.sqlite3")
        await seed(db, "showa", (f"a{n:06d}" for n in range(chats)))
        await seed(db, "showb", ["b-fan"])
        adapter = MockAdapter(
            "telegram", SystemClock().now, latency=latency,
            limits=Limits(overall=Rate(rate), per_chat=Rate(1), per_group=Rate(20, 60), in_flight=16),
            enforce=Limits(overall=Rate(rate)),
        )
        process = await BotProcess.start(
            config=parse_config({"leads": ["30m"]}), catalog=parse_catalog(catalog), clock=SystemClock(),
            adapters={"telegram": adapter}, db_path=db,
        )
        started = time.monotonic()
        try:
            while sum(1 for s in adapter.outbox if s.kind == "reminder") < chats + 1:
                await asyncio.sleep(0.2)
                if time.monotonic() - started > chats / rate * 3 + 60:
                    break
            await process.core.idle()
        finally:
            await process.stop()
    a_sent = sorted(s.at for s in adapter.outbox if s.kind == "reminder" and s.chat != "b-fan")
    b_sent = [s.at for s in adapter.outbox if s.chat == "b-fan"]
    spread = (a_sent[-1] - a_sent[0]).total_seconds() if len(a_sent) > 1 else float("nan")
    return dict(
        sent=len(a_sent), rate=(len(a_sent) - 1) / spread, refused=adapter.refused, a_start=(a_sent[0] - a_due).total_seconds(),
        b_delay=(b_sent[0] - b_due).total_seconds() if b_sent else float("nan"),
        b_during=bool(b_sent) and a_sent[-1] > b_sent[0],
    )


def plans() -> list[tuple[str, float, timedelta, timedelta]]:
    due = datetime(2030, 3, 6, 13, 0, tzinfo=timezone.utc)
    air = due + timedelta(minutes=30)
    rows = []
    for label, rate in (("30/s", 30.0), ("1,000/s paid", 1000.0)):
        plan = fanout_start(due=due, air=air, audience={"telegram": 100_000}, rates={"telegram": rate})
        rows.append((label, rate, plan.needs, plan.early_by))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chats", type=int, default=3000)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--rate", type=float, default=30.0)
    args = parser.parse_args()
    print(f"dramabot delivery benchmark: {args.chats:,} chats, {args.latency * 1000:.0f} ms per send, "
          f"{args.rate:g}/s enforced by the platform; Python {sys.version.split()[0]}", flush=True)
    r = asyncio.run(paced(args.chats, args.latency, args.rate))
    share = r["rate"] / args.rate
    print(f"1. paced fan-out: {r['sent']:,} of {args.chats:,} sent at {r['rate']:.2f}/s = {share:.1%} of {args.rate:g}/s "
          f"(target >= 95%: {'met' if share >= 0.95 else 'NOT met'}); refused by the platform: {r['refused']} "
          f"(target 0: {'met' if r['refused'] == 0 else 'NOT met'}); first send {r['a_start']:.2f} s after due")
    print(f"2. show B due 20 s into it: sent {r['b_delay']:.2f} s after its due instant "
          f"(target < 2 s: {'met' if r['b_delay'] < 2 else 'NOT met'}), while show A was "
          f"{'still' if r['b_during'] else 'no longer'} going out")
    print("3. deadline plan, 100,000 chats, 30-minute reminder, last message a minute before air:")
    for label, _, needs, early in plans():
        verdict = f"starts {early} before its due instant" if early else "starts at its due instant"
        print(f"   at {label}: the fan-out takes {needs}; {verdict}")


if __name__ == "__main__":
    main()
