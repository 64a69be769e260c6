"""One chat's messages leave in the order they were made, also when the chat's own limit
holds some of them back for a while (the outbox parks those and brings them back later)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from adapters.mock import MockAdapter
from bot.delivery import Item, Ledger, Outbox
from bot.domain.interfaces import ChatRef, Limits, Outgoing, Rate, SystemClock
from bot.domain.render import Message
from bot.storage import Storage, open_storage

FAN = ChatRef("telegram", "100")


class Owner:
    clock = SystemClock()

    async def chat_unreachable(self, chat: ChatRef, reason: str) -> None: ...

    async def chat_moved(self, chat: ChatRef, new_chat: ChatRef) -> None: ...


class Article:
    """A news job whose message is its title."""

    kind = "news"

    def __init__(self, title: str):
        self.key = title
        self.title = title
        self.expires = self.retry_until = datetime.now(UTC) + timedelta(hours=1)

    async def message_for(self, item: Item) -> Outgoing:
        return Outgoing("news", Message.of(self.title))


async def outbox_for(tmp_path, adapter: MockAdapter) -> tuple[Outbox, Ledger, Storage]:
    store = await open_storage(str(tmp_path / "bot.sqlite3"))
    ledger = Ledger(store, Owner.clock)
    ledger.start()
    outbox = Outbox(adapter=adapter, ledger=ledger, owner=Owner())  # type: ignore[arg-type]
    outbox.start()
    return outbox, ledger, store


async def test_five_replies_and_five_articles_to_one_chat_arrive_in_the_order_they_were_made(tmp_path):
    # the platform lets one chat receive 20 messages a second: most of these wait their turn
    adapter = MockAdapter("telegram", SystemClock().now, limits=Limits(per_chat=Rate(20), in_flight=4))
    outbox, ledger, store = await outbox_for(tmp_path, adapter)
    cities = ["Seoul", "New York", "London", "Paris", "Tokyo"]
    try:
        replies = [
            asyncio.ensure_future(outbox.send_reply(FAN, lambda city=city: adapter._reply_now(FAN, Outgoing("reply", Message.of(city)))))
            for city in cities
        ]
        for n in range(1, 6):
            article = Article(f"Article {n}")
            outbox.submit(article, [Item(article, FAN, True, None, 0)])
        await asyncio.wait_for(asyncio.gather(*replies), 10)
        await asyncio.wait_for(outbox.idle(), 10)
    finally:
        await outbox.close(0)
        await ledger.close()
        await store.close()
    assert [s.text for s in adapter.outbox if s.kind == "reply"] == cities
    assert [s.text for s in adapter.outbox if s.kind == "news"] == [f"Article {n}" for n in range(1, 6)]


async def test_every_message_dropped_as_too_late_is_counted_in_a_warning(tmp_path, caplog):
    """Seen: a slow platform dropped 461 of 1,000 reminders as too late with no WARNING at all."""
    adapter = MockAdapter("telegram", SystemClock().now, latency=0.2, limits=Limits(in_flight=1))
    outbox, ledger, store = await outbox_for(tmp_path, adapter)
    article = Article("Breaking news")
    article.expires = datetime.now(UTC) + timedelta(seconds=0.5)
    fans = [ChatRef("telegram", f"fan{n:02d}") for n in range(20)]
    try:
        outbox.submit(article, [Item(article, fan, True, None, 0) for fan in fans])
        await asyncio.wait_for(outbox.idle(), 10)
    finally:
        await outbox.close(0)
        await ledger.close()
        await store.close()
    sent = len(adapter.outbox)
    assert 1 <= sent <= 5
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert f"{20 - sent} telegram news messages of Breaking news were dropped: too late" in " ".join(warnings)



async def test_articles_to_one_chat_keep_their_order_when_a_later_one_also_goes_to_many_other_chats(tmp_path):
    # the third article's other chats take a while (a send lasts 5 ms): the fan's next turn comes meanwhile
    adapter = MockAdapter("telegram", SystemClock().now, latency=0.005, limits=Limits(per_chat=Rate(20), in_flight=2))
    outbox, ledger, store = await outbox_for(tmp_path, adapter)
    others = [ChatRef("telegram", f"other{n:03d}") for n in range(100)]
    try:
        for n, chats in ((1, [FAN]), (2, [FAN]), (3, [FAN, *others])):
            article = Article(f"Article {n}")
            outbox.submit(article, [Item(article, chat, True, None, 0) for chat in chats])
        await asyncio.wait_for(outbox.idle(), 10)
    finally:
        await outbox.close(0)
        await ledger.close()
        await store.close()
    assert [s.text for s in adapter.outbox if s.chat == FAN.key] == ["Article 1", "Article 2", "Article 3"]
