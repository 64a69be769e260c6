"""Stories of several bot processes on one database (issue 17), in one test process: two Cores
on one database (SQLite opened twice without the instance lock, as two processes' connections;
PostgreSQL through two pools), each with its own Telegram adapter. Only the process holding
`send:telegram` sends fan-outs; the other queues its rows in the ledger for it. What fans see:
every chat once, through whichever process sends, also when the role changes hands."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from adapters.mock import MockAdapter
from bot.app.core import Core
from bot.config import parse_config
from bot.delivery import Item
from bot.domain.interfaces import ChatRef, DeliveryError, Limits, Rate, VirtualClock
from bot.domain.jobkeys import ReminderKey
from bot.domain.roles import Lease, Role
from bot.storage import Storage
from bot.storage.postgres import PostgresStorage
from bot.storage.sqlite import SqliteStorage
from bot.storage.values import Delivery
from tests.conftest import bundled_catalog

SEND = Role("send", "telegram")
START = bundled_catalog().airing("interestoflove#1@20221221T1330Z")


@dataclass
class Process:
    """One bot process as the test sees it: its core and the Telegram chats it wrote to."""

    core: Core
    adapter: MockAdapter

    def sent_to(self) -> list[str]:
        return [sent.chat for sent in self.adapter.outbox]

    async def send_under(self, generation: int) -> None:
        await self.core.delivery.start_sending("telegram", Lease(SEND, f"host:{id(self)}:x", generation))


@pytest.fixture(params=["sqlite", "postgresql"])
async def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Callable]:
    """Opens storages on one fresh database: the first like a bot alone, the others as other processes."""
    opened: list[Storage] = []

    async def connect() -> Storage:
        first = not opened
        if request.param == "sqlite":
            store: Storage = await SqliteStorage.open(tmp_path / "bot.sqlite3", exclusive=first)
        else:
            url = request.getfixturevalue("postgres_url")
            store = await PostgresStorage.open(url, exclusive=False)
        opened.append(store)
        return store

    yield connect
    for store in reversed(opened):
        await store.close()


@pytest.fixture
async def processes(open_store) -> AsyncIterator[Callable]:
    """Starts bot processes on the test's database, sharing one virtual clock (a lead time before
    episode 1 of The Interest of Love airs); closes them at the end."""
    clock = VirtualClock(START.start - timedelta(minutes=30))
    made: list[Process] = []

    async def start(*, per_second: float | None = None, latency: float = 0.0) -> Process:
        limits = Limits(overall=Rate(per_second)) if per_second else Limits()
        adapter = MockAdapter("telegram", clock.now, limits=limits, latency=latency)
        config = parse_config({"tvmaze": {"enabled": False}})
        core = Core(store=await open_store(), catalog=bundled_catalog(), config=config, clock=clock,
                    adapters={"telegram": adapter})
        await adapter.connect()
        core.delivery.open(sending=())  # a shared database: nothing sent until a role says so
        made.append(Process(core, adapter))
        return made[-1]

    start.clock = clock  # type: ignore[attr-defined]
    yield start
    for process in made:
        await process.core.delivery.abandon()


async def fans(process: Process, count: int) -> list[str]:
    store = process.core.store
    chats = [str(1000 + n) for n in range(count)]
    for chat in chats:
        await store.subscribe(platform="telegram", chat_id=chat, is_private=True, kind="show", target="interestoflove", now=0)
    return chats


async def until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def states(process: Process) -> Counter:
    return Counter((await process.core.store.delivery_states()).values())


async def test_a_fan_out_from_a_process_that_does_not_send_reaches_every_chat_once_through_the_sender(processes):
    scheduler, sender = await processes(), await processes()
    await sender.send_under(1)
    chats = await fans(scheduler, 200)
    assert await scheduler.core.reminders.fire_reminder(START, 30) == 200
    await until(lambda: len(sender.sent_to()) >= 200)
    await sender.core.delivery.ledger.flush()
    assert sorted(sender.sent_to()) == chats  # each once
    assert scheduler.sent_to() == []  # the process that does not hold send:telegram sent nothing
    assert await states(sender) == {"sent": 200}
    assert "episode 1" in sender.adapter.outbox[0].text


async def test_the_sending_role_handed_over_mid_fan_out_loses_nobody_and_repeats_nothing(processes):
    first, second = await processes(per_second=100), await processes(per_second=100)
    await first.send_under(1)
    chats = await fans(first, 300)
    await second.core.reminders.fire_reminder(START, 30)
    await until(lambda: len(first.sent_to()) >= 80)
    await first.core.delivery.stop_sending("telegram")  # SIGTERM: on_lose, then the lease is released
    handed_at = len(first.sent_to())
    await second.send_under(2)
    await until(lambda: len(first.sent_to()) + len(second.sent_to()) >= 300)
    await asyncio.sleep(0.3)
    await second.core.delivery.ledger.flush()
    assert len(first.sent_to()) == handed_at  # the old sender sent nothing after it stopped
    assert sorted(first.sent_to() + second.sent_to()) == chats  # nobody lost, nobody twice
    assert second.sent_to()  # the rest went from the new sender
    assert await states(second) == {"sent": 300}


async def test_a_sender_that_dies_mid_fan_out_is_replaced_and_repeats_at_most_its_unconfirmed_sends(processes):
    first, second = await processes(per_second=200), await processes(per_second=200)
    await first.send_under(1)
    chats = await fans(first, 400)
    await second.core.reminders.fire_reminder(START, 30)
    await until(lambda: len(first.sent_to()) >= 150)
    await first.core.delivery.abandon()  # SIGKILL: its unwritten confirmations are gone
    died_after = Counter(first.sent_to())
    await second.send_under(2)  # its lease expired; the next holder's generation is higher
    await until(lambda: set(first.sent_to()) | set(second.sent_to()) == set(chats))
    await asyncio.sleep(0.3)
    await second.core.delivery.ledger.flush()
    everyone = Counter(first.sent_to() + second.sent_to())
    assert set(everyone) == set(chats)  # nobody lost
    twice = [chat for chat, n in everyone.items() if n > 1]
    assert all(everyone[chat] == 2 and died_after[chat] == 1 for chat in twice)  # repeats: the dead one's only
    assert len(twice) <= 0.25 * 200 + 10  # its last quarter second of sends (and those in flight)
    assert await states(second) == {"sent": 400}


async def test_a_stale_sender_cannot_confirm_rows_the_new_one_took(processes):
    """The old sender paused (a long GC, a cut-off network) past its lease while its sends hung;
    the new one takes its rows and, while its own sends are under way, the old one's late
    confirmations arrive: they change nothing, so the new one's failure of one chat stands and
    that chat is retried."""
    old, new = await processes(), await processes(latency=0.5)
    await old.send_under(1)
    chats = await fans(old, 20)
    old.adapter.hang.update(chats)  # every send the old sender makes never returns
    await new.core.reminders.fire_reminder(START, 30)
    await until(lambda: old.core.delivery.senders["telegram"].taken == 20)
    new.adapter.failures["1005"] = DeliveryError("502 bad gateway")
    await new.send_under(2)
    await until(lambda: new.core.delivery.senders["telegram"].taken == 20)
    for chat in chats:  # the stale sender's sends come back now, while the new one's are in flight
        old.core.delivery.ledger.sent(await _item_of(old, chat))
    await old.core.delivery.ledger.flush()
    assert Counter((await old.core.store.delivery_states()).values()) == {"claimed": 20}
    await until(lambda: len(new.sent_to()) == 19)
    await asyncio.sleep(0.6)
    await new.core.delivery.ledger.flush()
    rows = await old.core.store.delivery_states()
    assert rows[Delivery("reminder", ReminderKey(START.key, 30).encode(), "telegram", "1005")] == "failed"
    assert Counter(rows.values()) == {"sent": 19, "failed": 1}


async def _item_of(process: Process, chat: str) -> Item:
    """The item the old sender had for `chat` (taken under generation 1)."""
    job = await process.core.reminders.job(ReminderKey(START.key, 30), START.start)
    assert job is not None
    return Item(job, ChatRef("telegram", chat), True, None, -1, sender=1)


async def test_retries_of_a_platform_are_sent_by_its_sender(processes):
    scheduler, sender = await processes(), await processes()
    await sender.send_under(1)
    chats = await fans(scheduler, 10)
    sender.adapter.failures["1003"] = DeliveryError("502 bad gateway")
    await scheduler.core.reminders.fire_reminder(START, 30)
    await until(lambda: len(sender.sent_to()) == 9)
    await sender.core.delivery.ledger.flush()
    assert await states(sender) == {"sent": 9, "failed": 1}
    del sender.adapter.failures["1003"]
    assert await scheduler.core.retries.retry_due() == 0  # the scheduler leaves retries to the sender
    assert await scheduler.core.retries.next_retry_at() is None
    processes.clock.set(processes.clock.now() + timedelta(seconds=31))  # the retry's time comes
    await until(lambda: len(sender.sent_to()) == 10)
    assert sorted(sender.sent_to()) == chats and scheduler.sent_to() == []


async def test_a_fan_out_whose_process_lost_the_role_between_claiming_and_queueing_goes_to_the_next_sender(processes):
    """A process claims rows as the sender, loses send:telegram before it queued them (a news
    fan-out queues after its transaction): it sends none of them; the next sender sends them all."""
    first, second = await processes(), await processes()
    await first.send_under(1)
    chats = await fans(first, 30)
    job = await first.core.reminders.job(ReminderKey(START.key, 30), START.start)
    assert job is not None
    recipients = await first.core.store.recipients([("show", "interestoflove")])
    claimed = await first.core.delivery.claim(job, sorted(recipients), first.core.chats.version)
    await first.core.delivery.stop_sending("telegram")
    await second.send_under(2)
    for platform, items in claimed.items():
        first.core.delivery.queue(job, platform, items)
    await until(lambda: len(second.sent_to()) >= 30)
    await asyncio.sleep(0.3)
    assert first.sent_to() == []  # it no longer paces Telegram: nothing left from it
    assert sorted(second.sent_to()) == chats
