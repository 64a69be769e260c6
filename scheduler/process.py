"""One lifetime of the bot, started and stopped in order.

Start enters the steps of `scheduler/startup.py` in order on one `AsyncExitStack`: the store
(with its instance lock), the adapters connect, the core (outboxes and ledger writer), the live
catalog (imports and edits from the database, a TVmaze client) and the jobs, the scheduler
(catch-up sends go out only now that adapters can send), feed polling (a job per feed on that
scheduler; `poll_feeds=False` leaves it out) and TVmaze refreshes, the adapters listen, the
database file is watched. Stop leaves the stack, so everything stops in reverse: SIGHUP reloads
under way finish (bounded), the core stops answering, feed polling starts no poll and lets those
under way finish (bounded), the scheduler fires nothing new, sends in flight finish (bounded) and
are confirmed, the adapters disconnect, the store closes. A failure at any step of the start
leaves the stack too, closing what had started, in reverse, and raises `StartupError` with one
line naming the step. While it runs, the objects start-up built are frozen out of the garbage
collector's full scans (`gc.freeze`) and young objects are collected less often; stop gives
both back.

`dramabot run` starts one on the real clock with APScheduler; the simulator and the tests
start and stop as many as a story needs on a virtual clock, against the same database file.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Mapping
from contextlib import AsyncExitStack

from bot.config import Config, ConfigError
from bot.domain.catalog import Catalog
from bot.domain.interfaces import Adapter, Clock
from bot.storage import StorageError

from .aps import ApsDriver
from .startup import Parts, Startup, Step, steps

YOUNG_COLLECTION = 10_000  # allocations between two collections of the young generation while the bot runs


class StartupError(Exception):
    """Start-up failed at one step; what had started was closed again."""


class BotProcess(Parts):
    """A running bot: its parts (`core`, `jobs`, `driver`, `live`, `refresher`, `news`) and the
    stack of the steps that started them."""

    def __init__(self) -> None:
        super().__init__()
        self._stack = AsyncExitStack()
        self._frozen = False
        self._thresholds: tuple[int, ...] | None = None  # the collector's, before start raised them

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
        plan: Callable[[Startup], list[Step]] = steps,
    ) -> BotProcess:
        """Enter every step of `plan` in order (the default: `scheduler.startup.steps`)."""
        startup = Startup(config=config, catalog=catalog, clock=clock, adapters=adapters, db_path=db_path,
                          start_adapters=start_adapters, poll_feeds=poll_feeds)
        process = cls()
        step = None
        try:
            for step in plan(startup):
                await process._stack.enter_async_context(step.enter(process, startup))
        except BaseException as exc:
            await process.stop()
            if isinstance(exc, Exception):
                name = step.name if step is not None else "starting"
                plain = isinstance(exc, StorageError | ConfigError)  # their message is the line to show
                detail = str(exc) if plain else f"{name}: {type(exc).__name__}: {exc}"
                raise StartupError(detail) from exc
            raise
        process._tune_collector()
        return process

    def _tune_collector(self) -> None:
        """What start-up built (catalog, word lists, modules) lives as long as the process: out of
        the garbage collector's full scans, which a big fan-out triggers several times over. And
        young objects are collected every YOUNG_COLLECTION allocations, not 700: a fan-out makes a
        few per chat. Thresholds are put back at stop by the process that raised them."""
        gc.freeze()
        self._frozen = True
        young, *older = gc.get_threshold()
        if young < YOUNG_COLLECTION:
            self._thresholds = (young, *older)
            gc.set_threshold(YOUNG_COLLECTION, *older)

    async def stop(self) -> None:
        """Stop every step in reverse; a second call does nothing."""
        stack, self._stack = self._stack, AsyncExitStack()
        if self._frozen:  # what start-up built is the collector's again (garbage among it too)
            self._frozen = False
            gc.unfreeze()
        if self._thresholds is not None:
            if gc.get_threshold()[0] == YOUNG_COLLECTION:
                gc.set_threshold(*self._thresholds)
            self._thresholds = None
        await stack.aclose()

    async def kill(self) -> None:
        """Die as by SIGKILL, for tests: sends in flight are cut off and nothing buffered is
        written; only what the database already holds survives."""
        self.killed = True  # the steps are left without closing what they started...
        if self.keeper is not None:
            self.keeper.abandon()  # its leases expire by themselves
        if self.beacon is not None:
            await self.beacon.stop()
        await self.stop()  # ...but the database file watch is cancelled
        self.core.listening = False
        if self.news is not None:
            self.news.abort()
        await self.core.delivery.abandon()
        if isinstance(self.driver, ApsDriver) and self.driver.scheduler.running:
            self.driver.scheduler.shutdown(wait=False)
        await self.core.store.close()
