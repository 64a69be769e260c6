"""The contract: calendar links found by their token's hash, and each broadcast's revision."""

from bot.storage.values import ChatKey


async def test_a_link_is_found_by_its_hash_replaced_at_once_and_kept_across_a_restart(backend):
    storage = await backend.open()
    assert await storage.calendar_nonce(platform="telegram", chat_id="42") is None
    await storage.set_calendar_link(platform="telegram", chat_id="42", nonce="n1", token_hash="h1", now=1)
    assert await storage.calendar_chat("h1") == ChatKey("telegram", "42")
    await storage.set_calendar_link(platform="telegram", chat_id="42", nonce="n2", token_hash="h2", now=2)
    assert await storage.calendar_chat("h1") is None  # the old link names no one any more
    await storage.close()
    again = await backend.open()
    assert await again.calendar_chat("h2") == ChatKey("telegram", "42")
    assert await again.calendar_nonce(platform="telegram", chat_id="42") == "n2"
    assert await again.calendar_chat("unknown") is None
    await again.set_timezone(platform="telegram", chat_id="-1", is_private=False, zone="Asia/Seoul", now=3)
    await again.set_calendar_link(platform="telegram", chat_id="-1", nonce="g", token_hash="hg", now=3)
    await again.move_chat(platform="telegram", old="-1", new="-1009")  # a group became a supergroup
    assert await again.calendar_chat("hg") == ChatKey("telegram", "-1009")
    assert await again.calendar_nonce(platform="telegram", chat_id="-1009") == "g"


async def test_a_broadcast_keeps_its_revision_until_its_time_moves(storage):
    assert await storage.calendar_revisions({}) == {}
    assert await storage.calendar_revisions({"a#1": 1000, "a#2": 2000}) == {"a#1": 0, "a#2": 0}
    assert await storage.calendar_revisions({"a#1": 1000}) == {"a#1": 0}
    assert await storage.calendar_revisions({"a#1": 1600, "a#2": 2000}) == {"a#1": 1, "a#2": 0}
    assert await storage.calendar_revisions({"a#1": 1600}) == {"a#1": 1}
    assert await storage.calendar_revisions({"a#1": 1000}) == {"a#1": 2}  # moved back is a move too
