"""`dramabot run` reads its catalog file again on SIGHUP, and followers hear what moved."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def catalog_toml(first: datetime) -> str:
    airings = ", ".join(f'{{episode = {n}, at = {(first + timedelta(days=7 * (n - 1))).isoformat()}}}' for n in (1, 2))
    return f'[[shows]]\ntitle = "Sighup Show"\nnetwork = "KBS"\ntimezone = "Asia/Seoul"\nairings = [{airings}]\n'


class Lines:
    """The bot's standard output, line by line, waited for with a deadline."""

    def __init__(self, stream) -> None:
        self.queue: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: [self.queue.put(line) for line in stream], daemon=True).start()

    def until(self, text: str, seconds: float = 10) -> str:
        deadline = time.monotonic() + seconds
        while True:
            line = self.queue.get(timeout=max(0.01, deadline - time.monotonic()))
            if text in line:
                return line


def test_sighup_reloads_the_catalog_file_and_announces_the_change(tmp_path):
    first = (datetime.now(UTC) + timedelta(days=3)).replace(second=0, microsecond=0)
    catalog = tmp_path / "catalog.toml"
    catalog.write_text(catalog_toml(first))
    config = tmp_path / "dramabot.toml"
    config.write_text('database = "bot.sqlite3"\ntimezone = "UTC"\ncatalog = "catalog.toml"\n[tvmaze]\nenabled = false\n')
    bot = subprocess.Popen([sys.executable, "-m", "bot", "run", "--config", str(config)], cwd=ROOT, text=True,
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert bot.stdin is not None and bot.stdout is not None
        out = Lines(bot.stdout)
        out.until("type /help to begin")
        bot.stdin.write("/subscribe Sighup Show\n")
        bot.stdin.flush()
        out.until("Subscribed to Sighup Show")
        catalog.write_text(catalog_toml(first + timedelta(days=1)))
        os.kill(bot.pid, signal.SIGHUP)
        notice = out.until("[notice]")
        was, now = first, first + timedelta(days=1)
        assert f"episode 1 now airs {now:%a %H:%M} (UTC), {now.day} {now:%b %Y}" in notice
        assert f"instead of {was:%a %H:%M} (UTC), {was.day} {was:%b %Y}" in notice
        bot.stdin.close()  # Ctrl-D
        assert bot.wait(timeout=15) == 0
    finally:
        if bot.poll() is None:
            bot.kill()
            bot.wait()


async def test_a_reload_under_way_is_kept_until_it_finishes(tmp_path):
    """The event loop holds tasks weakly: a SIGHUP reload that nothing references could be
    collected mid-run (its catalog half applied). The handler keeps it until it is done."""
    import asyncio
    import gc
    import weakref

    from bot import cli

    waiting: list[weakref.ref] = []
    applied: list[int] = []

    class Live:
        async def reload(self, catalog):
            future = asyncio.get_running_loop().create_future()  # reachable only through this task
            waiting.append(weakref.ref(future))
            await future
            applied.append(len(catalog.shows))
            return []

    class Process:
        live = Live()

    catalog = tmp_path / "catalog.toml"
    catalog.write_text(catalog_toml(datetime(2030, 1, 7, 12, tzinfo=UTC)))
    reloads: set[asyncio.Task] = set()
    cli._reload_on_signal(reloads, Process(), str(catalog))  # the signal handler drops what it returns
    for _ in range(5):
        await asyncio.sleep(0)
    gc.collect()
    future = waiting[0]()
    assert future is not None and len(reloads) == 1  # still there, still waiting
    future.set_result(None)
    del future
    await asyncio.wait(set(reloads), timeout=5)
    assert applied == [1] and reloads == set()
