"""A queued message's chat is read again when the message is sent, in one place for reminders,
news, digests, releases and notices: a chat paused meanwhile, or gone from the database, gets
nothing (the reason is what the ledger keeps as its last error)."""

from __future__ import annotations

from bot.delivery import PAUSED_OR_GONE, chat_now
from bot.domain.interfaces import ChatRef
from bot.storage import open_storage


async def test_a_chat_is_read_as_it_is_now_and_a_paused_or_unknown_one_gets_nothing(tmp_path):
    store = await open_storage(tmp_path / "bot.sqlite3")
    try:
        fan = ChatRef("telegram", "42")
        await store.set_timezone(platform="telegram", chat_id="42", is_private=True, zone="Europe/Berlin", now=1)
        settings = await chat_now(store, fan)
        assert not isinstance(settings, str) and settings.timezone == "Europe/Berlin"

        await store.pause_chat(platform="telegram", chat_id="42", reason="the bot was blocked", now=2)
        assert await chat_now(store, fan) == PAUSED_OR_GONE == "the chat is paused or gone"

        await store.resume_chat(platform="telegram", chat_id="42")
        assert not isinstance(await chat_now(store, fan), str)
        assert await chat_now(store, ChatRef("telegram", "never-seen")) == PAUSED_OR_GONE
    finally:
        await store.close()
