"""The RoleKeeper on its own: two processes' keepers on one SQLite file (two connections, as two
processes have), on a fake clock, each round run by hand."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.domain.roles import SCHEDULER, Role
from bot.storage.sqlite import SqliteStorage
from scheduler.roles import TTL, RoleKeeper, describe

SEND, RECEIVE = Role("send", "telegram"), Role("receive", "telegram")
SHARDS = [Role("shard", "discord", n) for n in range(4)]


class Clock:
    def __init__(self) -> None:
        self.t = 1_000_000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
async def stores(tmp_path):
    opened = [await SqliteStorage.open(tmp_path / "bot.sqlite3", exclusive=False) for _ in range(3)]
    yield opened
    for store in opened:
        await store.close()


def keeper(store, clock: Clock, name: str, events: list[str], roles=(SCHEDULER,)) -> RoleKeeper:
    k = RoleKeeper(store, holder=name, monotonic=clock, wall=clock, renew_every=0.1)
    for role in roles:
        async def gain(lease, role=role):
            events.append(f"{name} gains {role} g{lease.generation}")

        async def lose(role=role):
            events.append(f"{name} loses {role}")

        k.want(role, on_gain=gain, on_lose=lose, requires=SEND if role == RECEIVE else None,
               spread="shards" if role.kind == "shard" else None)
    return k


async def test_a_killed_holders_role_is_taken_over_once_its_lease_expires_and_a_stop_hands_it_over_at_once(stores):
    clock, events = Clock(), []
    a, b = keeper(stores[0], clock, "a", events), keeper(stores[1], clock, "b", events)
    await a.round()
    await b.round()
    assert events == ["a gains scheduler g1"] and b.holds(SCHEDULER) is None
    clock.t += 2
    await a.round()  # renewed: a's lease now runs to t+2+TTL
    clock.t += TTL - 0.5  # a is SIGKILLed: it renews no more
    await b.round()
    assert b.holds(SCHEDULER) is None  # not expired yet
    clock.t += 1
    await b.round()
    assert events[-1] == "b gains scheduler g2"
    clock.t += 2
    await b.stop()  # SIGTERM: on_lose, then released
    assert events[-1] == "b loses scheduler"
    c = keeper(stores[2], clock, "c", events)
    await c.round()  # at once, not after a TTL
    assert events[-1] == "c gains scheduler g3"


async def test_a_paused_process_drops_its_role_by_its_own_clock_and_does_not_take_it_back(stores, caplog):
    clock, events = Clock(), []
    a, b = keeper(stores[0], clock, "a", events), keeper(stores[1], clock, "b", events)
    await a.round()
    lease = a.holds(SCHEDULER)
    assert lease is not None
    clock.t += TTL + 5  # a is paused (SIGSTOP) past its expiry
    assert a.holds(SCHEDULER) is None  # even before its loop runs again, it no longer acts on the role
    await b.round()
    assert events == ["a gains scheduler g1", "b gains scheduler g2"]
    with caplog.at_level(logging.INFO, logger="scheduler.roles"):
        await a.round()  # resumed
    assert events[-1] == "a loses scheduler" and a.held == [] and b.holds(SCHEDULER) is not None
    assert "role scheduler lost by a (generation 1): not renewed before its expiry" in caplog.text
    assert not await stores[0].renew_lease(lease, now=clock.t, ttl=TTL)  # the old generation is refused


async def test_receiving_is_held_only_with_sending_and_goes_first_when_sending_goes(stores):
    clock, events = Clock(), []
    a = keeper(stores[0], clock, "a", events, roles=(RECEIVE, SEND))
    await a.round()  # RECEIVE is wanted first but requires SEND: it comes on the next round
    assert events == ["a gains send:telegram g1"]
    await a.round()
    assert events[-1] == "a gains receive:telegram g1"
    await a.stop()
    assert events[-2:] == ["a loses receive:telegram", "a loses send:telegram"]


async def test_shards_are_shared_out_fairly_as_processes_come_and_go(stores):
    clock, events = Clock(), []
    a = keeper(stores[0], clock, "a", events, roles=SHARDS)
    b = keeper(stores[1], clock, "b", events, roles=SHARDS)
    await a.round()
    assert a.held == SHARDS  # alone: all four
    await b.round()  # b has a seat now, but every shard is a's
    assert b.held == []
    clock.t += 2
    await a.round()  # a sees two processes: keeps two, releases the other two
    assert a.held == SHARDS[:2] and "a loses shard:discord:3" in events
    await b.round()
    assert b.held == SHARDS[2:]
    clock.t += 2
    await b.stop()
    await a.round()
    assert a.held == SHARDS  # b stopped: a takes its shards back at once
    lines = describe(await stores[0].leases(), now=clock.t)
    assert lines[1].split()[:3] == ["shard:discord:0", "a", "1"] and lines[-1].startswith("process")


def test_dramabot_status_on_sqlite_says_one_process_does_all_the_work(tmp_path, capsys):
    from bot.cli import main

    assert main(["status", "--db", str(tmp_path / "bot.sqlite3")]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "one process does all the work (SQLite): no roles"


async def test_a_renewal_the_database_does_not_answer_before_expiry_drops_the_role(stores):
    clock, events = Clock(), []
    a = keeper(stores[0], clock, "a", events)
    await a.round()

    async def hangs(lease, *, now, ttl):
        await asyncio.Event().wait()  # the database does not answer

    a.store = type("Hanging", (), {"renew_lease": staticmethod(hangs), "__getattr__": lambda self, n: getattr(stores[0], n)})()
    clock.t += TTL - 0.05  # 50 ms of real time left before its expiry
    await asyncio.wait_for(a.round(), 5)
    assert events == ["a gains scheduler g1", "a loses scheduler"] and a.holds(SCHEDULER) is None
