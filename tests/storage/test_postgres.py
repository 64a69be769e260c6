"""PostgreSQL only: several storages (processes) on one database, concurrent claims over pooled
connections, the advisory instance lock, migrations from every earlier version and at once from
two processes, and a server that does not answer."""

import asyncio

import psycopg
import pytest

from bot.storage import StorageError, open_storage
from bot.storage.postgres import MIGRATIONS, SCRIPTS, PostgresStorage
from bot.storage.values import LedgerJob

LATEST = MIGRATIONS.latest


@pytest.fixture
async def opened():
    """Opens storages for the test and closes them at its end."""
    storages: list[PostgresStorage] = []

    async def open_one(url: str, *, exclusive: bool = False) -> PostgresStorage:
        storage = await PostgresStorage.open(url, exclusive=exclusive)
        storages.append(storage)
        return storage

    yield open_one
    for storage in reversed(storages):
        await storage.close()


async def test_two_storages_on_one_database_see_each_others_commits(postgres_url, opened):
    a, b = await opened(postgres_url, exclusive=True), await opened(postgres_url)
    await a.subscribe(platform="telegram", chat_id="1", is_private=True, kind="show", target="love", now=1)
    await b.subscribe(platform="discord", chat_id="2", is_private=False, kind="show", target="love", now=2)
    for storage in (a, b):
        assert sorted((r.platform, r.chat_id) for r in await storage.recipients([("show", "love")])) == [
            ("discord", "2"), ("telegram", "1")]
    await b.pause_chat(platform="telegram", chat_id="1", reason="blocked", now=3)
    assert [r.chat_id for r in await a.recipients([("show", "love")])] == ["2"]


async def test_concurrent_claims_of_the_same_rows_from_many_connections_claim_each_row_once(postgres_url, opened):
    a, b = await opened(postgres_url), await opened(postgres_url)
    people = [("telegram", str(n)) for n in range(3000)] + [("discord", str(n)) for n in range(500)]
    job = LedgerJob("reminder", "show#1@x|30", 10**10)
    claims = [storage.claim(job, recipients=people[start::3], stamp=10 * index + start)  # each claim's stamp its own
              for index, storage in enumerate((a, b)) for start in range(3)]
    claims += [storage.claim(job, recipients=people[::-1]) for storage in (a, b)]  # and everyone, from both
    results = await asyncio.wait_for(asyncio.gather(*claims), timeout=60)
    claimed = [row for result in results for row in result]
    assert sorted(claimed) == sorted(people)  # each row once, by exactly one of the eight claims
    assert len(await a.delivery_states()) == len(people)


async def test_other_tasks_run_at_once_beside_a_transaction_on_their_own_connections(postgres_url, opened):
    storage = await opened(postgres_url)
    async with storage.transaction():
        await storage.set_meta(name="a", value="1")
        other = asyncio.create_task(storage.set_meta(name="b", value="2"))
        await asyncio.wait_for(other, timeout=10)  # it does not wait for this transaction to end
        assert await storage.get_meta("b") == "2"  # and it has committed already
        assert await storage.get_meta("a") == "1"


async def test_several_bots_open_one_database_at_once_and_share_it(postgres_url):
    first = await open_storage(postgres_url)
    second = await open_storage(postgres_url)  # no instance lock: the processes split the work into roles
    assert first.shared and second.shared
    await first.set_meta(name="a", value="1")
    assert await second.get_meta("a") == "1"
    await first.close()
    await second.close()


async def test_a_server_that_does_not_answer_or_a_bad_url_is_one_line_without_the_password():
    with pytest.raises(StorageError) as refused:
        await open_storage("postgresql://bot:s3cret@127.0.0.1:1/dramabot")  # nothing listens on port 1
    message = str(refused.value)
    assert message.startswith("PostgreSQL database dramabot on 127.0.0.1:1: cannot connect")
    assert "s3cret" not in message and "\n" not in message
    for unreadable in ("postgres://bot:s3cret@[::1/dramabot", "postgresql://bot:s3cret@127.0.0.1:port/dramabot",
                       "postgresql://bot@127.0.0.1:port/dramabot?password=s3cret"):
        with pytest.raises(StorageError) as refused:
            await open_storage(unreadable)  # the driver's message quotes the URL: its password is hidden
        assert "s3cret" not in str(refused.value) and "cannot connect" in str(refused.value)


@pytest.mark.parametrize("version", [1, 4, 7, LATEST - 1])
async def test_a_database_at_an_earlier_version_is_migrated_with_its_rows(postgres_url, opened, version):
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE schema_version (one BOOLEAN PRIMARY KEY DEFAULT true CHECK (one), version INTEGER NOT NULL)")
        for number in range(1, version + 1):
            conn.execute(SCRIPTS[number])
        conn.execute("INSERT INTO schema_version (version) VALUES (%s)", (version,))
        conn.execute("INSERT INTO chats (platform, chat_id, is_private, timezone, created_at) VALUES ('telegram', '1', 1, 'Asia/Seoul', 5)")
        conn.execute("INSERT INTO subscriptions VALUES ('telegram', '1', 'show', 'love', 5)")
    storage = await opened(postgres_url, exclusive=True)
    assert await storage.schema_version() == LATEST
    assert await storage.subscriptions(platform="telegram", chat_id="1") == [("show", "love")]
    assert (await storage.chat(platform="telegram", chat_id="1")).timezone == "Asia/Seoul"


async def test_two_processes_starting_at_once_on_a_fresh_database_migrate_it_once(postgres_url, opened):
    a, b = await asyncio.gather(opened(postgres_url), opened(postgres_url))
    assert await a.schema_version() == await b.schema_version() == LATEST


async def test_a_database_written_by_a_newer_dramabot_is_refused(postgres_url, opened):
    await (await opened(postgres_url)).set_meta(name="x", value="1")
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("UPDATE schema_version SET version = %s", (LATEST + 1,))
    with pytest.raises(StorageError) as refused:
        await PostgresStorage.open(postgres_url)
    assert f"written by a newer dramabot (schema {LATEST + 1}" in str(refused.value)


async def test_connections_the_server_dropped_are_replaced_without_an_error(postgres_url, opened):
    storage = await opened(postgres_url)
    await asyncio.gather(*(storage.set_meta(name=f"k{n}", value="1") for n in range(6)))  # several pooled connections
    with psycopg.connect(postgres_url, autocommit=True) as conn:  # a server restart, or an idle timeout, as seen by the pool
        dropped = conn.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                               "WHERE datname = current_database() AND pid <> pg_backend_pid()").fetchone()
    assert dropped and dropped[0] >= 1
    assert await asyncio.gather(*(storage.get_meta(f"k{n}") for n in range(6))) == ["1"] * 6


async def test_processes_taking_one_free_role_at_once_get_it_once(postgres_url, opened):
    storages = [await opened(postgres_url) for _ in range(4)]
    for attempt in range(5):  # a fresh role each time, taken by four processes at the same instant
        role = f"shard:discord:{attempt}"
        taken = await asyncio.gather(*(s.take_lease(role=role, holder=f"p{n}", now=100.0, ttl=10.0) for n, s in enumerate(storages)))
        assert len([lease for lease in taken if lease is not None]) == 1
