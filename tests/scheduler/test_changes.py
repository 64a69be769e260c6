"""Changes one process makes reach another's plan and catalog (ChangeBeacon), without echo:
two processes' beacons over one SQLite file, their cores reduced to what the beacon touches."""

from __future__ import annotations

import asyncio

from bot.storage.sqlite import SqliteStorage
from scheduler.changes import ChangeBeacon


class Cache:
    def __init__(self) -> None:
        self.forgotten = 0

    def forget(self) -> None:
        self.forgotten += 1

    forget_all = forget


class Chats:
    def __init__(self) -> None:
        self.in_use, self.audiences = Cache(), Cache()


class Core:
    """What the beacon reads of a core: the store, change listeners, the chats' caches."""

    def __init__(self, store) -> None:
        self.store, self.chats, self.listeners, self.replans = store, Chats(), [], 0
        self.on_change(self.replan)

    def on_change(self, listener) -> None:
        self.listeners.append(listener)

    def changed(self) -> None:
        for listener in self.listeners:
            listener()

    def replan(self) -> None:
        self.replans += 1


class Live:
    def __init__(self, core: Core) -> None:
        self.core, self.version, self.reloads = core, 0, 0

    async def start(self) -> None:  # reload imports and edits: a new catalog, which the core is told of
        self.reloads += 1
        self.version += 1
        self.core.changed()


async def process(tmp_path):
    store = await SqliteStorage.open(tmp_path / "bot.sqlite3", exclusive=False)
    core = Core(store)
    live = Live(core)
    beacon = ChangeBeacon(core, live, every=3600)  # rounds run by hand
    await beacon.start()
    return store, core, live, beacon


async def settle(beacon: ChangeBeacon) -> None:
    await asyncio.gather(*beacon._tasks)


async def test_a_subscription_in_one_process_replans_the_other_and_nothing_echoes_back(tmp_path):
    store_a, core_a, live_a, a = await process(tmp_path)
    store_b, core_b, live_b, b = await process(tmp_path)
    try:
        core_a.changed()  # a fan subscribed through process a
        await settle(a)
        await b.apply()
        assert core_b.replans == 1 and core_b.chats.in_use.forgotten == 1 and core_b.chats.audiences.forgotten == 1
        assert live_b.reloads == 0  # the catalog did not change
        await settle(b)
        await a.apply()
        assert core_a.replans == 1  # b applied it without announcing it again
        await b.apply()
        assert core_b.replans == 1  # seen once

        live_a.version += 1  # a show imported through process a
        core_a.changed()
        await settle(a)
        await b.apply()
        assert live_b.reloads == 1 and core_b.replans == 3  # the reload's own change, then the plan's
        await settle(b)
        await a.apply()
        assert live_a.reloads == 0 and core_a.replans == 2  # nothing came back
    finally:
        for beacon in (a, b):
            await beacon.stop()
        await store_a.close()
        await store_b.close()
