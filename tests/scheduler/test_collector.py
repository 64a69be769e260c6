"""What start-up builds (the catalog, the word lists, every module) lives as long as the bot, so
it is kept out of the garbage collector's full scans while the bot runs: a big fan-out makes
the collector run its full scan several times, and each scan over everything start-up made cost
a quarter of the fan-out's time. The young generation is collected after 10,000 allocations
rather than 700 (a fan-out allocates a few objects per chat; every 700 of them started a
collection, and every tenth of those a scan of what survived). Stopping hands those objects
back to the collector, and its thresholds back as they were."""

from __future__ import annotations

import gc
from datetime import datetime

from adapters.mock import MockAdapter
from bot.config import parse_config
from bot.domain.interfaces import VirtualClock
from bot.domain.zones import UTC
from scheduler.process import BotProcess
from tests.conftest import bundled_catalog


def scanned(obj: object) -> bool:
    """Whether the collector's scans still visit `obj` (frozen objects are in no generation)."""
    return any(o is obj for generation in range(3) for o in gc.get_objects(generation))


async def test_what_start_up_built_is_left_out_of_the_collectors_scans_until_the_bot_stops(tmp_path):
    clock = VirtualClock(datetime(2022, 12, 20, tzinfo=UTC))
    catalog = bundled_catalog()
    assert scanned(catalog)
    thresholds = gc.get_threshold()
    process = await BotProcess.start(config=parse_config({"tvmaze": {"enabled": False}}), catalog=catalog, clock=clock,
                                     adapters={"telegram": MockAdapter("telegram", clock.now)},
                                     db_path=str(tmp_path / "bot.sqlite3"))
    try:
        assert not scanned(catalog) and not scanned(process.core)
        assert gc.get_threshold() == (10_000, *thresholds[1:])
    finally:
        await process.stop()
    assert scanned(catalog) and scanned(process.core)
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == thresholds


async def test_two_bots_in_one_interpreter_leave_the_collector_as_they_found_it(tmp_path):
    clock = VirtualClock(datetime(2022, 12, 20, tzinfo=UTC))
    thresholds = gc.get_threshold()

    async def start(name: str) -> BotProcess:
        return await BotProcess.start(config=parse_config({"tvmaze": {"enabled": False}}), catalog=bundled_catalog(),
                                      clock=clock, adapters={"telegram": MockAdapter("telegram", clock.now)},
                                      db_path=str(tmp_path / f"{name}.sqlite3"))

    first = await start("first")
    second = await start("second")
    await first.stop()
    await second.stop()
    assert gc.get_threshold() == thresholds and gc.get_freeze_count() == 0
