"""Start-up is a stack of steps: whichever step fails, exactly what had started is closed, in
reverse, and the error is one line naming the step; a normal stop closes every step in reverse."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from datetime import datetime

import pytest

from adapters.mock import MockAdapter
from bot.config import parse_config
from bot.domain.interfaces import Clock, SystemClock, VirtualClock
from bot.domain.zones import UTC
from scheduler.process import BotProcess, StartupError
from scheduler.startup import Startup, Step, steps
from tests.conftest import bundled_catalog

CLOCKS = {
    "virtual clock": lambda: VirtualClock(datetime(2022, 12, 20, tzinfo=UTC)),
    "real clock, APScheduler and TVmaze": SystemClock,
}


def recorded(step: Step, events: list[tuple[str, str]]) -> Step:
    """`step` as it is, noting when it has started and when it is left."""

    @asynccontextmanager
    async def enter(parts, startup):
        async with step.enter(parts, startup):
            events.append(("started", step.name))
            try:
                yield
            finally:
                events.append(("closed", step.name))

    return Step(step.name, enter)


@asynccontextmanager
async def exploding(parts, startup):
    raise RuntimeError("boom")
    yield  # pragma: no cover


def bot_settings(clock: Clock, tmp_path) -> dict:
    tvmaze = {"enabled": True, "base_url": "http://127.0.0.1:9"} if isinstance(clock, SystemClock) else {"enabled": False}
    adapters = {p: MockAdapter(p, clock.now) for p in ("telegram", "discord")}
    return dict(config=parse_config({"tvmaze": tvmaze}), catalog=bundled_catalog(), clock=clock, adapters=adapters,
                db_path=str(tmp_path / "bot.sqlite3"))


def other_tasks() -> set[asyncio.Task]:
    return asyncio.all_tasks() - {asyncio.current_task()}


@pytest.mark.parametrize("clock_kind", CLOCKS)
async def test_a_failure_at_each_step_closes_exactly_what_had_started_in_reverse(tmp_path, clock_kind):
    clock = CLOCKS[clock_kind]()
    names = [step.name for step in steps(Startup(**bot_settings(clock, tmp_path)))]
    assert names[:3] == ["opening the database", "connecting to telegram", "connecting to discord"]
    assert names[-5:] == ["listening on discord", "answering incoming messages", "taking roles",
                          "watching the database file", "taking catalog reloads"]
    before = other_tasks()
    for failing_at in range(len(names) + 1):
        events: list[tuple[str, str]] = []
        settings = bot_settings(clock, tmp_path)

        def plan(startup, failing_at=failing_at, events=events):
            real = [recorded(step, events) for step in steps(startup)]
            return [*real[:failing_at], Step("exploding", exploding), *real[failing_at:]]

        with pytest.raises(StartupError) as refused:
            await BotProcess.start(**settings, plan=plan)

        started = names[:failing_at]
        assert str(refused.value) == "exploding: RuntimeError: boom"
        assert events == [("started", n) for n in started] + [("closed", n) for n in reversed(started)]
        # what they started is really closed: adapters disconnected, no task left, the database free
        assert not any(adapter.connected for adapter in settings["adapters"].values())
        await asyncio.sleep(0)
        assert other_tasks() == before, f"tasks left after a failure at step {failing_at}"
    again = await BotProcess.start(**bot_settings(clock, tmp_path))
    await again.stop()
    assert other_tasks() == before


async def test_a_real_failure_part_way_names_its_step_and_closes_what_had_started(tmp_path):
    clock = VirtualClock(datetime(2022, 12, 20, tzinfo=UTC))
    settings = bot_settings(clock, tmp_path)
    telegram, discord = settings["adapters"]["telegram"], settings["adapters"]["discord"]

    async def refuse(inbox):
        raise ConnectionError("gateway closed")

    discord.listen = refuse
    with pytest.raises(StartupError) as refused:
        await BotProcess.start(**settings)
    assert str(refused.value) == "listening on discord: ConnectionError: gateway closed"
    assert not telegram.connected and not discord.connected and telegram.inbox is None
    second = await BotProcess.start(**bot_settings(clock, tmp_path))  # the database lock was released
    await second.stop()


async def test_stop_closes_every_step_in_reverse_once(tmp_path):
    clock = VirtualClock(datetime(2022, 12, 20, tzinfo=UTC))
    events: list[tuple[str, str]] = []
    process = await BotProcess.start(**bot_settings(clock, tmp_path),
                                     plan=lambda startup: [recorded(step, events) for step in steps(startup)])
    names = [name for what, name in events if what == "started"]
    await process.stop()
    await process.stop()  # a second stop does nothing
    assert events[len(names):] == [("closed", n) for n in reversed(names)]


async def test_stop_lets_a_catalog_reload_under_way_finish_before_the_database_closes(tmp_path):
    clock = VirtualClock(datetime(2022, 12, 20, tzinfo=UTC))
    process = await BotProcess.start(**bot_settings(clock, tmp_path))
    release = asyncio.Event()

    async def reload():  # as a SIGHUP reload writes the new catalog's notices
        await release.wait()
        await process.core.store.set_meta(name="reloaded", value="yes")

    reloading = asyncio.get_running_loop().create_task(reload())
    process.reloads.add(reloading)
    stopping = asyncio.get_running_loop().create_task(process.stop())
    for _ in range(50):
        await asyncio.sleep(0)
    assert not stopping.done() and process.core.adapters["telegram"].connected  # nothing closed under the reload
    release.set()
    await asyncio.wait_for(stopping, timeout=30)
    assert reloading.exception() is None
    again = await BotProcess.start(**bot_settings(clock, tmp_path))
    try:
        assert await again.core.store.get_meta("reloaded") == "yes"
    finally:
        await again.stop()
