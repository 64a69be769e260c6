"""One lifetime of the bot: open the database, build the core, plan the jobs; stop closes it all.

`dramabot run` starts one on the real clock with APScheduler; the simulator and the tests
start and stop as many as a story needs on a virtual clock, against the same database file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from bot.catalog import Catalog
from bot.config import Config
from bot.core import Core
from bot.interfaces import Adapter, Clock, VirtualClock
from bot.store import Store

from .aps import ApsDriver
from .jobs import Jobs
from .virtual import VirtualDriver


@dataclass
class BotProcess:
    core: Core
    jobs: Jobs
    driver: ApsDriver | VirtualDriver

    @classmethod
    async def start(
        cls,
        *,
        config: Config,
        catalog: Catalog,
        clock: Clock,
        adapters: Mapping[str, Adapter],
        db_path: str | None = None,
        start_adapters: bool = True,
    ) -> "BotProcess":
        store = await Store.open(db_path or config.database)
        try:
            core = Core(store=store, catalog=catalog, config=config, clock=clock, adapters=adapters)
            jobs = Jobs(core)
            await jobs.start()
            driver = VirtualDriver(jobs, clock) if isinstance(clock, VirtualClock) else ApsDriver(jobs)
            await driver.start()
            if start_adapters:
                for adapter in adapters.values():
                    await adapter.start(core.handle)
        except BaseException:
            await store.close()
            raise
        return cls(core, jobs, driver)

    async def stop(self) -> None:
        await self.driver.stop()
        for adapter in self.core.adapters.values():
            await adapter.stop()
        await self.core.store.close()
