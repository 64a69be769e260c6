"""`dramabot run` as a subprocess against the fake Bot API, as an operator starts it: a config file
in `tmp_path` (SQLite beside it, the fake's URL, per-chat pacing lifted so a test's fans are
answered at once) and the token in the environment. Each test stops it and reads its output."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import IO

from tests.fakes.telegram_api import FakeTelegram

ROOT = Path(__file__).resolve().parents[2]


async def start_telegram_bot(
    tmp_path: Path, server: FakeTelegram, *, top: str = "", sections: str = "[tvmaze]\nenabled = false\n",
    log_level: str | None = None, stdout: int = asyncio.subprocess.PIPE, database: str = "bot.sqlite3",
    stderr: int | IO[bytes] = asyncio.subprocess.PIPE,
) -> asyncio.subprocess.Process:
    """`top`: top-level TOML lines; `sections`: TOML sections after [telegram] (default: TVmaze off,
    no network in tests); `database`: a SQLite file beside the config, or a postgresql:// URL;
    `stderr`: where its log goes (a file, for a long run whose log nobody reads as it goes)."""
    config = tmp_path / "dramabot.toml"
    config.write_text(
        f'database = "{database}"\n{top}[telegram]\nbase_url = "{server.base_url}"\nchat_messages_per_second = 100\n{sections}',
        encoding="utf-8",
    )
    env = {**os.environ, "DRAMABOT_TELEGRAM_TOKEN": server.token, "PYTHONPATH": str(ROOT)}
    level = ("--log-level", log_level) if log_level else ()
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--config", str(config), *level,
        stdin=asyncio.subprocess.DEVNULL, stdout=stdout, stderr=stderr, env=env,
    )
