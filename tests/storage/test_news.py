"""The contract: articles and what they name, the hourly news cap, digests, and feeds."""

import asyncio

from bot.storage.values import FeedState


async def test_news_slots_stop_at_the_cap_per_chat_and_hour_and_are_pruned(storage):
    chats = [("telegram", "1"), ("discord", "1"), ("telegram", "2")]
    assert await storage.take_news_slots(hour=3600, cap=2, recipients=chats) == set(chats)
    assert await storage.take_news_slots(hour=3600, cap=2, recipients=chats[:2]) == set(chats[:2])
    assert await storage.take_news_slots(hour=3600, cap=2, recipients=chats) == {("telegram", "2")}
    assert await storage.take_news_slots(hour=3600, cap=2, recipients=chats) == set()
    assert await storage.take_news_slots(hour=7200, cap=2, recipients=chats) == set(chats)  # a new hour, a new count
    # concurrent fan-outs never take more than the cap between them
    results = await asyncio.gather(*(storage.take_news_slots(hour=10800, cap=3, recipients=chats[:1]) for _ in range(10)))
    assert sum(len(r) for r in results) == 3
    await storage.hold_for_digest(hour=3600, feed="f", article_id="a", chats=chats[:1])
    await storage.hold_for_digest(hour=3600, feed="f", article_id="a", chats=chats[:1])  # idempotent
    assert await storage.next_digest_hour() == 3600
    assert await storage.digest_chats(3600) == [("telegram", "1")]
    await storage.digest_queued(3600)
    assert await storage.next_digest_hour() is None
    assert await storage.prune_news(before=7200) == 3 + 1  # three quota rows and the queued digest entry of 3600


async def test_a_digest_holds_the_articles_that_name_what_the_chat_still_follows(storage):
    await storage.subscribe(platform="telegram", chat_id="1", is_private=True, kind="show", target="a", now=0)
    for article_id, target, received in (("1", "a", 10), ("2", "b", 20), ("3", "a", 30)):
        await storage.save_article(feed="f", article_id=article_id, title=f"t{article_id}", link="l", summary="", published=None, now=received)
        await storage.save_article_targets(feed="f", article_id=article_id, targets=[("show", target)])
        await storage.hold_for_digest(hour=0, feed="f", article_id=article_id, chats=[("telegram", "1")])
    held = await storage.digest_articles(platform="telegram", chat_id="1", hour=0)
    assert [a.title for a in held] == ["t1", "t3"]  # in the order they arrived; "b" is not followed
    assert await storage.article_targets(feed="f", article_id="2") == [("show", "b")]


async def test_latest_and_last_articles_per_target_and_feed(storage):
    await storage.save_article(feed="f", article_id="1", title="t1", link="l1", summary="", published=None, now=10)
    await storage.save_article(feed="f", article_id="2", title="t2", link="l2", summary="", published=None, now=20)
    assert not await storage.save_article(feed="f", article_id="2", title="again", link="l2", summary="", published=None, now=21)
    await storage.save_article(feed="g", article_id="3", title="t3", link="l3", summary="s", published=5, now=30)
    await storage.save_article_targets(feed="f", article_id="1", targets=[("show", "a")])
    await storage.save_article_targets(feed="f", article_id="2", targets=[("show", "a"), ("actor", "x")])
    await storage.save_article_targets(feed="g", article_id="3", targets=[("show", "b")])
    latest = await storage.latest_articles(targets=[("show", "a"), ("actor", "x")], limit=5)
    assert [a.title for a in latest] == ["t2", "t1"]  # newest first, each once
    assert [a.title for a in await storage.latest_articles(targets=[("show", "a")], limit=1)] == ["t2"]
    assert {f: a.title for f, a in (await storage.last_articles(["f", "g", "h"])).items()} == {"f": "t2", "g": "t3"}
    assert await storage.article(feed="g", article_id="3") == ("t3", "l3", "s", 5)


async def test_old_articles_are_pruned_unless_a_digest_still_needs_them(storage):
    day = 86_400
    for article_id, received in (("old", 1 * day), ("held", 1 * day), ("new", 40 * day)):
        await storage.save_article(feed="soompi", article_id=article_id, title=f"Title {article_id}", link="https://x.test/", summary="", published=None, now=received)
        await storage.save_article_targets(feed="soompi", article_id=article_id, targets=[("show", "interestoflove")])
    await storage.save_article(feed="soompi", article_id="unmatched", title="Stocks", link="https://x.test/s", summary="", published=None, now=40 * day)  # an earlier version kept these
    await storage.hold_for_digest(hour=1 * day // 3600 * 3600, feed="soompi", article_id="held", chats=[("telegram", "1")])
    assert await storage.prune_articles(before=10 * day) == 2
    assert [a.article_id for a in await storage.latest_articles(targets=[("show", "interestoflove")], limit=5)] == ["new", "held"]
    assert await storage.article(feed="soompi", article_id="old") is None and await storage.article(feed="soompi", article_id="unmatched") is None
    # the newest article that named nothing is noted for /feeds, without being kept
    await storage.note_unmatched_article(feed="soompi", article_id="s2", title="Stocks again", link="https://x.test/s2", now=41 * day)
    assert (await storage.last_articles(["soompi"]))["soompi"].title == "Stocks again"
    assert await storage.article(feed="soompi", article_id="s2") is None


async def test_feed_state_and_entries_survive_a_restart(backend):
    storage = await backend.open()
    assert await storage.feed_state("wp") is None
    state = FeedState("wp", "https://x.test/feed", '"e1"', "Fri, 23 Dec 2022 00:00:00 GMT", False, 4, "HTTP 500",
                      next_poll_at=100, baseline_at=50)
    await storage.save_feed_state(state)
    await storage.record_entries(feed="wp", entries=[("1", "https://x.test/1", True), ("2", "", False)], now=10)
    await storage.record_entries(feed="wp", entries=[("1", "https://x.test/1", False)], now=20)  # delivered stays
    await storage.close()
    storage = await backend.open()
    assert await storage.feed_state("wp") == state
    assert await storage.known_entries(feed="wp", entry_ids=["1", "2", "3"]) == {"1", "2"}
    assert await storage.known_entries(feed="other", entry_ids=["1"]) == set()
    assert await storage.link_delivered("https://x.test/1") and not await storage.link_delivered("")
    assert await storage.prune_entries(feed="wp", before=15) == 1
    assert await storage.known_entries(feed="wp", entry_ids=["1", "2"]) == {"1"}


async def test_added_feeds_are_kept_and_removed_with_their_poll_state(storage):
    assert await storage.add_feed(name="wire", url="https://x.test/feed", added_by="telegram:9", now=5)
    assert not await storage.add_feed(name="wire", url="https://y.test/feed", added_by="telegram:9", now=6)
    await storage.save_feed_state(FeedState("wire", "https://x.test/feed", baseline_at=5))
    assert await storage.added_feeds() == [("wire", "https://x.test/feed")]
    assert await storage.remove_feed("wire")
    assert not await storage.remove_feed("wire")
    assert await storage.added_feeds() == [] and await storage.feed_state("wire") is None
