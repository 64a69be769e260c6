"""SQLite only: the file (WAL), migrating files written at every earlier schema version, refusing
newer and damaged files, and the instance lock."""

import asyncio
import os
import sqlite3

import pytest

from bot.domain.jobkeys import JOB_KINDS
from bot.storage import StorageError, open_storage
from bot.storage.migrations import SQLITE, Migrations
from bot.storage.sqlite import MIGRATIONS, SCRIPTS
from bot.storage.values import LedgerJob

LATEST = MIGRATIONS.latest


def database_at(path, version: int) -> None:
    """A database file as a dramabot of schema `version` left it."""
    with sqlite3.connect(path) as db:
        db.executescript(";".join(SCRIPTS[n] for n in range(1, version + 1)) + f"; PRAGMA user_version = {version};")


async def test_fresh_database_is_migrated_in_wal_mode_and_reopens(tmp_path):
    path = tmp_path / "data" / "bot.sqlite3"
    storage = await open_storage(path)
    assert await storage.schema_version() == LATEST == 12
    await storage.subscribe(platform="telegram", chat_id="1", is_private=True, kind="show", target="interestoflove", now=100)
    await storage.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    again = await open_storage(path)
    assert await again.subscriptions(platform="telegram", chat_id="1") == [("show", "interestoflove")]
    await again.close()


@pytest.mark.parametrize("version", range(1, LATEST))
async def test_a_database_at_every_earlier_version_upgrades_to_the_schema_a_fresh_one_has(tmp_path, version):
    database_at(tmp_path / "old.sqlite3", version)
    await (await open_storage(tmp_path / "old.sqlite3")).close()
    await (await open_storage(tmp_path / "fresh.sqlite3")).close()

    def schema(name):
        with sqlite3.connect(tmp_path / name) as db:
            return sorted(db.execute("SELECT type, name, tbl_name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"))

    assert schema("old.sqlite3") == schema("fresh.sqlite3")


async def test_a_version_1_database_keeps_its_pending_retries_after_migrating(tmp_path):
    path = tmp_path / "bot.sqlite3"
    database_at(path, 1)
    with sqlite3.connect(path) as db:
        db.execute(
            "INSERT INTO deliveries (kind, job, platform, chat_id, expires_at, state, attempts, next_attempt_at) "
            "VALUES ('reminder', 'show#1@x|30', 'telegram', '1', 9999, 'failed', 1, 500)"
        )
    storage = await open_storage(path)
    try:
        assert await storage.schema_version() == LATEST
        assert await storage.next_retry_at() == 500
        # fresh claims have no retry time and stay out of the retry index until a restart
        await storage.claim(LedgerJob("reminder", "show#2@x|30", 9999), recipients=[("telegram", "2")])
        assert await storage.next_retry_at() == 500
        assert await storage.requeue_unfinished(now=700) == 1
        assert [p.delivery.job for p in await storage.claim_due_retries(now=700)] == ["show#1@x|30", "show#2@x|30"]
    finally:
        await storage.close()


async def test_the_ledger_takes_each_kind_of_job_the_domain_names_and_refuses_any_other(tmp_path):
    """The kinds are listed once (bot.domain.jobkeys.JobKind); the table's CHECK is built from them."""
    path = tmp_path / "bot.sqlite3"
    storage = await open_storage(path)
    try:
        for n, kind in enumerate(JOB_KINDS):
            assert await storage.claim(LedgerJob(kind, f"job{n}", 9999), recipients=[("telegram", "1")]) != []
        assert {d.kind for d in await storage.delivery_states()} == {"reminder", "release", "notice", "news"}
    finally:
        await storage.close()
    with sqlite3.connect(path) as db, pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        db.execute("INSERT INTO deliveries (kind, job, platform, chat_id, expires_at, state) "
                   "VALUES ('digest', 'x', 'telegram', '1', 9999, 'claimed')")


async def test_a_version_3_database_keeps_its_chats_and_gains_the_group_settings(tmp_path):
    path = tmp_path / "bot.sqlite3"
    database_at(path, 3)
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO chats (platform, chat_id, is_private, created_at) VALUES ('discord', '7', 0, 1)")
    storage = await open_storage(path)
    try:
        before = await storage.chat(platform="discord", chat_id="7")
        assert before is not None and before.mention is None and before.events is False
        await storage.set_mention(platform="discord", chat_id="7", is_private=False, mention="720", now=2)
        assert (await storage.chat(platform="discord", chat_id="7")).mention == "720"
    finally:
        await storage.close()


async def test_migrations_are_steps_numbered_without_gaps_given_the_connection_and_dialect():
    seen = []
    steps = Migrations()

    @steps.migration(2)
    async def second(db, dialect):
        seen.append((2, db, dialect.name))

    @steps.migration(1)
    async def first(db, dialect):
        seen.append((1, db, dialect.name))

    for _, step in steps.after(0):
        await step("connection", SQLITE)
    assert seen == [(1, "connection", "sqlite"), (2, "connection", "sqlite")] and steps.latest == 2
    assert [n for n, _ in steps.after(1)] == [2]
    with pytest.raises(ValueError, match="registered twice"):
        steps.migration(2)(first)

    @steps.migration(4)
    async def gap(db, dialect):
        pass

    with pytest.raises(ValueError, match="without gaps"):
        steps.after(0)


async def test_a_newer_schema_is_refused_with_one_line(tmp_path):
    path = tmp_path / "bot.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {LATEST + 1}")
    with pytest.raises(StorageError) as refused:
        await open_storage(path)
    assert str(refused.value) == (
        f"{path}: the database was written by a newer dramabot (schema {LATEST + 1}; "
        f"this one knows up to {LATEST}); upgrade dramabot"
    )


async def test_a_damaged_database_is_refused_with_one_line(tmp_path):
    path = tmp_path / "bot.sqlite3"
    storage = await open_storage(path)
    for n in range(2000):
        await storage.subscribe(platform="telegram", chat_id=str(n), is_private=True, kind="show", target="interestoflove", now=n)
    await storage.close()
    data = bytearray(path.read_bytes())
    data[4096 * 3 : 4096 * 3 + 200] = b"\xff" * 200  # scribble over a page in the middle
    path.write_bytes(bytes(data))
    with pytest.raises(StorageError) as refused:
        await open_storage(path)
    assert str(refused.value).startswith(f"{path}: ") and "\n" not in str(refused.value)


async def test_a_second_bot_on_the_same_database_is_refused_until_the_first_stops(tmp_path):
    path = tmp_path / "bot.sqlite3"
    first = await open_storage(path)
    with pytest.raises(StorageError) as refused:
        await open_storage(path)
    assert str(refused.value) == f"{path}: another dramabot is already running on this database (process {os.getpid()})"
    await first.close()
    second = await open_storage(path)
    await second.close()


async def test_a_database_url_neither_sqlite_nor_postgresql_is_refused_with_one_line():
    with pytest.raises(StorageError) as refused:
        await open_storage("mysql://user:secret@db/dramabot")
    assert "secret" not in str(refused.value) and "\n" not in str(refused.value)


async def test_on_sqlite_other_tasks_wait_for_a_transaction_to_end(tmp_path):
    """One connection: a call from another task (one the transaction's task started, too) waits
    until the transaction ends, rather than running inside it."""
    storage = await open_storage(tmp_path / "bot.sqlite3")
    try:
        async with storage.transaction():
            await storage.set_meta(name="a", value="1")
            child = asyncio.create_task(storage.set_meta(name="b", value="2"))
            done, _ = await asyncio.wait([child], timeout=0.2)
            assert not done
        await asyncio.wait_for(child, timeout=30)
        assert await storage.get_meta("b") == "2"
    finally:
        await storage.close()
