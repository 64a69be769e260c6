"""The start-up steps of one bot process, each an async context manager.

`BotProcess.start` (scheduler/process.py) enters them in order on one `AsyncExitStack`; leaving
the stack stops them in reverse, whether the process stops or a step failed part-way (then only
what had started is closed). Each step says what it starts in `name` (the one-line start-up error
names it) and closes what it started when left; a close that fails is logged and the others
still run.

In order: the database (with its instance lock), each adapter connects, delivery (the core's
outboxes and ledger writer), the catalog (imports and edits from the database, a TVmaze client),
the reminder plan (interrupted sends requeued, pending notices announced), the scheduler
(catch-up sends go out only now that adapters can send), feed polling, TVmaze refreshes, the web
server (`[web] listen`: calendar feeds, health, metrics, status; its calendar key named first), each
adapter listens, incoming messages are answered, roles are taken, the database file is watched,
and SIGHUP reloads under way are waited for (bounded by `[delivery] stop_grace`) before anything
closes.

On a shared database (PostgreSQL, several processes; `Storage.shared`) the work is split into
roles a `RoleKeeper` takes (scheduler/roles.py): the scheduler, feed polling and TVmaze refreshes
start only while the process holds `scheduler` (and stop when it goes); each platform's sending
follows `send:<platform>`; Telegram's polling follows `receive:telegram`, held only with
`send:telegram`; Discord's shards follow `shard:discord:<n>`. On stop, roles are handed over
first (released at once), before the rest closes. A virtual clock keeps the one-process way.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field

from bot.app.calendar_prep import FeedPreparer
from bot.app.core import Core
from bot.app.live import LiveCatalog
from bot.commands.inbox import Inbox
from bot.config import Config, ConfigError
from bot.domain.catalog import Catalog
from bot.domain.dbfile import is_postgres, sqlite_path
from bot.domain.interfaces import Adapter, Clock, SoleReceiver, VirtualClock
from bot.domain.roles import SCHEDULER
from bot.integrations.tvmaze import TvmazeClient
from bot.storage import Storage, open_storage
from bot.storage.contract import UsesMeta

from .aps import ApsDriver
from .changes import ChangeBeacon
from .jobs import Jobs
from .news import NewsPolling
from .role_wiring import want_roles
from .roles import RoleKeeper, ShardHolder
from .tvmaze import Refresher
from .virtual import VirtualDriver
from .web import Sources, WebServer

log = logging.getLogger(__name__)

FILE_CHECK_EVERY = 2.0  # seconds between checks that the database path still names the open file


@dataclass(frozen=True)
class Startup:
    """What a process is started with."""

    config: Config
    catalog: Catalog
    clock: Clock
    adapters: Mapping[str, Adapter]
    db_path: str | None = None
    start_adapters: bool = True  # False: the adapters neither connect nor listen
    poll_feeds: bool = True  # False: no feed polling


class Parts:
    """What the steps have started so far (a step sets its parts; later steps read them)."""

    store: Storage
    core: Core
    inbox: Inbox
    client: TvmazeClient | None = None
    live: LiveCatalog
    refresher: Refresher
    jobs: Jobs
    driver: ApsDriver | VirtualDriver
    news: NewsPolling | None = None
    web: WebServer | None = None
    feeds_ahead: FeedPreparer | None = None  # calendar feeds rendered when the catalog changes (with the web server)
    failure: str | None = None  # why the run cannot go on (the database file watch)
    killed = False  # True: the steps are left without closing anything (`BotProcess.kill`)
    shared = False  # True: several processes share the database; the work follows roles (`keeper`)
    keeper: RoleKeeper | None = None

    def __init__(self) -> None:
        self.failed = asyncio.Event()  # set when the run cannot go on (`failure` says why)
        self.reloads: set[asyncio.Task] = set()  # SIGHUP reloads under way (bot.cli)


StepContext = Callable[[Parts, Startup], AbstractAsyncContextManager[object]]


@dataclass(frozen=True)
class Step:
    name: str  # what it does, as the start-up error says ("connecting to telegram")
    enter: StepContext = field(repr=False)


@asynccontextmanager
async def closing(parts: Parts, name: str, close: Callable[[], Awaitable[object]]) -> AsyncIterator[None]:
    """Run `close` when left (unless the process was killed); a failure to close is logged, not
    raised (the rest still close)."""
    try:
        yield
    finally:
        if not parts.killed:
            try:
                await close()
            except Exception:
                log.exception("closing %s failed", name)


@asynccontextmanager
async def database(parts: Parts, startup: Startup) -> AsyncIterator[None]:
    parts.store = await open_storage(startup.db_path or startup.config.database)
    parts.shared = parts.store.shared and not isinstance(startup.clock, VirtualClock)
    async with closing(parts, "the database", parts.store.close):
        yield


def connect(platform: str) -> StepContext:
    @asynccontextmanager
    async def step(parts: Parts, startup: Startup) -> AsyncIterator[None]:
        adapter = startup.adapters[platform]
        if isinstance(adapter, UsesMeta):
            adapter.use_meta(parts.store)  # the Discord shard count "auto" settles once per database
        if parts.shared and isinstance(adapter, ShardHolder):
            adapter.defer_shards()  # the holders of shard:<platform>:<n> connect them (taking_roles)
        await adapter.connect()
        async with closing(parts, platform, adapter.stop):
            yield

    return step


@asynccontextmanager
async def delivery(parts: Parts, startup: Startup) -> AsyncIterator[None]:
    parts.core = Core(store=parts.store, catalog=startup.catalog, config=startup.config, clock=startup.clock,
                      adapters=startup.adapters)
    parts.inbox = Inbox(parts.core)  # what the adapters report to, once they listen
    parts.core.delivery.open(sending=() if parts.shared else None)  # shared: each platform sends under its role
    async with closing(parts, "delivery", parts.core.delivery.close):
        yield


@asynccontextmanager
async def live_catalog(parts: Parts, startup: Startup) -> AsyncIterator[None]:
    settings = startup.config.tvmaze
    if not settings.enabled:
        parts.live = LiveCatalog(parts.core, startup.catalog, settings=settings)
        await parts.live.start()
        parts.refresher = Refresher(parts.live)
        yield
        return
    client = parts.client = TvmazeClient(settings.base_url, max_requests=settings.max_requests)
    async with closing(parts, "the TVmaze client", client.close):
        parts.live = LiveCatalog(parts.core, startup.catalog, settings=settings, client=client)
        await parts.live.start()
        parts.refresher = Refresher(parts.live)
        yield


@asynccontextmanager
async def reminder_plan(parts: Parts, startup: Startup) -> AsyncIterator[None]:
    parts.jobs = Jobs(parts.core)
    if not parts.shared:  # shared: when the scheduler role is gained
        await parts.jobs.start()
        await parts.live.announce_pending()  # after the ledger requeued what a stop interrupted
    yield


@asynccontextmanager
async def scheduler(parts: Parts, startup: Startup) -> AsyncIterator[None]:
    clock = startup.clock
    parts.driver = (VirtualDriver(parts.jobs, clock) if isinstance(clock, VirtualClock)
                    else ApsDriver(parts.jobs, may_run=lambda: holds_scheduler(parts)))
    await parts.driver.start()
    async with closing(parts, "the scheduler", parts.driver.stop):
        yield


@asynccontextmanager
async def feed_polling(parts: Parts, startup: Startup) -> AsyncIterator[None]:
    driver = parts.driver
    news = parts.news = NewsPolling.for_core(parts.core, driver.scheduler if isinstance(driver, ApsDriver) else None)
    if isinstance(driver, VirtualDriver):
        driver.add_source(news)
    async with closing(parts, "feed polling", news.stop):  # a start that fails part-way stops what it began
        await news.start()
        yield


@asynccontextmanager
async def tvmaze_refreshes(parts: Parts, startup: Startup) -> AsyncIterator[None]:
    if not isinstance(parts.driver, ApsDriver) or parts.client is None:
        yield  # on the virtual clock a story runs refreshes itself
        return
    parts.refresher.attach(parts.driver.scheduler)
    async with closing(parts, "refreshing from TVmaze", parts.refresher.stop):
        yield


def unless_shared(enter: StepContext) -> StepContext:
    """A step the `scheduler` role starts instead, when the database is shared."""
    @asynccontextmanager
    async def step(parts: Parts, startup: Startup) -> AsyncIterator[None]:
        if parts.shared:
            yield
            return
        async with enter(parts, startup):
            yield

    return step


def holds_scheduler(parts: Parts) -> bool:
    """Whether this process may fire scheduled jobs: always, unless roles say otherwise."""
    return parts.keeper is None or parts.keeper.holds(SCHEDULER) is not None


def scheduler_running(parts: Parts) -> bool:
    """For /health: the scheduler runs, or another process holds the role."""
    if parts.shared and not holds_scheduler(parts):
        return True
    driver = getattr(parts, "driver", None)
    return driver.scheduler.running if isinstance(driver, ApsDriver) else True


def calendar_key_path(database: str, *, configured: str = "") -> str | None:
    """The calendar links' key file: `[web] calendar_key_file`, else beside the SQLite database
    file (None for an in-memory database, or a PostgreSQL one: no file to be beside)."""
    if configured:
        return configured
    if is_postgres(database):
        return None
    path = sqlite_path(database)
    return None if path == ":memory:" else f"{path}.calendar-key"


@asynccontextmanager
async def web_server(parts: Parts, startup: Startup) -> AsyncIterator[None]:
    database, web = startup.db_path or startup.config.database, startup.config.web
    parts.core.calendars.key_path = calendar_key_path(database, configured=web.calendar_key_file)
    listen = web.listen
    if listen and is_postgres(database) and not web.calendar_key_file:
        raise ConfigError(
            "[web] calendar_key_file must name the calendar links' key file when the database is PostgreSQL "
            "(every process of the bot reads the same key; it is made there when missing)"
        )
    if not listen:
        yield  # off: /calendar says the operator has not turned calendars on
        return
    sources = Sources(
        core=parts.core,
        adapters=startup.adapters if startup.start_adapters else {},
        scheduler_running=lambda: scheduler_running(parts),
        reminders_due=lambda after, until: parts.jobs.plan.due_between(after, until),
        feed_polls=lambda: dict(parts.news.poller.results) if parts.news is not None else {},
        fanout_lag=lambda: parts.jobs.fanout_lag,
    )
    ahead = parts.feeds_ahead = FeedPreparer(parts.core.calendars, parts.core.chats)
    async with closing(parts, "rendering calendar feeds ahead", ahead.stop):
        await ahead.start()  # before the first request: no fan's feed waits for rendering
        server = parts.web = WebServer(sources, listen=listen)
        await server.start()
        async with closing(parts, "the web server", server.stop):
            yield


def listen(platform: str) -> StepContext:
    @asynccontextmanager
    async def step(parts: Parts, startup: Startup) -> AsyncIterator[None]:
        adapter = startup.adapters[platform]
        if parts.shared and isinstance(adapter, SoleReceiver) and adapter.receives_alone():
            adapter.defer_receiving()  # the holder of receive:<platform> receives
        await adapter.listen(parts.inbox)
        yield  # the adapter stops listening when it stops (see `connect`)

    return step


@asynccontextmanager
async def answering(parts: Parts, startup: Startup) -> AsyncIterator[None]:
    async with closing(parts, "incoming messages", parts.core.stop_listening):
        yield


def taking_roles(scheduled: list[Step]) -> StepContext:
    """On a shared database: want the roles and start what each gates (`scheduled`: the steps the
    scheduler role starts); left, every role is handed over at once."""
    @asynccontextmanager
    async def step(parts: Parts, startup: Startup) -> AsyncIterator[None]:
        if not parts.shared:
            yield
            return
        beacon = ChangeBeacon(parts.core, parts.live)  # what the others change, this one plans for
        await beacon.start()
        keeper = parts.keeper = RoleKeeper(parts.store)
        adapters = startup.adapters if startup.start_adapters else {}
        want_roles(keeper, scheduling=lambda: scheduling(parts, startup, scheduled), delivery=parts.core.delivery,
                   adapters=adapters)
        async with closing(parts, "reading the others' changes", beacon.stop), \
                closing(parts, "handing roles over", keeper.stop):
            await keeper.start()
            yield

    return step


@asynccontextmanager
async def scheduling(parts: Parts, startup: Startup, scheduled: list[Step]) -> AsyncIterator[None]:
    """What the scheduler role starts: the plan from the watermark its last holder left, pending
    notices, then the `scheduled` steps (closed in reverse when the role goes)."""
    await parts.jobs.start()
    await parts.live.announce_pending()
    async with AsyncExitStack() as stack:
        for part in scheduled:
            await stack.enter_async_context(part.enter(parts, startup))
        yield


@asynccontextmanager
async def database_watch(parts: Parts, startup: Startup) -> AsyncIterator[None]:
    task = asyncio.get_running_loop().create_task(watch_database(parts))
    try:
        yield
    finally:
        task.cancel()


async def watch_database(parts: Parts) -> None:
    """Every FILE_CHECK_EVERY seconds: does the database path still name the file the store
    writes to? A file deleted or replaced under the bot would take every change with it (the
    next start would begin empty), so the bot stops answering at once and fails loudly."""
    while (problem := parts.store.file_problem()) is None:
        await asyncio.sleep(FILE_CHECK_EVERY)
    parts.core.listening = False  # no more "Subscribed" that no start will remember
    parts.failure = f"{problem}; what the bot writes now would be lost: stopping"
    log.error("%s", parts.failure)
    parts.failed.set()


@asynccontextmanager
async def reloads_finish(parts: Parts, startup: Startup) -> AsyncIterator[None]:
    try:
        yield
    finally:
        if parts.reloads and not parts.killed:  # a reload under way finishes (bounded) before the store it writes to closes
            await asyncio.wait(set(parts.reloads), timeout=startup.config.delivery.stop_grace)


def steps(startup: Startup) -> list[Step]:
    """The start-up steps for `startup`, in the order they are entered."""
    platforms = list(startup.adapters) if startup.start_adapters else []
    scheduled = [  # the scheduler role's steps, when the database is shared
        Step("starting the scheduler", scheduler),
        *([Step("starting feed polling", feed_polling)] if startup.poll_feeds else []),
        Step("starting TVmaze refreshes", tvmaze_refreshes),
    ]
    return [
        Step("opening the database", database),
        *(Step(f"connecting to {platform}", connect(platform)) for platform in platforms),
        Step("starting delivery", delivery),
        Step("loading the catalog", live_catalog),
        Step("planning reminders", reminder_plan),
        *(Step(part.name, unless_shared(part.enter)) for part in scheduled),
        Step("starting the web server", web_server),
        *(Step(f"listening on {platform}", listen(platform)) for platform in platforms),
        Step("answering incoming messages", answering),
        Step("taking roles", taking_roles(scheduled)),
        Step("watching the database file", database_watch),
        Step("taking catalog reloads", reloads_finish),
    ]
