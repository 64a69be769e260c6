"""`dramabot simulate`: whole stories on a virtual clock, against mock adapters.

The same core, job functions and delivery ledger as production; only the clock and the
platforms are stand-ins. A scenario is JSON Lines; each event has "at" and one of
"message", "article", "stop", "start", "advance". Every line is checked before any is
applied, so a bad scenario changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TextIO

from adapters.mock import MockAdapter, Sent
from bot.config import Config
from bot.domain.article import Article
from bot.domain.catalog import Catalog
from bot.domain.interfaces import Adapter, VirtualClock
from bot.domain.zones import to_utc_iso

from .process import BotProcess
from .virtual import VirtualDriver

PLATFORMS = ("telegram", "discord")
EVENT_KINDS = ("message", "article", "stop", "start", "advance")


class ScenarioError(ValueError):
    def __init__(self, line: int, problem: str):
        super().__init__(f"line {line}: {problem}")
        self.line = line


@dataclass(frozen=True)
class Event:
    line: int
    at: datetime
    kind: str
    data: Any = None


class Simulator:
    """A bot that can be stopped and started, on a virtual clock, with one mock adapter per platform."""

    def __init__(self, *, catalog: Catalog, config: Config, db_path: str, start_at: datetime, poll_feeds: bool = False):
        self.poll_feeds = poll_feeds  # off: articles come as scenario events, and nothing goes to the network
        self.catalog = catalog
        self.config = config
        self.db_path = db_path
        self.clock = VirtualClock(start_at)
        self.outbox: list[Sent] = []
        self.process: BotProcess | None = None
        self._queued: list[tuple[str, Any]] = []  # what arrived while stopped, handled at start

    @property
    def running(self) -> bool:
        return self.process is not None

    async def start(self) -> None:
        if self.process is not None:
            raise RuntimeError("the bot is already running")
        adapters: dict[str, Adapter] = {p: MockAdapter(p, self.clock.now, self.outbox) for p in PLATFORMS}
        self.process = await BotProcess.start(
            config=self.config, catalog=self.catalog, clock=self.clock, adapters=adapters, db_path=self.db_path,
            poll_feeds=self.poll_feeds,
        )
        queued, self._queued = self._queued, []
        for kind, data in queued:
            await (self.say(**data) if kind == "message" else self.publish(data))

    async def stop(self) -> None:
        if self.process is None:
            raise RuntimeError("the bot is not running")
        process, self.process = self.process, None
        await process.stop()

    async def kill(self) -> None:
        """The process dies at once (SIGKILL): nothing it had not written survives."""
        if self.process is None:
            raise RuntimeError("the bot is not running")
        process, self.process = self.process, None
        await process.kill()

    async def advance_to(self, at: datetime) -> None:
        if self.process is None:
            self.clock.set(at)  # a stopped bot fires nothing
        else:
            driver = self.process.driver
            assert isinstance(driver, VirtualDriver)
            await driver.advance_to(at)

    def adapter(self, platform: str) -> MockAdapter:
        if self.process is None:
            raise RuntimeError("the bot is not running")
        return self.process.core.adapters[platform]  # type: ignore[return-value]

    async def say(
        self, platform: str, chat: str, user: str, text: str, admin: bool = False, language: str | None = None,
    ) -> None:
        """A user types in a chat; while the bot is stopped the platform holds it until start."""
        if self.process is None:
            self._queued.append(
                ("message", dict(platform=platform, chat=chat, user=user, text=text, admin=admin, language=language))
            )
            return
        await self.adapter(platform).receive(chat, user, text, admin=admin, language=language)

    async def publish(self, article: Article) -> None:
        """A feed poller fetched a new article; while stopped it is fetched at the next start."""
        if self.process is None:
            self._queued.append(("article", article))
            return
        await self.process.core.news.publish_article(article)
        await self.process.core.idle()

    async def close(self) -> None:
        if self.process is not None:
            await self.stop()


# ---- scenario files ---------------------------------------------------------------------------


def _text(line: int, where: str, data: dict, name: str, *, required: bool = True, ids: bool = False) -> str | None:
    value = data.get(name)
    if value is None and not required:
        return None
    if ids and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str) or (required and not value.strip() and name != "text"):
        raise ScenarioError(line, f'"{where}.{name}" must be a non-empty string')
    return value


EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)  # Unix time, as the database stores instants
LATEST = datetime(9000, 1, 1, tzinfo=UTC)  # far from datetime's limit, so date arithmetic never overflows


def _instant(line: int, where: str, value: Any) -> datetime:
    if not isinstance(value, str):
        raise ScenarioError(line, f'"{where}" must be an ISO 8601 date-time with offset, like "2022-12-21T13:00:00+00:00"')
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        raise ScenarioError(line, f'"{where}": {value!r} is not an ISO 8601 date-time') from None
    if at.tzinfo is None:
        raise ScenarioError(line, f'"{where}": {value!r} has no UTC offset (add +00:00 or Z)')
    if not EARLIEST <= at.astimezone(UTC) <= LATEST:
        raise ScenarioError(line, f'"{where}": {value!r} is outside the years {EARLIEST.year} to {LATEST.year}')
    return at


def parse_scenario(lines: Iterable[str]) -> list[Event]:
    """Check every line; raise ScenarioError naming the first bad one."""
    events: list[Event] = []
    running = True
    last: datetime | None = None
    for number, raw in enumerate(lines, start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        try:
            obj = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise ScenarioError(number, f"not valid JSON: {exc.msg} at column {exc.colno}") from None
        if not isinstance(obj, dict):
            raise ScenarioError(number, "each line must be a JSON object")
        if "at" not in obj:
            raise ScenarioError(number, 'missing "at"')
        at = _instant(number, "at", obj["at"])
        kinds = [k for k in EVENT_KINDS if k in obj]
        extra = set(obj) - {"at", *EVENT_KINDS}
        if extra:
            raise ScenarioError(number, f"unknown key {sorted(extra)[0]!r}; expected one of {', '.join(EVENT_KINDS)}")
        if len(kinds) != 1:
            raise ScenarioError(number, f"needs exactly one of {', '.join(EVENT_KINDS)}; found {len(kinds)}")
        kind = kinds[0]
        if last is not None and at < last:
            raise ScenarioError(number, f"out of time order: {obj['at']} is before the previous event")
        last = at
        value = obj[kind]
        data: Any
        if kind == "message":
            data = _message(number, value)
        elif kind == "article":
            data = _article(number, value)
        else:
            if value is not True:
                raise ScenarioError(number, f'"{kind}" must be true')
            data = None
            if kind == "stop":
                if not running:
                    raise ScenarioError(number, "stop, but the bot is already stopped")
                running = False
            elif kind == "start":
                if running:
                    raise ScenarioError(number, "start, but the bot is already running")
                running = True
        events.append(Event(number, at, kind, data))
    return events


def _message(line: int, value: Any) -> dict:
    if not isinstance(value, dict):
        raise ScenarioError(line, '"message" must be an object')
    extra = set(value) - {"platform", "chat", "user", "text", "admin"}
    if extra:
        raise ScenarioError(line, f'"message" has an unknown key {sorted(extra)[0]!r}')
    platform = _text(line, "message", value, "platform")
    if platform not in PLATFORMS:
        raise ScenarioError(line, f'"message.platform" must be one of {", ".join(PLATFORMS)}, not {platform!r}')
    admin = value.get("admin", False)
    if not isinstance(admin, bool):
        raise ScenarioError(line, '"message.admin" must be true or false')
    return dict(
        platform=platform,
        chat=_text(line, "message", value, "chat", ids=True),
        user=_text(line, "message", value, "user", ids=True),
        text=_text(line, "message", value, "text"),
        admin=admin,
    )


def _article(line: int, value: Any) -> Article:
    if not isinstance(value, dict):
        raise ScenarioError(line, '"article" must be an object')
    extra = set(value) - {"feed", "id", "title", "link", "summary", "published"}
    if extra:
        raise ScenarioError(line, f'"article" has an unknown key {sorted(extra)[0]!r}')
    feed = _text(line, "article", value, "feed") or ""
    if "|" in feed:
        raise ScenarioError(line, '"article.feed" must not contain "|"')
    published = value.get("published")
    return Article(
        feed=feed,
        id=_text(line, "article", value, "id", ids=True) or "",
        title=_text(line, "article", value, "title") or "",
        link=_text(line, "article", value, "link") or "",
        summary=_text(line, "article", value, "summary", required=False) or "",
        published=_instant(line, "article.published", published) if published is not None else None,
    )


def sent_json(sent: Sent) -> str:
    return json.dumps(
        {"at": to_utc_iso(sent.at), "platform": sent.platform, "chat": sent.chat, "kind": sent.kind, "text": sent.text},
        ensure_ascii=False,
    )


async def run_scenario(events: list[Event], *, catalog: Catalog, config: Config, db_path: str, out: TextIO) -> None:
    """Apply checked events in order, writing one JSON line per message the bot sends."""
    if not events:
        return
    sim = Simulator(catalog=catalog, config=config, db_path=db_path, start_at=events[0].at)
    written = 0

    def flush() -> None:
        nonlocal written
        for sent in sim.outbox[written:]:
            out.write(sent_json(sent) + "\n")
        written = len(sim.outbox)
        out.flush()

    await sim.start()
    try:
        for event in events:
            await sim.advance_to(event.at)
            if event.kind == "message":
                await sim.say(**event.data)
            elif event.kind == "article":
                await sim.publish(event.data)
            elif event.kind == "stop":
                await sim.stop()
            elif event.kind == "start":
                await sim.start()
            flush()
    finally:
        await sim.close()
        flush()
