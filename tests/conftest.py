"""Story helpers: a bot on a virtual clock with mock Telegram and Discord adapters.

    story = await make_story()
    fan = story.chat("telegram", "100")
    reply = await fan.say("/subscribe The Interest of Love")
    await story.advance("2022-12-21T13:00:00Z")
    assert fan.received("reminder")[0].text.startswith("⏰")
"""

from __future__ import annotations

import os
from datetime import datetime
from functools import lru_cache
from typing import Any

import pytest

from adapters.mock import Sent
from bot.config import Config, parse_config
from bot.domain.article import Article
from bot.domain.catalog import Catalog, load_catalog, parse_catalog
from scheduler.simulator import Simulator
from tests import postgres
from tests.fakes.feeds_server import FeedServer
from tests.fakes.tvmaze_api import FakeTvmaze

# Every configuration key can come from a DRAMABOT_* variable (over the file), and the bots the tests
# start as processes inherit this environment: one left set in a developer's shell must not change them.
for _name in [name for name in os.environ if name.upper().startswith("DRAMABOT_")]:
    if _name == postgres.ENV:  # where the test PostgreSQL is, for tests/postgres.py (never for the bots)
        postgres.KEPT[_name] = os.environ[_name]
    del os.environ[_name]


def at(value: str | datetime) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@lru_cache(maxsize=1)
def bundled_catalog() -> Catalog:
    return load_catalog()


class Chat:
    def __init__(self, story: Story, platform: str, chat: str, user: str, admin: bool, language: str | None = None):
        self.story, self.platform, self.id, self.user, self.admin = story, platform, chat, user, admin
        self.language = language  # the language the writer's app is set to (Telegram language_code)

    async def say(self, text: str) -> str:
        """Type a line; returns the text of the bot's reply to this chat ("" when it stayed quiet)."""
        before = len(self.story.sim.outbox)
        await self.story.sim.say(self.platform, self.id, self.user, text, self.admin, self.language)
        replies = [s for s in self.story.sim.outbox[before:] if s.chat == self.id and s.kind == "reply"]
        return replies[-1].text if replies else ""

    def received(self, kind: str | None = None) -> list[Sent]:
        return [
            s for s in self.story.sim.outbox
            if s.platform == self.platform and s.chat == self.id and (kind is None or s.kind == kind)
        ]


class Story:
    def __init__(self, sim: Simulator):
        self.sim = sim

    def chat(
        self, platform: str = "telegram", chat: str = "100", user: str | None = None, admin: bool = False,
        language: str | None = None,
    ) -> Chat:
        return Chat(self, platform, chat, user or chat, admin, language)

    async def advance(self, to: str | datetime) -> None:
        await self.sim.advance_to(at(to))

    async def stop(self) -> None:
        await self.sim.stop()

    async def start(self) -> None:
        await self.sim.start()

    async def publish(self, **fields: Any) -> None:
        await self.sim.publish(Article(**fields))

    @property
    def now(self) -> datetime:
        return self.sim.clock.now()

    def sent(self, kind: str | None = None) -> list[Sent]:
        return [s for s in self.sim.outbox if kind is None or s.kind == kind]

    async def refresh(self) -> int:
        """Run the TVmaze refresh job now (on the real clock APScheduler runs it every minute),
        then wait for what it queued to be sent."""
        assert self.sim.process is not None
        count = await self.sim.process.refresher.run_due()
        await self.sim.process.core.idle()
        return count


@pytest.fixture
async def make_story(tmp_path):
    """Build a running bot: make_story(start=..., catalog=Catalog or TOML dict, poll_feeds=False, **config keys).
    With poll_feeds the bot polls the config's feeds (and those added by /feeds add) on the virtual clock."""
    sims: list[Simulator] = []

    async def factory(
        start: str = "2022-12-20T00:00:00Z", catalog: Catalog | dict | None = None, db: str | None = None,
        poll_feeds: bool = False, **config: Any,
    ) -> Story:
        if isinstance(catalog, dict):
            catalog = parse_catalog(catalog)
        # TVmaze stays off unless a story turns it on (pointing base_url at the fake): no test
        # may reach the internet, and the bundled-catalog stories must not wait on it.
        config.setdefault("tvmaze", {"enabled": False})
        cfg: Config = parse_config(config)
        sim = Simulator(
            catalog=catalog or bundled_catalog(),
            config=cfg,
            db_path=db or str(tmp_path / f"bot{len(sims)}.sqlite3"),
            start_at=at(start),
            poll_feeds=poll_feeds,
        )
        await sim.start()
        sims.append(sim)
        return Story(sim)

    yield factory
    for sim in sims:
        await sim.close()


@pytest.fixture
async def feed_server():
    """The fixture feed server on 127.0.0.1 (tests/fakes/feeds_server.py), stopped after the test."""
    running = await FeedServer().start()
    yield running
    await running.stop()


@pytest.fixture
async def fake_tvmaze():
    """A fake TVmaze on 127.0.0.1; stories pass tvmaze={"base_url": fake_tvmaze.url}."""
    async with FakeTvmaze() as fake:
        yield fake


@pytest.fixture(scope="session")
def postgres_database():
    """This test run's own PostgreSQL database (a URL), created at first use and dropped at the end;
    skips (fails under CI=true) when no server answers (tests/postgres.py)."""
    with postgres.run_database() as url:
        yield url


@pytest.fixture
def postgres_url(postgres_database: str) -> str:
    """A URL on a fresh, empty schema of the run's PostgreSQL database: one per test."""
    return postgres.fresh_schema(postgres_database)
