"""A reminder job whose audience cannot be served between its due instant and air at the
platform's pace starts early, and each message counts down from when it is sent."""

import asyncio
import logging
from datetime import datetime, timedelta, timezone

from adapters.mock import MockAdapter
from bot.config import parse_config
from bot.domain.catalog import parse_catalog
from bot.domain.interfaces import Limits, Rate, VirtualClock
from bot.domain.pacing import DEADLINE_MARGIN
from scheduler.process import BotProcess

from .realclock import seed, soon_catalog

AIR = datetime(2030, 3, 6, 13, 30, tzinfo=timezone.utc)


async def test_a_fan_out_too_big_for_the_time_left_starts_early(tmp_path, caplog):
    db = str(tmp_path / "bot.sqlite3")
    await seed(db, "showa", (f"fan{n:05d}" for n in range(2000)))
    clock = VirtualClock(AIR - timedelta(hours=2))
    adapter = MockAdapter("telegram", clock.now, limits=Limits(overall=Rate(1)))  # one a second: 2,000 s for all
    process = await BotProcess.start(
        config=parse_config({"leads": ["30m"]}), catalog=parse_catalog(soon_catalog(a=AIR)), clock=clock,
        adapters={"telegram": adapter}, db_path=db,
    )
    try:
        start = await process.jobs.next_due()
        assert start == AIR - DEADLINE_MARGIN - timedelta(seconds=2000)  # not AIR - 30 min
        clock.set(start)
        with caplog.at_level(logging.INFO, logger="scheduler.jobs"):
            assert await process.jobs.run_due() == 2000
        assert "starting showa#1@20300306T1330Z lead 30m 0:04:20 early" in caplog.text
        while not adapter.outbox:
            await asyncio.sleep(0.01)
        assert "starts in 34 minutes: " in adapter.outbox[0].text  # counting down from when it left
        # the nominal due instant comes: nothing is fired twice
        clock.set(AIR - timedelta(minutes=30))
        assert await process.jobs.run_due() == 0
    finally:
        await process.kill()


async def test_a_subscribe_recounts_only_the_audience_of_the_show_it_reaches(tmp_path):
    """Deadline plans need each due job's audience. A fan subscribing to Show A must not make the
    bot count again the followers of every other show due in the next hours."""
    from bot.domain.interfaces import ChatRef
    from bot.domain.names import Target

    db = str(tmp_path / "bot.sqlite3")
    names = "abcdef"
    airs = {n: AIR + timedelta(minutes=10 * i) for i, n in enumerate(names)}
    catalog = parse_catalog(soon_catalog(**airs))
    keys = {n: next(k for k, s in catalog.shows.items() if s.title == f"Show {n.upper()}") for n in names}
    for n in names:
        await seed(db, keys[n], (f"{n}{i:04d}" for i in range(2000 if n == "a" else 300)))
    clock = VirtualClock(AIR - timedelta(hours=2))
    adapter = MockAdapter("telegram", clock.now, limits=Limits(overall=Rate(1)))
    process = await BotProcess.start(config=parse_config({"leads": ["30m"]}), catalog=catalog, clock=clock,
                                     adapters={"telegram": adapter}, db_path=db)
    counted: list[list[tuple[str, str]]] = []
    store = process.core.store
    count = store.audience

    async def counting(targets):
        counted.append(sorted(targets))
        return await count(targets)

    store.audience = counting  # type: ignore[method-assign]
    scans: list[str] = []

    def scanning(name: str):
        read = getattr(store, name)

        async def scan():
            scans.append(name)
            return await read()
        return scan

    for name in ("lead_settings_in_use", "zones_in_use"):
        setattr(store, name, scanning(name))
    try:
        before = await process.jobs.next_due()
        assert before == AIR - DEADLINE_MARGIN - timedelta(seconds=2000)  # Show A: 2,000 chats at one a second
        counted.clear()
        show_a = catalog.shows[keys["a"]]
        for n in range(5):
            await process.core.chats.subscribe(ChatRef("telegram", f"new{n}"), private=True,
                                         target=Target("show", show_a.key, show_a.title))
            assert await process.jobs.next_due() == AIR - DEADLINE_MARGIN - timedelta(seconds=2001 + n)
        assert counted == [[("show", show_a.key)]] * 5  # Show A only, once per subscribe
        assert scans == []  # nor every chat's leads and zone: a new subscription adds its own
        counted.clear()
        await process.core.chats.set_timezone(ChatRef("telegram", "new0"), private=True, zone=process.core.zone_of("Asia/Seoul"))
        await process.jobs.next_due()
        assert counted == []  # a zone does not change who is reached
        assert scans == ["zones_in_use"]  # only the zones in use are read again
        assert "Asia/Seoul" in await process.core.chats.zones_in_use()
        await process.core.chats.chat_unreachable(ChatRef("telegram", "a0000"), "blocked")
        assert await process.jobs.next_due() == AIR - DEADLINE_MARGIN - timedelta(seconds=2004)
        assert counted == [[("show", show_a.key)]]
    finally:
        await process.kill()
