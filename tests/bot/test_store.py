"""The repository: migrations, WAL, subscriptions and the delivery ledger's unique keys."""

import sqlite3

from bot.store import MIGRATIONS, Store


async def test_fresh_database_is_migrated_in_wal_mode_and_reopens(tmp_path):
    path = tmp_path / "data" / "bot.sqlite3"
    store = await Store.open(path)
    assert await store.schema_version() == len(MIGRATIONS)
    await store.subscribe("telegram", "1", True, "show", "interestoflove", 100)
    await store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    again = await Store.open(path)
    assert await again.subscriptions("telegram", "1") == [("show", "interestoflove")]
    await again.close()


async def test_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "bot.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    try:
        await Store.open(path)
    except RuntimeError as exc:
        assert "newer than this dramabot knows" in str(exc)
    else:
        raise AssertionError("a database from a newer version must not be opened")


async def test_claiming_a_job_twice_claims_nobody_the_second_time(tmp_path):
    store = await Store.open(tmp_path / "bot.sqlite3")
    try:
        people = [("telegram", "1"), ("discord", "2"), ("telegram", "1")]
        first = await store.claim("reminder", "show#1@x|30", 10**10, people)
        assert [(p, c) for _, p, c in first] == [("telegram", "1"), ("discord", "2")]
        assert await store.claim("reminder", "show#1@x|30", 10**10, people) == []
        await store.mark_sent([first[0][0]], 5)
        assert sorted((await store.delivery_states()).values()) == ["claimed", "sent"]
        assert await store.requeue_unfinished(7) == 1
        [pending] = await store.due_retries(7)
        assert (pending.platform, pending.chat_id, pending.kind) == ("discord", "2", "reminder")
    finally:
        await store.close()


async def test_subscriptions_are_unique_and_leads_in_use_follow_them(tmp_path):
    store = await Store.open(tmp_path / "bot.sqlite3")
    try:
        assert await store.subscribe("telegram", "1", True, "actor", "moongayoung", 1)
        assert not await store.subscribe("telegram", "1", True, "actor", "moongayoung", 2)
        await store.set_leads("telegram", "1", True, [30, 60], 3)
        await store.set_leads("telegram", "2", True, [1440], 3)  # follows nothing: not in use
        assert await store.lead_settings_in_use() == {"60,30"}
        assert await store.unsubscribe("telegram", "1", "actor", "moongayoung")
        assert not await store.unsubscribe("telegram", "1", "actor", "moongayoung")
        assert await store.lead_settings_in_use() == set()
    finally:
        await store.close()
