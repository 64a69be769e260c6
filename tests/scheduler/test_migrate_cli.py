"""`dramabot migrate` as an operator runs it: a console bot's SQLite file copied to PostgreSQL, a
line per table, then `dramabot run` on the PostgreSQL URL answers as the old bot did; a second
migrate into the now full database is one line and exit status 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bot.storage.sqlite.schema import MIGRATIONS

ROOT = Path(__file__).resolve().parents[2]
ENV = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}


def dramabot(*args: str, cwd: Path, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True, timeout=120,
                          cwd=cwd, env=ENV)


def test_migrate_copies_a_console_bot_and_the_bot_runs_on_postgresql(tmp_path, postgres_url):
    db = tmp_path / "bot.sqlite3"
    assert dramabot("run", "--db", str(db), cwd=tmp_path, stdin="/subscribe The Interest of Love\n").returncode == 0
    (tmp_path / "bot.sqlite3.calendar-key").write_bytes(b"k" * 32)  # as a bot serving calendars leaves it

    moved = dramabot("migrate", "--from", str(db), "--to", postgres_url, cwd=tmp_path)
    assert moved.returncode == 0, moved.stderr
    lines = moved.stdout.splitlines()
    assert lines[0].startswith(f"Copied {db} (schema {MIGRATIONS.latest}) to PostgreSQL database dramabot_test_") and " s" in lines[0]
    assert "  chats                     1" in lines and "  subscriptions             1" in lines
    assert lines[-2] == "  (not copied: leases, and 0 expired ledger rows and notices)"
    assert lines[-1] == f'Calendar links: set [web] calendar_key_file = "{tmp_path}/bot.sqlite3.calendar-key" so every link keeps working.'

    ran = dramabot("run", "--db", postgres_url, cwd=tmp_path, stdin="/subscriptions\n")
    assert ran.returncode == 0, ran.stderr
    assert "The Interest of Love" in ran.stdout

    again = dramabot("migrate", "--from", str(db), "--to", postgres_url, cwd=tmp_path)
    assert again.returncode == 2 and again.stdout == ""
    assert again.stderr.count("\n") == 1 and "is not empty (table chats has rows)" in again.stderr
