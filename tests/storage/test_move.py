"""`dramabot migrate`'s refusals (bot.storage.move): each bad argument is one line and changes
nothing; a source at an older schema is migrated first; the target's own ids continue after the
copied ones."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import psycopg
import pytest

from bot.storage import open_storage
from bot.storage.move import MoveRefused, move
from bot.storage.postgres import PostgresStorage
from bot.storage.sqlite import MIGRATIONS, SCRIPTS
from bot.storage.values import LedgerJob

LATEST = MIGRATIONS.latest


async def a_bot(path: Path) -> str:
    """A SQLite bot with one fan following one show."""
    store = await open_storage(path)
    await store.subscribe(platform="telegram", chat_id="1", is_private=True, kind="show", target="interestoflove", now=100)
    await store.close()
    return str(path)


def tables_in(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        return [row[0] for row in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")]


def user_version(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return db.execute("PRAGMA user_version").fetchone()[0]


async def refused(**arguments: str) -> str:
    with pytest.raises(MoveRefused) as caught:
        await move(expired_before=0, **arguments)
    message = str(caught.value)
    assert "\n" not in message
    return message


async def test_a_missing_file_a_text_file_or_a_url_as_source_is_refused_and_nothing_is_created(tmp_path, postgres_url):
    missing = tmp_path / "nothing.sqlite3"
    assert await refused(source=str(missing), target=postgres_url) == f"{missing}: no such file"
    assert not missing.exists()
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database\n" * 10)
    assert await refused(source=str(notes), target=postgres_url) == f"{notes}: not a SQLite database"
    assert await refused(source=postgres_url, target=postgres_url) == (
        "--from must be the bot's SQLite file; this is a PostgreSQL URL")
    other = tmp_path / "other.sqlite3"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    assert await refused(source=str(other), target=postgres_url) == f"{other}: not a dramabot database (no schema version)"
    assert tables_in(postgres_url) == []


async def test_the_same_database_or_a_target_that_is_no_postgresql_url_is_refused(tmp_path):
    source = await a_bot(tmp_path / "bot.sqlite3")
    assert await refused(source=source, target=source) == (
        f"--from and --to name the same database ({source}); --to must be a PostgreSQL URL")
    assert (await refused(source=source, target=f"{tmp_path}/../{tmp_path.name}/bot.sqlite3")).startswith("--from and --to name the same")
    assert await refused(source=source, target="mysql://db/bot") == "--to must be a PostgreSQL URL (postgresql://user@host:port/name)"


async def test_an_unreachable_server_is_refused_without_its_password_and_the_old_source_is_left_as_it_was(tmp_path):
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(";".join(SCRIPTS[n] for n in range(1, 10)) + "; PRAGMA user_version = 9;")
    message = await refused(source=str(path), target="postgresql://bot:s3cret@127.0.0.1:1/bot")
    assert message.startswith("PostgreSQL database bot on 127.0.0.1:1: cannot connect:") and "s3cret" not in message
    assert user_version(path) == 9


async def test_a_target_with_any_row_is_refused_and_keeps_its_rows(tmp_path, postgres_url):
    source = await a_bot(tmp_path / "bot.sqlite3")
    target = await PostgresStorage.open(postgres_url, exclusive=False)
    await target.set_meta(name="owner note", value="keep me")
    await target.close()
    assert (await refused(source=source, target=postgres_url)).endswith(
        "is not empty (table meta has rows); migrate into a new, empty database")
    target = await PostgresStorage.open(postgres_url, exclusive=False)
    assert await target.subscriptions(platform="telegram", chat_id="1") == []
    assert await target.get_meta("owner note") == "keep me"
    await target.close()


async def test_a_bot_running_on_either_side_is_refused(tmp_path, postgres_url):
    source = await a_bot(tmp_path / "bot.sqlite3")
    running = await open_storage(source)
    assert (await refused(source=source, target=postgres_url)).startswith(
        f"{source}: another dramabot is already running on this database (process ")
    await running.close()
    running = await open_storage(postgres_url)  # a bot on the (still empty) target, holding a role
    await running.take_lease(role="scheduler", holder="host:1:a", now=time.time(), ttl=15)
    assert (await refused(source=source, target=postgres_url)).endswith((
        "another dramabot is already running on this database; stop it first",  # the single-instance lock, while there is one
        "is not empty (table leases has rows); migrate into a new, empty database",  # its roles, once several processes share it
    ))
    await running.close()
    target = await PostgresStorage.open(postgres_url, exclusive=False)
    assert await target.subscriptions(platform="telegram", chat_id="1") == []
    await target.close()


async def test_a_source_at_an_older_schema_is_migrated_first_and_copied(tmp_path, postgres_url):
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(";".join(SCRIPTS[n] for n in range(1, 10)) + "; PRAGMA user_version = 9;")
        db.execute("INSERT INTO chats (platform, chat_id, is_private, created_at) VALUES ('telegram', '1', 1, 100)")
        db.execute("INSERT INTO catalog_edits (show_key, kind, day, created_at) VALUES ('interestoflove', 'skip', '2022-12-28', 100)")
    report = await move(source=str(path), target=postgres_url, expired_before=0)
    assert (report.source_schema_was, report.schema) == (9, LATEST) and user_version(path) == LATEST
    assert {c.table: c.rows for c in report.copied}["catalog_edits"] == 1
    with psycopg.connect(postgres_url) as conn:  # the next edit an owner makes gets an id after the copied one
        conn.execute("INSERT INTO catalog_edits (show_key, kind, day, created_at) VALUES ('interestoflove', 'skip', '2023-01-04', 200)")
    target = await PostgresStorage.open(postgres_url, exclusive=False)
    try:
        assert [e.day for e in await target.edits()] == ["2022-12-28", "2023-01-04"]
    finally:
        await target.close()


async def test_a_newer_source_is_refused(tmp_path, postgres_url):
    path = tmp_path / "new.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {LATEST + 1}")
    assert "written by a newer dramabot" in await refused(source=str(path), target=postgres_url)
    assert tables_in(postgres_url) == []


async def test_ledger_rows_the_prune_would_forget_stay_behind_and_an_odd_file_name_is_read(tmp_path, postgres_url):
    path = tmp_path / "bot #1?.sqlite3"
    store = await open_storage(path)
    await store.claim(LedgerJob("reminder", "old#1@x|30", 1_000), recipients=[("telegram", "1"), ("telegram", "2")])
    await store.claim(LedgerJob("reminder", "new#1@x|30", 5_000), recipients=[("telegram", "1")])
    await store.close()
    report = await move(source=str(path), target=postgres_url, expired_before=2_000)
    assert {c.table: c.rows for c in report.copied}["deliveries"] == 1 and report.left_behind == 2
    target = await PostgresStorage.open(postgres_url, exclusive=False)
    try:
        assert [d.job for d in await target.delivery_states()] == ["new#1@x|30"]
    finally:
        await target.close()
