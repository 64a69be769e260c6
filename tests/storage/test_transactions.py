"""The contract: explicit transactions. What a transaction writes is seen by others once, whole,
when it ends, or never; a nested one is part of the outer; other tasks' calls are not part of it."""

import asyncio
import contextlib

import pytest

from bot.storage.values import LedgerJob


async def save(storage, article_id: str) -> None:
    assert await storage.save_article(feed="soompi", article_id=article_id, title="Title", link=f"https://x.test/{article_id}",
                                      summary="", published=None, now=1)
    await storage.claim(LedgerJob("news", f"soompi|{article_id}", 10**10), recipients=[("telegram", "1")])


async def test_a_transaction_is_seen_by_another_process_only_once_it_commits(backend):
    storage = await backend.open()
    other = await backend.open(exclusive=False)  # another process on the same database
    await storage.subscribe(platform="telegram", chat_id="1", is_private=True, kind="show", target="a", now=1)
    assert await other.subscriptions(platform="telegram", chat_id="1") == [("show", "a")]  # a call alone commits at once
    async with storage.transaction():
        await save(storage, "a1")
        assert await storage.article(feed="soompi", article_id="a1") is not None  # its own writes, it sees
        assert await other.article(feed="soompi", article_id="a1") is None and await other.delivery_states() == {}
    assert await other.article(feed="soompi", article_id="a1") is not None and len(await other.delivery_states()) == 1


async def test_an_error_inside_a_transaction_keeps_none_of_its_writes(storage):
    with pytest.raises(RuntimeError):
        async with storage.transaction():
            await save(storage, "a1")
            raise RuntimeError("the next write failed")
    assert await storage.article(feed="soompi", article_id="a1") is None and await storage.delivery_states() == {}
    async with storage.transaction():
        await save(storage, "a1")
    assert await storage.article(feed="soompi", article_id="a1") is not None and len(await storage.delivery_states()) == 1


async def test_a_nested_transaction_joins_the_outer_one(storage):
    with pytest.raises(RuntimeError):
        async with storage.transaction():
            async with storage.transaction():
                await save(storage, "inner")
            await save(storage, "outer")  # the inner block's end committed nothing: the outer one decides
            raise RuntimeError("the outer block fails after the inner one ended")
    assert await storage.article(feed="soompi", article_id="inner") is None
    assert await storage.delivery_states() == {}


async def test_another_tasks_write_made_during_a_transaction_is_not_rolled_back_with_it(storage):
    inside, fan_done = asyncio.Event(), asyncio.Event()

    async def publish() -> None:
        async with storage.transaction():
            await save(storage, "a1")
            inside.set()
            # a fan's subscribe, made meanwhile, must not run inside this transaction (SQLite makes
            # it wait for the end, PostgreSQL runs it on another connection: either way, not part of it)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(fan_done.wait(), timeout=0.5)
            raise RuntimeError("publishing failed")

    async def fan_subscribes() -> None:
        await inside.wait()
        await storage.subscribe(platform="telegram", chat_id="2", is_private=True, kind="show", target="a", now=2)
        fan_done.set()

    results = await asyncio.wait_for(asyncio.gather(publish(), fan_subscribes(), return_exceptions=True), timeout=30)
    assert isinstance(results[0], RuntimeError) and results[1] is None
    assert await storage.subscriptions(platform="telegram", chat_id="2") == [("show", "a")]  # not rolled back with it
    assert await storage.article(feed="soompi", article_id="a1") is None


async def test_a_task_started_inside_a_transaction_does_not_join_it(storage):
    with pytest.raises(RuntimeError):
        async with storage.transaction():
            await save(storage, "a1")
            child = asyncio.create_task(
                storage.subscribe(platform="telegram", chat_id="3", is_private=True, kind="show", target="a", now=3)
            )
            await asyncio.wait([child], timeout=0.2)
            raise RuntimeError("the parent's transaction fails")
    assert await asyncio.wait_for(child, timeout=30)
    assert await storage.subscriptions(platform="telegram", chat_id="3") == [("show", "a")]  # its own, kept
    assert await storage.article(feed="soompi", article_id="a1") is None
