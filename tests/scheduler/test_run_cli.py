"""`dramabot run` as a person starts it: one bot per database, and start-up failures are one
line on standard error with exit status 2, never a traceback."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENV = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}


def run(db: Path, *, stdin: str = "", timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", "run", "--db", str(db)], input=stdin, capture_output=True, text=True,
        timeout=timeout, cwd=db.parent, env=ENV,
    )


def test_a_second_bot_on_the_same_database_is_refused_with_one_line(tmp_path):
    db = tmp_path / "bot.sqlite3"
    first = subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--db", str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, cwd=tmp_path, env=ENV,
    )
    try:
        assert first.stdout is not None and first.stdout.readline().startswith("dramabot console")
        second = run(db)
        assert second.returncode == 2
        assert second.stderr == f"dramabot: {db}: another dramabot is already running on this database (process {first.pid})\n"
    finally:
        first.communicate("", timeout=30)
    assert first.returncode == 0
    assert run(db, stdin="/help\n").returncode == 0  # free again once the first has stopped


def test_a_database_from_a_newer_dramabot_is_refused_with_one_line(tmp_path):
    db = tmp_path / "bot.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA user_version = 999")
    result = run(db)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "written by a newer dramabot (schema 999" in result.stderr


def test_a_file_that_is_not_a_database_is_refused_with_one_line(tmp_path):
    db = tmp_path / "bot.sqlite3"
    db.write_bytes(os.urandom(8192))
    result = run(db)
    assert result.returncode == 2
    assert result.stderr.startswith(f"dramabot: {db}: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_a_database_url_it_cannot_open_is_refused_and_no_file_is_created(tmp_path):
    """`database = "postgresql://..."` once made a SQLite file of that name; a server that does not
    answer, or a kind of database dramabot does not open, is one line and exit status 2."""
    config = tmp_path / "dramabot.toml"
    config.write_text('database = "postgresql://bot:s3cret@127.0.0.1:1/dramabot"\n')  # nothing listens on port 1
    for args, says in ((["--config", str(config)], "PostgreSQL database dramabot on 127.0.0.1:1: cannot connect"),
                       (["--db", "mysql://bot:s3cret@db.example/dramabot"], "SQLite")):
        result = subprocess.run([sys.executable, "-m", "bot", "run", *args], input="/help\n", capture_output=True,
                                text=True, timeout=60, cwd=tmp_path, env=ENV)
        assert result.returncode == 2, result.stderr
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("dramabot: ")
        assert says in result.stderr and "s3cret" not in result.stderr
        assert sorted(p.name for p in tmp_path.rglob("*")) == ["dramabot.toml"]
    # a sqlite: URL names a file, beside the config as a relative path is
    config.write_text('database = "sqlite:///bot.sqlite3"\n')
    result = subprocess.run([sys.executable, "-m", "bot", "run", "--config", str(config)], input="/help\n",
                            capture_output=True, text=True, timeout=60, cwd=tmp_path, env=ENV)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "bot.sqlite3").exists()


def test_one_bot_per_database_holds_through_a_symlink_another_spelling_and_a_deleted_lock_file(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "sub").mkdir()
    db = tmp_path / "data" / "bot.sqlite3"
    (tmp_path / "link.sqlite3").symlink_to(db)
    (tmp_path / "datalink").symlink_to(tmp_path / "data")
    first = subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--db", str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, cwd=tmp_path, env=ENV,
    )
    try:
        assert first.stdout is not None and first.stdout.readline().startswith("dramabot console")
        for spelling in ("link.sqlite3", "sub/../data/bot.sqlite3", "datalink/bot.sqlite3"):
            second = run(tmp_path / spelling)
            assert second.returncode == 2, spelling
            assert second.stderr.startswith(f"dramabot: {tmp_path / spelling}: another dramabot is already running")
        for lock in tmp_path.rglob("*.lock"):
            lock.unlink()  # an operator "cleaning up"
        second = run(db)
        assert second.returncode == 2 and "another dramabot is already running on this database" in second.stderr
    finally:
        first.communicate("", timeout=30)
    assert first.returncode == 0
    assert run(tmp_path / "link.sqlite3", stdin="/help\n").returncode == 0  # free again once the first has stopped


@pytest.mark.parametrize("how", ["deleted", "replaced"])
def test_a_database_file_deleted_or_replaced_under_the_bot_stops_it_loudly(tmp_path, how):
    """Writing on into a deleted file would answer "Subscribed" and lose it all at the next start."""
    db = tmp_path / "bot.sqlite3"
    bot = subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--db", str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, cwd=tmp_path, env=ENV,
    )
    try:
        assert bot.stdout is not None and bot.stdout.readline().startswith("dramabot console")
        if how == "deleted":
            db.unlink()
        else:
            with sqlite3.connect(tmp_path / "other.sqlite3") as other:
                other.execute("CREATE TABLE t (x)")
            os.replace(tmp_path / "other.sqlite3", db)
        started = time.monotonic()
        returncode = bot.wait(timeout=20)  # stdin stays open: only the bot itself can end the run
        waited = time.monotonic() - started
    finally:
        if bot.poll() is None:
            bot.kill()
        _, err = bot.communicate(timeout=30)
    assert returncode == 1
    assert waited < 10
    [line] = [line for line in err.splitlines() if " ERROR " in line]
    assert f"the database file {db} was {how}" in line and "stopping" in line
