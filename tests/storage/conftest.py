"""The backend every contract test runs against: one fixture, one parameter per backend.

A backend is added by a factory below and its entry in FACTORIES; the fixture runs every
contract test once per entry, and the tests name no backend. PostgreSQL's tests each get a fresh
schema in the run's database (tests/postgres.py; they skip, or fail under CI=true, without a server).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.storage import Storage
from bot.storage.postgres import PostgresStorage
from bot.storage.sqlite import SqliteStorage


@dataclass
class Backend:
    """Opens storages on one fresh database; closes whatever it opened at the end of the test."""

    name: str
    connect: Callable[[bool], Awaitable[Storage]]
    opened: list[Storage] = field(default_factory=list)

    async def open(self, *, exclusive: bool = True) -> Storage:
        """A storage on this test's database; `exclusive=False`: a second process's connection."""
        storage = await self.connect(exclusive)
        self.opened.append(storage)
        return storage


def sqlite_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    path = tmp_path / "data" / "bot.sqlite3"

    async def connect(exclusive: bool) -> Storage:
        return await SqliteStorage.open(path, exclusive=exclusive)

    return Backend("sqlite", connect)


def postgres_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    url: str = request.getfixturevalue("postgres_url")

    async def connect(exclusive: bool) -> Storage:
        return await PostgresStorage.open(url, exclusive=exclusive)

    return Backend("postgresql", connect)


FACTORIES = {"sqlite": sqlite_backend, "postgresql": postgres_backend}


@pytest.fixture(params=list(FACTORIES))
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    made = FACTORIES[request.param](request, tmp_path)
    yield made
    for storage in reversed(made.opened):
        await storage.close()


@pytest.fixture
async def storage(backend: Backend) -> Storage:
    return await backend.open()
