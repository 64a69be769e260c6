"""The web server inside `dramabot run` (aiohttp), on `[web] listen`: calendar feeds for fans,
health and metrics for operators, and a public status page.

- `/cal/<token>.ics`: a chat's calendar (bot.app.calendars); 404 for an unknown or reset token,
  `304` to a matching `If-None-Match`. No access log: a token never reaches a log line.
- `/livez`: 200 while the process runs. `/readyz`: 200 when the database answers, every platform
  is connected and the scheduler runs; else 503 with a short JSON of what is not ready.
- `/metrics`: Prometheus' text format (scheduler/metrics.py).
- `/status`: the public status page (scheduler/status_page.py).
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from aiohttp import web

from bot.app.core import Core
from bot.domain.interfaces import Adapter
from bot.domain.zones import format_lead

from .metrics import BotCollector, metrics_registry, render
from .planner import ReminderJob
from .status_page import DueReminder, FeedStatus, PlatformStatus, Status, render_status

log = logging.getLogger(__name__)

DATABASE_TIMEOUT = 2.0  # seconds /readyz waits for the database
STATUS_REMINDERS = 10
STATUS_AHEAD = timedelta(days=7)
FOLLOWED_FOR = 30.0  # seconds the status page reuses the set of followed shows
CALENDAR_TYPE = "text/calendar"
PROMETHEUS_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@dataclass(frozen=True)
class Sources:
    """What the server reads of the running process."""

    core: Core
    adapters: Mapping[str, Adapter]
    scheduler_running: Callable[[], bool]
    reminders_due: Callable[[datetime, datetime], list[ReminderJob]]
    feed_polls: Callable[[], dict[tuple[str, str], int]]
    fanout_lag: Callable[[], float | None]


CALENDAR_LINK = re.compile(r"(/cal/)[A-Za-z0-9_-]{16,}(\.ics)")


class HideCalendarLinks(logging.Filter):
    """On the process's log handlers while the server runs: a calendar link in any record (a
    platform library logging the reply it sends, at DEBUG) keeps its address, not its token."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record: logging reports it itself
            return True
        if "/cal/" in message:
            record.msg, record.args = CALENDAR_LINK.sub(r"\1<hidden>\2", message), ()
        return True


def version() -> str:
    try:
        return importlib.metadata.version("dramabot")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - run from a source tree without install
        return "unknown"


class WebServer:
    def __init__(self, sources: Sources, *, listen: str):
        self.sources = sources
        host, _, port = listen.rpartition(":")
        self.host, self.port = host.strip("[]"), int(port)
        self.started_wall, self.started = time.time(), time.monotonic()
        self.registry = metrics_registry(BotCollector(
            sources.core, started=self.started_wall, feed_polls=sources.feed_polls, fanout_lag=sources.fanout_lag,
        ))
        self._followed: tuple[float, set[str]] | None = None
        self._runner: web.AppRunner | None = None
        self._hide, self._hiding = HideCalendarLinks(), list[logging.Handler]()
        app = web.Application()
        app.router.add_get("/livez", self.livez)
        app.router.add_get("/readyz", self.readyz)
        app.router.add_get("/metrics", self.metrics)
        app.router.add_get("/status", self.status)
        app.router.add_get("/cal/{name}", self.calendar)
        self.app = app

    async def start(self) -> None:
        runner = web.AppRunner(self.app, access_log=None, handle_signals=False, shutdown_timeout=1.0)  # no access log: links carry tokens
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self.port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self._hiding = [h for h in logging.getLogger().handlers if self._hide not in h.filters]
        for handler in self._hiding:
            handler.addFilter(self._hide)
        log.info("web server listening on %s:%d", self.host, self.port)

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        for handler in self._hiding:
            handler.removeFilter(self._hide)
        if runner is not None:
            await runner.cleanup()

    # ---- health -----------------------------------------------------------------------------------

    async def livez(self, request: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    async def readyz(self, request: web.Request) -> web.Response:
        problems: dict[str, str] = {}
        try:
            await asyncio.wait_for(self.sources.core.store.schema_version(), DATABASE_TIMEOUT)
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready", said in the answer
            problems["database"] = f"not answering ({type(exc).__name__})"
        for platform, adapter in sorted(self.sources.adapters.items()):
            if not getattr(adapter, "connected", True):
                problems[platform] = "not connected"
        if not self.sources.scheduler_running():
            problems["scheduler"] = "not running"
        if problems:
            return web.json_response({"ready": False, "not_ready": problems}, status=503)
        return web.json_response({"ready": True})

    async def metrics(self, request: web.Request) -> web.Response:
        return web.Response(body=render(self.registry), headers={"Content-Type": PROMETHEUS_TYPE})

    # ---- the status page ----------------------------------------------------------------------------

    async def _followed_shows(self) -> set[str]:
        now = time.monotonic()
        if self._followed is None or self._followed[0] < now:
            core = self.sources.core
            shows = core.catalog.shows_followed(sorted(await core.store.followed_targets()))
            self._followed = (now + FOLLOWED_FOR, shows)
        return self._followed[1]

    async def status(self, request: web.Request) -> web.Response:
        core = self.sources.core
        now = core.clock.now()
        mono = time.monotonic()
        platforms = [
            PlatformStatus(platform, bool(getattr(adapter, "connected", True)),
                           outbox.stats.sent_last_hour(mono) if (outbox := core.delivery.outboxes.get(platform)) else 0)
            for platform, adapter in sorted(self.sources.adapters.items())
        ]
        followed = await self._followed_shows()
        catalog = core.catalog
        reminders = []
        for job in self.sources.reminders_due(now, now + STATUS_AHEAD):
            show = catalog.shows.get(job.airing.show_key)
            if show is None or show.key not in followed:
                continue
            lead = f"{format_lead(timedelta(minutes=job.lead_minutes))} before" if job.lead_minutes else "at air time"
            reminders.append(DueReminder(show.title, job.airing.episode, lead, job.due))
            if len(reminders) == STATUS_REMINDERS:
                break
        feeds = [
            FeedStatus(info.feed.name, info.state.healthy if info.state else True, info.state.failures if info.state else 0)
            for info in await core.feeds.feed_report()
        ]
        page = render_status(Status(version(), timedelta(seconds=mono - self.started), now, platforms, reminders, feeds))
        return web.Response(text=page, content_type="text/html", charset="utf-8", headers={"Cache-Control": "no-store"})

    # ---- calendar feeds -----------------------------------------------------------------------------

    async def calendar(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        calendars = self.sources.core.calendars
        chat = await calendars.chat_of(name.removesuffix(".ics")) if name.endswith(".ics") else None
        if chat is None:
            return web.Response(status=404, text="No calendar has this address (a link replaced by /calendar reset stops working).\n")
        feed = await calendars.feed(chat)
        headers = {"ETag": feed.etag, "Cache-Control": "private, max-age=300"}
        if feed.etag in (tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")):
            return web.Response(status=304, headers=headers)
        return web.Response(body=feed.body, content_type=CALENDAR_TYPE, charset="utf-8", headers=headers)
