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
