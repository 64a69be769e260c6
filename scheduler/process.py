"""One lifetime of the bot, started and stopped in order.

Start: the store (with its instance lock), the adapters connect, the core (outboxes and ledger
writer), the live catalog (imports and edits from the database, a TVmaze client) and the jobs,
the scheduler (catch-up sends go out only now that adapters can send), feed polling (a job per
feed on that scheduler; `poll_feeds=False` leaves it out) and TVmaze refreshes, and last the
adapters listen. Stop is the reverse: the core stops answering, feed polling starts no poll and
lets those under way finish (bounded), the scheduler fires nothing new, sends in flight finish
(bounded) and are confirmed, the adapters
disconnect, the store closes. A failure at any step of the start closes what was started, in
reverse, and raises `StartupError` with one line naming the step.

`dramabot run` starts one on the real clock with APScheduler; the simulator and the tests
start and stop as many as a story needs on a virtual clock, against the same database file.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from bot.catalog import Catalog
from bot.config import Config
from bot.core import Core
from bot.interfaces import Adapter, Clock, VirtualClock
from bot.live import LiveCatalog
from bot.store import Store, StoreError
from bot.tvmaze import TvmazeClient

from .aps import ApsDriver
from .jobs import Jobs
from .news import NewsPolling
from .tvmaze import Refresher
from .virtual import VirtualDriver

log = logging.getLogger(__name__)

FILE_CHECK_EVERY = 2.0  # seconds between checks that the database path still names the open file


class StartupError(Exception):
    """Start-up failed at one step; what had started was closed again."""


@dataclass
class BotProcess:
    core: Core
    jobs: Jobs
    driver: ApsDriver | VirtualDriver
    live: LiveCatalog
    refresher: Refresher
    news: NewsPolling | None = None
    _closers: list[tuple[str, Callable[[], Awaitable[object]]]] = field(default_factory=list)
    failed: asyncio.Event = field(default_factory=asyncio.Event)  # set when the run cannot go on (`failure` says why)
    failure: str | None = None
    _watch: asyncio.Task | None = None

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
        poll_feeds: bool = True,
    ) -> BotProcess:
        closers: list[tuple[str, Callable[[], Awaitable[object]]]] = []
        step = "opening the database"
        try:
            store = await Store.open(db_path or config.database)
            closers.append(("the database", store.close))
            if start_adapters:
                for platform, adapter in adapters.items():
                    step = f"connecting to {platform}"
                    await adapter.connect()
                    closers.append((platform, adapter.stop))
            step = "starting delivery"
            core = Core(store=store, catalog=catalog, config=config, clock=clock, adapters=adapters)
            core.open_delivery()
            closers.append(("delivery", core.close_delivery))
            step = "loading the catalog"
            client = None
            if config.tvmaze.enabled:
                client = TvmazeClient(config.tvmaze.base_url, max_requests=config.tvmaze.max_requests)
                closers.append(("the TVmaze client", client.close))
            live = LiveCatalog(core, catalog, settings=config.tvmaze, client=client)
            await live.start()
            refresher = Refresher(live)
            step = "planning reminders"
            jobs = Jobs(core)
            await jobs.start()
            await live.announce_pending()  # after the ledger requeued what a stop interrupted
            step = "starting the scheduler"
            driver: ApsDriver | VirtualDriver = VirtualDriver(jobs, clock) if isinstance(clock, VirtualClock) else ApsDriver(jobs)
            await driver.start()
            closers.append(("the scheduler", driver.stop))
            news = None
            if poll_feeds:
                step = "starting feed polling"
                news = NewsPolling.for_core(core, driver.scheduler if isinstance(driver, ApsDriver) else None)
                if isinstance(driver, VirtualDriver):
                    driver.add_source(news)
                closers.append(("feed polling", news.stop))
                await news.start()
            if isinstance(driver, ApsDriver) and client is not None:
                refresher.attach(driver.scheduler)
                closers.append(("refreshing from TVmaze", refresher.stop))
            if start_adapters:
                for platform, adapter in adapters.items():
                    step = f"listening on {platform}"
                    await adapter.listen(core)
            closers.append(("incoming messages", core.stop_listening))
        except BaseException as exc:
            await _close(closers)
            if isinstance(exc, Exception):
                detail = str(exc) if isinstance(exc, StoreError) else f"{step}: {type(exc).__name__}: {exc}"
                raise StartupError(detail) from exc
            raise
        process = cls(core, jobs, driver, live, refresher, news, closers)
        process._watch = asyncio.get_running_loop().create_task(process._watch_database())
        return process

    async def _watch_database(self) -> None:
        """Every FILE_CHECK_EVERY seconds: does the database path still name the file the store
        writes to? A file deleted or replaced under the bot would take every change with it (the
        next start would begin empty), so the bot stops answering at once and fails loudly."""
        store = self.core.store
        while (problem := store.file_problem()) is None:
            await asyncio.sleep(FILE_CHECK_EVERY)
        self.core.listening = False  # no more "Subscribed" that no start will remember
        self.failure = f"{problem}; what the bot writes now would be lost: stopping"
        log.error("%s", self.failure)
        self.failed.set()

    async def stop(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
            self._watch = None
        closers, self._closers = self._closers, []
        await _close(closers)

    async def kill(self) -> None:
        """Die as by SIGKILL, for tests: sends in flight are cut off and nothing buffered is
        written; only what the database already holds survives."""
        self._closers = []
        if self._watch is not None:
            self._watch.cancel()
            self._watch = None
        self.core.listening = False
        if self.news is not None:
            self.news.abort()
        await self.core.abandon_delivery()
        if isinstance(self.driver, ApsDriver) and self.driver.scheduler.running:
            self.driver.scheduler.shutdown(wait=False)
        await self.core.store.close()


async def _close(closers: list[tuple[str, Callable[[], Awaitable[object]]]]) -> None:
    """Close in reverse order; one failing step does not keep the others open."""
    for name, close in reversed(closers):
        try:
            await close()
        except Exception:
            log.exception("closing %s failed", name)
