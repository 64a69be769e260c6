"""The outbox's pace as the platform sees it: a limit counts what reaches the platform, when it
reaches it, so sends delayed unevenly on their way must not arrive bunched over the limit."""

from __future__ import annotations

import asyncio

from adapters.mock import MockAdapter
from bot.delivery import Item
from bot.domain.interfaces import ChatRef, Limits, Outgoing, Rate, SystemClock

from .test_delivery_order import Article, outbox_for


class SlowToRender(Article):
    """A job whose message takes a while for some chats (a changed chat is read from the database
    again, behind a command's write): picked in even steps, some leave late."""

    async def message_for(self, item: Item) -> Outgoing:
        await asyncio.sleep((6 - int(item.chat.chat[3:]) % 7) * 0.05)  # every seven picked reach it together
        return await super().message_for(item)


async def test_messages_that_took_a_while_to_render_do_not_reach_the_platform_bunched_over_its_limit(tmp_path):
    """Seen: with many commands during a fan-out, sends picked evenly left bunched and the
    platform refused some (429): its limit counts what reaches it, not what was picked."""
    limit = Limits(overall=Rate(20))
    adapter = MockAdapter("telegram", SystemClock().now, limits=Limits(overall=Rate(20), in_flight=8), enforce=limit)
    outbox, ledger, store = await outbox_for(tmp_path, adapter)
    job = SlowToRender("Busy evening")
    fans = [ChatRef("telegram", f"fan{n:02d}") for n in range(60)]
    try:
        outbox.submit(job, [Item(job, fan, True, None, 0) for fan in fans])
        await asyncio.wait_for(outbox.idle(), 20)
    finally:
        await outbox.close(0)
        await ledger.close()
        await store.close()
    assert adapter.refused == 0
    assert sorted(s.chat for s in adapter.outbox) == [fan.chat for fan in fans]



class HeldOnTheWay(MockAdapter):
    """Every 25th send is held 60 ms on its way (a stalled event loop, a slow network), then
    counted by the platform when it arrives and answered 50 ms later, like any other."""

    def __init__(self, rate: Rate):
        super().__init__("telegram", SystemClock().now, limits=Limits(overall=rate, in_flight=8), enforce=Limits(overall=rate))
        self.sends = 0

    async def send(self, chat: ChatRef, message: Outgoing) -> None:
        self.sends += 1
        if self.sends % 25 == 0:
            await asyncio.sleep(0.06)
        self._check_limits(chat)
        self._record(chat, message)
        await asyncio.sleep(0.05)


async def test_a_send_held_on_its_way_does_not_make_the_next_ones_go_over_the_limit(tmp_path):
    """Seen: about one 429 in 3,000 sends at an even 97% of Telegram's rate (up to 31 in one second
    at the fake): a send the event loop held 40 ms met the next 30 in one of the platform's windows."""
    adapter = HeldOnTheWay(Rate(20))
    outbox, ledger, store = await outbox_for(tmp_path, adapter)
    job = Article("Evening news")
    fans = [ChatRef("telegram", f"fan{n:03d}") for n in range(150)]
    try:
        outbox.submit(job, [Item(job, fan, True, None, 0) for fan in fans])
        await asyncio.wait_for(outbox.idle(), 30)
    finally:
        await outbox.close(0)
        await ledger.close()
        await store.close()
    assert adapter.refused == 0
    assert len(adapter.outbox) == 150
