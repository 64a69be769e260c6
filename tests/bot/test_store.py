"""The repository: migrations, WAL, subscriptions and the delivery ledger's unique keys."""

import asyncio
import os
import sqlite3

import pytest

from bot.store import MIGRATIONS, Delivery, Store, StoreError


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


async def test_a_version_1_database_keeps_its_pending_retries_after_migrating(tmp_path):
    path = tmp_path / "bot.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(MIGRATIONS[0] + "; PRAGMA user_version = 1;")
        db.execute(
            "INSERT INTO deliveries (kind, job, platform, chat_id, expires_at, state, attempts, next_attempt_at) "
            "VALUES ('reminder', 'show#1@x|30', 'telegram', '1', 9999, 'failed', 1, 500)"
        )
    store = await Store.open(path)
    try:
        assert await store.schema_version() == len(MIGRATIONS)
        assert await store.next_retry_at() == 500
        # fresh claims have no retry time and stay out of the retry index until a restart
        await store.claim("reminder", "show#2@x|30", 9999, [("telegram", "2")])
        assert await store.next_retry_at() == 500
        assert await store.requeue_unfinished(now=700) == 1
        assert [p.delivery.job for p in await store.claim_due_retries(now=700)] == ["show#1@x|30", "show#2@x|30"]
    finally:
        await store.close()


async def test_claimed_chat_ids_come_back_exactly_as_given(tmp_path):
    store = await Store.open(tmp_path / "bot.sqlite3")
    try:
        odd = [("telegram", "-1001234"), ("discord", 'a"b\\c'), ("telegram", "채팅 ✨"), ("discord", "007"), ("telegram", "1e3")]
        claimed = await store.claim("news", "feed|1", 10**10, odd)
        assert claimed == sorted(odd)
        rows = await store.delivery_states()
        assert {(d.platform, d.chat_id) for d in rows} == set(odd)  # text stays text: "007" is not 7
    finally:
        await store.close()


async def test_a_newer_schema_is_refused_with_one_line(tmp_path):
    path = tmp_path / "bot.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(StoreError) as refused:
        await Store.open(path)
    assert str(refused.value) == (
        f"{path}: the database was written by a newer dramabot (schema {len(MIGRATIONS) + 1}; "
        f"this one knows up to {len(MIGRATIONS)}); upgrade dramabot"
    )


async def test_a_damaged_database_is_refused_with_one_line(tmp_path):
    path = tmp_path / "bot.sqlite3"
    store = await Store.open(path)
    for n in range(2000):
        await store.subscribe("telegram", str(n), True, "show", "interestoflove", n)
    await store.close()
    data = bytearray(path.read_bytes())
    data[4096 * 3 : 4096 * 3 + 200] = b"\xff" * 200  # scribble over a page in the middle
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError) as refused:
        await Store.open(path)
    assert str(refused.value).startswith(f"{path}: ") and "\n" not in str(refused.value)


async def test_a_second_bot_on_the_same_database_is_refused_until_the_first_stops(tmp_path):
    path = tmp_path / "bot.sqlite3"
    first = await Store.open(path)
    with pytest.raises(StoreError) as refused:
        await Store.open(path)
    assert str(refused.value) == f"{path}: another dramabot is already running on this database (process {os.getpid()})"
    await first.close()
    second = await Store.open(path)
    await second.close()


async def test_two_processes_claiming_one_job_never_both_get_a_row(tmp_path):
    """Each claim returns only the rows it inserted, even when another connection (another
    process) claims the same job at the same time."""
    path = tmp_path / "bot.sqlite3"
    a = await Store.open(path)
    b = await Store.open(path, exclusive=False)
    try:
        people = [("telegram", str(n)) for n in range(2000)]
        first, second = await asyncio.gather(
            a.claim("reminder", "show#1@x|30", 10**10, people), b.claim("reminder", "show#1@x|30", 10**10, people[::-1])
        )
        assert len(first) + len(second) == len(people)
        assert not set(first) & set(second)
    finally:
        await a.close()
        await b.close()


async def test_claiming_a_job_twice_claims_nobody_the_second_time(tmp_path):
    store = await Store.open(tmp_path / "bot.sqlite3")
    try:
        people = [("telegram", "1"), ("discord", "2"), ("telegram", "1")]
        first = await store.claim("reminder", "show#1@x|30", 10**10, people)
        assert first == [("discord", "2"), ("telegram", "1")]  # once each, in key order
        assert await store.claim("reminder", "show#1@x|30", 10**10, people) == []
        # the same recipients for another job, or another kind of job with the same name, are new
        assert await store.claim("reminder", "show#2@x|30", 10**10, people[:1]) == [("telegram", "1")]
        assert await store.claim("news", "show#1@x|30", 10**10, people[:1]) == [("telegram", "1")]
        await store.record_outcomes({("reminder", "show#1@x|30", "telegram"): ["1"]}, [], 5)
        states = await store.delivery_states()
        assert states[Delivery("reminder", "show#1@x|30", "telegram", "1")] == "sent"
        assert states[Delivery("reminder", "show#1@x|30", "discord", "2")] == "claimed"
        assert await store.requeue_unfinished(7) == 3
        assert await store.next_retry_at() == 7
        retries = await store.claim_due_retries(7)
        assert Delivery("reminder", "show#1@x|30", "discord", "2") in {p.delivery for p in retries}
        assert await store.claim_due_retries(7) == []  # claimed once
        await store.record_outcomes(
            {("news", "show#1@x|30", "telegram"): ["1"]},
            [("reminder", "show#1@x|30", "discord", "2", "failed", "429", 60),
             ("reminder", "show#2@x|30", "telegram", "1", "dropped", "gone", None)],
            8,
        )
        assert sorted((await store.delivery_states()).values()) == ["dropped", "failed", "sent", "sent"]
        assert await store.next_retry_at() == 60
    finally:
        await store.close()


async def test_an_outcome_never_overwrites_a_row_no_longer_claimed(tmp_path):
    store = await Store.open(tmp_path / "bot.sqlite3")
    try:
        people = [("telegram", str(n)) for n in range(10)]
        claimed = await store.claim("reminder", "j", 10**10, reversed(people))
        assert claimed == sorted(people)
        await store.record_outcomes({}, [("reminder", "j", "telegram", "3", "failed", "timeout", 99)], 4)
        await store.record_outcomes({("reminder", "j", "telegram"): [str(n) for n in range(7)]}, [], 5)
        states = {d.chat_id: state for d, state in (await store.delivery_states()).items()}
        assert states == {**{str(n): "sent" for n in range(7)}, "3": "failed", "7": "claimed", "8": "claimed", "9": "claimed"}
    finally:
        await store.close()


async def test_a_chat_is_paused_resumed_and_moved_with_everything_it_has(tmp_path):
    store = await Store.open(tmp_path / "bot.sqlite3")
    try:
        await store.subscribe("telegram", "-1", False, "show", "interestoflove", 1)
        await store.set_timezone("telegram", "-1", False, "Asia/Seoul", 1)
        await store.claim("reminder", "j", 10**10, [("telegram", "-1")])
        assert await store.pause_chat("telegram", "-1", "kicked", 2)
        assert not await store.pause_chat("telegram", "-1", "kicked again", 3)
        assert await store.recipients([("show", "interestoflove")]) == []
        assert await store.resume_chat("telegram", "-1") == "kicked"
        assert await store.resume_chat("telegram", "-1") is None
        assert await store.take_news_slots(3600, 2, [("telegram", "-1")]) == {("telegram", "-1")}
        await store.hold_for_digest(0, "soompi", "a1", [("telegram", "-1")])
        await store.move_chat("telegram", "-1", "-1009")
        assert await store.chat("telegram", "-1") is None
        assert await store.digest_chats(0) == [("telegram", "-1009")]  # held articles wait at the new id
        assert await store.take_news_slots(3600, 2, [("telegram", "-1009")]) == {("telegram", "-1009")}
        assert await store.take_news_slots(3600, 2, [("telegram", "-1009")]) == set()  # the hour's count came along
        moved = await store.chat("telegram", "-1009")
        assert moved is not None and moved.timezone == "Asia/Seoul" and not moved.is_private
        assert await store.subscriptions("telegram", "-1009") == [("show", "interestoflove")]
        assert {d.chat_id for d in await store.delivery_states()} == {"-1009"}
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


async def test_feed_state_and_entries_round_trip(tmp_path):
    from bot.store import FeedState

    store = await Store.open(tmp_path / "db.sqlite3")
    assert await store.feed_state("wp") is None
    state = FeedState("wp", "https://x.test/feed", '"e1"', "Fri, 23 Dec 2022 00:00:00 GMT", False, 4, "HTTP 500",
                      next_poll_at=100, baseline_at=50)
    await store.save_feed_state(state)
    await store.record_entries("wp", [("1", "https://x.test/1", True), ("2", "", False)], now=10)
    await store.record_entries("wp", [("1", "https://x.test/1", False)], now=20)  # delivered stays
    await store.close()
    store = await Store.open(tmp_path / "db.sqlite3")
    assert await store.feed_state("wp") == state
    assert await store.known_entries("wp", ["1", "2", "3"]) == {"1", "2"}
    assert await store.known_entries("other", ["1"]) == set()
    assert await store.link_delivered("https://x.test/1") and not await store.link_delivered("")
    assert await store.prune_entries("wp", before=15) == 1
    assert await store.known_entries("wp", ["1", "2"]) == {"1"}
    await store.close()


async def test_a_confirmed_range_touches_only_its_own_claims_rows(tmp_path):
    store = await Store.open(tmp_path / "bot.sqlite3")
    try:
        chats = [("telegram", f"c{n}") for n in range(10)]
        assert await store.claim("reminder", "j", 10**10, chats[::-1], stamp=1) == chats  # sorted, whatever the input order
        # c5's first attempt failed and its retry has claimed it again: it is in flight under another claim
        await store.record_outcomes({}, [("reminder", "j", "telegram", "c5", "failed", "timeout", 7)], 3)
        [retry] = await store.claim_due_retries(8)
        assert retry.delivery.chat_id == "c5"
        await store.record_outcomes({}, [], 9, ranges=[("reminder", "j", "telegram", 1, "c0", "c9")])
        states = {d.chat_id: s for d, s in (await store.delivery_states()).items()}
        assert states == {**{f"c{n}": "sent" for n in range(10)}, "c5": "claimed"}
    finally:
        await store.close()


# ---- news: the hourly cap, digests, article targets, added feeds (migration 7) ------------------------


async def test_news_slots_stop_at_the_cap_per_chat_and_hour_and_are_pruned(tmp_path):
    store = await Store.open(tmp_path / "bot.sqlite3")
    try:
        chats = [("telegram", "1"), ("discord", "1"), ("telegram", "2")]
        assert await store.take_news_slots(3600, 2, chats) == set(chats)
        assert await store.take_news_slots(3600, 2, chats[:2]) == set(chats[:2])
        assert await store.take_news_slots(3600, 2, chats) == {("telegram", "2")}
        assert await store.take_news_slots(3600, 2, chats) == set()
        assert await store.take_news_slots(7200, 2, chats) == set(chats)  # a new hour, a new count
        # concurrent fan-outs never take more than the cap between them
        results = await asyncio.gather(*(store.take_news_slots(10800, 3, chats[:1]) for _ in range(10)))
        assert sum(len(r) for r in results) == 3
        await store.hold_for_digest(3600, "f", "a", chats[:1])
        await store.hold_for_digest(3600, "f", "a", chats[:1])  # idempotent
        assert await store.next_digest_hour() == 3600
        assert await store.digest_chats(3600) == [("telegram", "1")]
        await store.digest_queued(3600)
        assert await store.next_digest_hour() is None
        assert await store.prune_news(7200) == 3 + 1  # three quota rows and the queued digest entry of 3600
    finally:
        await store.close()


async def test_group_settings_for_mentions_and_events_are_kept_and_move_with_the_chat(tmp_path):
    path = tmp_path / "bot.sqlite3"
    with sqlite3.connect(path) as db:  # a database from before the group settings keeps its chats
        db.executescript(";".join(MIGRATIONS[:3]) + "; PRAGMA user_version = 3;")
        db.execute("INSERT INTO chats (platform, chat_id, is_private, created_at) VALUES ('discord', '7', 0, 1)")
    store = await Store.open(path)
    try:
        before = await store.chat("discord", "7")
        assert before is not None and before.mention is None and before.events is False
        await store.set_mention("discord", "7", False, "720", 2)
        await store.set_events("discord", "7", False, True, 2)
        await store.set_events("discord", "8", False, False, 2)
        assert await store.chats_with_events("discord") == ["7"] and await store.chats_with_events("telegram") == []
        await store.move_chat("discord", "7", "9")
        after = await store.chat("discord", "9")
        assert after is not None and (after.mention, after.events) == ("720", True)
        await store.set_mention("discord", "9", False, None, 3)
        assert (await store.chat("discord", "9")).mention is None
    finally:
        await store.close()


async def test_news_recipients_say_which_targets_each_chat_follows(tmp_path):
    store = await Store.open(tmp_path / "bot.sqlite3")
    try:
        await store.subscribe("telegram", "1", True, "show", "a", 0)
        await store.subscribe("telegram", "1", True, "actor", "x", 0)
        await store.subscribe("discord", "2", False, "actor", "x", 0)
        await store.subscribe("discord", "3", False, "show", "b", 0)
        await store.pause_chat("discord", "2", "kicked", 0)
        found = await store.news_recipients([("show", "a"), ("actor", "x"), ("show", "b"), ("show", "a")])
        assert {chat: sorted(pairs) for chat, (_, pairs) in found.items()} == {
            ("telegram", "1"): [("actor", "x"), ("show", "a")],
            ("discord", "3"): [("show", "b")],
        }
        assert found[("discord", "3")][0].is_private is False
        await store.save_article("f", "1", "t1", "l1", "", None, 10)
        await store.save_article("f", "2", "t2", "l2", "", None, 20)
        await store.save_article("g", "3", "t3", "l3", "", None, 30)
        await store.save_article_targets("f", "1", [("show", "a")])
        await store.save_article_targets("f", "2", [("show", "a"), ("actor", "x")])
        await store.save_article_targets("g", "3", [("show", "b")])
        latest = await store.latest_articles([("show", "a"), ("actor", "x")], 5)
        assert [a.title for a in latest] == ["t2", "t1"]  # newest first, each once
        assert [a.title for a in await store.latest_articles([("show", "a")], 1)] == ["t2"]
        assert {f: a.title for f, a in (await store.last_articles(["f", "g", "h"])).items()} == {"f": "t2", "g": "t3"}
    finally:
        await store.close()


async def test_added_feeds_are_kept_and_removed_with_their_poll_state(tmp_path):
    from bot.store import FeedState

    store = await Store.open(tmp_path / "bot.sqlite3")
    try:
        assert await store.add_feed("wire", "https://x.test/feed", "telegram:9", 5)
        assert not await store.add_feed("wire", "https://y.test/feed", "telegram:9", 6)
        await store.save_feed_state(FeedState("wire", "https://x.test/feed", baseline_at=5))
        assert await store.added_feeds() == [("wire", "https://x.test/feed")]
        assert await store.remove_feed("wire")
        assert not await store.remove_feed("wire")
        assert await store.added_feeds() == [] and await store.feed_state("wire") is None
    finally:
        await store.close()


async def test_an_atomic_block_keeps_all_of_its_writes_or_none(tmp_path):
    store = await Store.open(tmp_path / "bot.sqlite3")
    try:
        with pytest.raises(RuntimeError):
            async with store.atomic():
                assert await store.save_article("soompi", "a1", "Title", "https://x.test/a1", "", None, 1)
                await store.claim("news", "soompi|a1", 10**10, [("telegram", "1")])
                raise RuntimeError("the next write failed")
        assert await store.article("soompi", "a1") is None and await store.delivery_states() == {}
        async with store.atomic():
            assert await store.save_article("soompi", "a1", "Title", "https://x.test/a1", "", None, 1)
            await store.claim("news", "soompi|a1", 10**10, [("telegram", "1")])
        assert await store.article("soompi", "a1") is not None and len(await store.delivery_states()) == 1
    finally:
        await store.close()


async def test_old_articles_are_pruned_unless_a_digest_still_needs_them(tmp_path):
    store = await Store.open(tmp_path / "bot.sqlite3")
    day = 86_400
    try:
        for article_id, received in (("old", 1 * day), ("held", 1 * day), ("new", 40 * day)):
            await store.save_article("soompi", article_id, f"Title {article_id}", "https://x.test/", "", None, received)
            await store.save_article_targets("soompi", article_id, [("show", "interestoflove")])
        await store.save_article("soompi", "unmatched", "Stocks", "https://x.test/s", "", None, 40 * day)  # an earlier version kept these
        await store.hold_for_digest(1 * day // 3600 * 3600, "soompi", "held", [("telegram", "1")])
        assert await store.prune_articles(before=10 * day) == 2
        assert [a.article_id for a in await store.latest_articles([("show", "interestoflove")], 5)] == ["new", "held"]
        assert await store.article("soompi", "old") is None and await store.article("soompi", "unmatched") is None
        # the newest article that named nothing is noted for /feeds, without being kept
        await store.note_unmatched_article(feed="soompi", article_id="s2", title="Stocks again", link="https://x.test/s2",
                                           now=41 * day)
        assert (await store.last_articles(["soompi"]))["soompi"].title == "Stocks again"
        assert await store.article("soompi", "s2") is None
    finally:
        await store.close()


async def test_audience_counts_each_unpaused_chat_once_per_platform(tmp_path):
    store = await Store.open(tmp_path / "bot.sqlite3")
    try:
        for platform, chat, kind, target in (("telegram", "1", "show", "love"), ("telegram", "1", "actor", "moon"),
                                             ("telegram", "2", "actor", "moon"), ("discord", "3", "show", "love"),
                                             ("telegram", "4", "show", "love"), ("telegram", "5", "show", "other")):
            await store.subscribe(platform, chat, True, kind, target, 1)
        await store.pause_chat("telegram", "4", "blocked", 2)
        targets = [("show", "love"), ("actor", "moon")]
        assert await store.audience(targets) == {"telegram": 2, "discord": 1}
        assert await store.audience(targets) == {
            p: len([r for r in await store.recipients(targets) if r.platform == p]) for p in ("telegram", "discord")
        }
        assert await store.audience([]) == {}
    finally:
        await store.close()
