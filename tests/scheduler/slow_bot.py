"""A bot process for signal tests: `python -m tests.scheduler.slow_bot DB CATALOG_JSON SENT_LOG`.

It runs the production path (BotProcess with APScheduler on the real clock) with one slow mock
platform that appends a line "chat<TAB>monotonic time" to SENT_LOG for every message it accepts
(flushed at once, so a SIGKILL loses none). SIGTERM and SIGINT stop it the way `dramabot run`
does. It prints "ready" once started.

`DISK_FULL_AFTER=N` in the environment: once N messages were accepted, the database refuses
every write of delivery outcomes ("database or disk is full"), as a full disk does.
`ANSWER_AFTER=S`: the platform has each message (it is logged) but answers only S seconds later;
`STOP_GRACE=S`: the config's `[delivery] stop_grace`.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import sys
import time
from datetime import datetime

from adapters.mock import MockAdapter
from bot.config import parse_config
from bot.domain.catalog import parse_catalog
from bot.domain.interfaces import ChatRef, Limits, Outgoing, SystemClock
from scheduler.process import BotProcess


class LoggingAdapter(MockAdapter):
    def __init__(self, log_path: str, latency: float, answer_after: float = 0.0):
        super().__init__("telegram", SystemClock().now, latency=latency, limits=Limits(in_flight=4))
        self._log = open(log_path, "a", buffering=1)
        self.accepted = 0
        self.answer_after = answer_after

    async def send(self, chat: ChatRef, message: Outgoing) -> None:
        await super().send(chat, message)
        self._log.write(f"{chat.key}\t{time.monotonic():.4f}\n")
        self.accepted += 1
        if self.answer_after:
            await asyncio.sleep(self.answer_after)


async def main(db: str, catalog_json: str, log_path: str) -> None:
    raw = json.loads(catalog_json)
    for show in raw["shows"]:
        for airing in show["airings"]:
            airing["at"] = datetime.fromisoformat(airing["at"])
    adapter = LoggingAdapter(log_path, latency=0.004, answer_after=float(os.environ.get("ANSWER_AFTER", "0")))
    delivery = {"stop_grace": float(os.environ["STOP_GRACE"])} if "STOP_GRACE" in os.environ else {}
    process = await BotProcess.start(
        config=parse_config({"leads": ["1m"], "delivery": delivery}), catalog=parse_catalog(raw), clock=SystemClock(),
        adapters={"telegram": adapter}, db_path=db,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    full_after = int(os.environ.get("DISK_FULL_AFTER", "0"))
    if full_after:
        write = process.core.store.record_outcomes

        async def full_disk(*args, **kwargs):
            if adapter.accepted >= full_after:
                raise sqlite3.OperationalError("database or disk is full")
            return await write(*args, **kwargs)

        process.core.store.record_outcomes = full_disk  # type: ignore[method-assign]
    print("ready", flush=True)
    await stop.wait()
    await process.stop()
    print("stopped", flush=True)


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
