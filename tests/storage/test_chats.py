"""The contract: chats and their settings, subscriptions, who a fan-out reaches."""

from bot.storage.values import ChatKey, LedgerJob


async def test_a_subscription_is_kept_across_a_restart(backend):
    storage = await backend.open()
    await storage.subscribe(platform="telegram", chat_id="1", is_private=True, kind="show", target="interestoflove", now=100)
    await storage.close()
    again = await backend.open()
    assert await again.subscriptions(platform="telegram", chat_id="1") == [("show", "interestoflove")]


async def test_a_chat_is_paused_resumed_and_moved_with_everything_it_has(storage):
    await storage.subscribe(platform="telegram", chat_id="-1", is_private=False, kind="show", target="interestoflove", now=1)
    await storage.set_timezone(platform="telegram", chat_id="-1", is_private=False, zone="Asia/Seoul", now=1)
    await storage.claim(LedgerJob("reminder", "j", 10**10), recipients=[("telegram", "-1")])
    assert await storage.pause_chat(platform="telegram", chat_id="-1", reason="kicked", now=2)
    assert not await storage.pause_chat(platform="telegram", chat_id="-1", reason="kicked again", now=3)
    assert await storage.recipients([("show", "interestoflove")]) == []
    assert await storage.resume_chat(platform="telegram", chat_id="-1") == "kicked"
    assert await storage.resume_chat(platform="telegram", chat_id="-1") is None
    assert await storage.take_news_slots(hour=3600, cap=2, recipients=[("telegram", "-1")]) == {("telegram", "-1")}
    await storage.hold_for_digest(hour=0, feed="soompi", article_id="a1", chats=[("telegram", "-1")])
    await storage.move_chat(platform="telegram", old="-1", new="-1009")
    assert await storage.chat(platform="telegram", chat_id="-1") is None
    assert await storage.digest_chats(0) == [("telegram", "-1009")]  # held articles wait at the new id
    assert await storage.take_news_slots(hour=3600, cap=2, recipients=[("telegram", "-1009")]) == {("telegram", "-1009")}
    assert await storage.take_news_slots(hour=3600, cap=2, recipients=[("telegram", "-1009")]) == set()  # the hour's count came along
    moved = await storage.chat(platform="telegram", chat_id="-1009")
    assert moved is not None and moved.timezone == "Asia/Seoul" and not moved.is_private
    assert await storage.subscriptions(platform="telegram", chat_id="-1009") == [("show", "interestoflove")]
    assert {d.chat_id for d in await storage.delivery_states()} == {"-1009"}


async def test_group_settings_for_mentions_and_events_are_kept_and_move_with_the_chat(storage):
    await storage.set_mention(platform="discord", chat_id="7", is_private=False, mention="720", now=2)
    await storage.set_events(platform="discord", chat_id="7", is_private=False, on=True, now=2)
    await storage.set_events(platform="discord", chat_id="8", is_private=False, on=False, now=2)
    assert await storage.chats_with_events("discord") == ["7"] and await storage.chats_with_events("telegram") == []
    assert await storage.chat_flags([("discord", "7"), ("discord", "404")]) == {ChatKey("discord", "7"): (False, None, "720", None)}
    await storage.set_language(platform="discord", chat_id="7", is_private=False, language="ko", now=2)
    assert (await storage.chat_flags([("discord", "7")]))[ChatKey("discord", "7")].language == "ko"
    await storage.move_chat(platform="discord", old="7", new="9")
    after = await storage.chat(platform="discord", chat_id="9")
    assert after is not None and (after.mention, after.events) == ("720", True)
    await storage.set_mention(platform="discord", chat_id="9", is_private=False, mention=None, now=3)
    assert (await storage.chat(platform="discord", chat_id="9")).mention is None


async def test_subscriptions_are_unique_and_leads_in_use_follow_them(storage):
    assert await storage.subscribe(platform="telegram", chat_id="1", is_private=True, kind="actor", target="moongayoung", now=1)
    assert not await storage.subscribe(platform="telegram", chat_id="1", is_private=True, kind="actor", target="moongayoung", now=2)
    await storage.set_leads(platform="telegram", chat_id="1", is_private=True, minutes=[30, 60], now=3)
    await storage.set_leads(platform="telegram", chat_id="2", is_private=True, minutes=[1440], now=3)  # follows nothing: not in use
    assert await storage.lead_settings_in_use() == {"60,30"}
    assert await storage.followed_targets() == {("actor", "moongayoung")}
    assert await storage.unsubscribe(platform="telegram", chat_id="1", kind="actor", target="moongayoung")
    assert not await storage.unsubscribe(platform="telegram", chat_id="1", kind="actor", target="moongayoung")
    assert await storage.lead_settings_in_use() == set()


async def test_news_recipients_say_which_targets_each_chat_follows(storage):
    await storage.subscribe(platform="telegram", chat_id="1", is_private=True, kind="show", target="a", now=0)
    await storage.subscribe(platform="telegram", chat_id="1", is_private=True, kind="actor", target="x", now=0)
    await storage.subscribe(platform="discord", chat_id="2", is_private=False, kind="actor", target="x", now=0)
    await storage.subscribe(platform="discord", chat_id="3", is_private=False, kind="show", target="b", now=0)
    await storage.pause_chat(platform="discord", chat_id="2", reason="kicked", now=0)
    found = await storage.news_recipients([("show", "a"), ("actor", "x"), ("show", "b"), ("show", "a")])
    assert {chat: sorted(pairs) for chat, (_, pairs) in found.items()} == {
        ("telegram", "1"): [("actor", "x"), ("show", "a")],
        ("discord", "3"): [("show", "b")],
    }
    assert found[ChatKey("discord", "3")][0].is_private is False


async def test_audience_counts_each_unpaused_chat_once_per_platform(storage):
    for platform, chat, kind, target in (("telegram", "1", "show", "love"), ("telegram", "1", "actor", "moon"),
                                         ("telegram", "2", "actor", "moon"), ("discord", "3", "show", "love"),
                                         ("telegram", "4", "show", "love"), ("telegram", "5", "show", "other")):
        await storage.subscribe(platform=platform, chat_id=chat, is_private=True, kind=kind, target=target, now=1)
    await storage.pause_chat(platform="telegram", chat_id="4", reason="blocked", now=2)
    targets = [("show", "love"), ("actor", "moon")]
    assert await storage.audience(targets) == {"telegram": 2, "discord": 1}
    assert await storage.audience(targets) == {
        p: len([r for r in await storage.recipients(targets) if r.platform == p]) for p in ("telegram", "discord")
    }
    assert await storage.audience([]) == {}


async def test_a_chats_language_is_kept_changed_and_moves_with_the_chat(storage):
    assert await storage.chat(platform="telegram", chat_id="5") is None
    await storage.set_language(platform="telegram", chat_id="5", is_private=True, language="ko", now=1)
    assert (await storage.chat(platform="telegram", chat_id="5")).language == "ko"
    await storage.set_timezone(platform="telegram", chat_id="6", is_private=True, zone="Asia/Seoul", now=1)
    assert (await storage.chat(platform="telegram", chat_id="6")).language is None  # not chosen yet
    await storage.move_chat(platform="telegram", old="5", new="-1005")
    assert (await storage.chat(platform="telegram", chat_id="-1005")).language == "ko"
    await storage.set_language(platform="telegram", chat_id="-1005", is_private=True, language="en", now=2)
    assert (await storage.chat(platform="telegram", chat_id="-1005")).language == "en"
