"""PostgreSQL: waking the process that sends a platform when rows are due for it (LISTEN/NOTIFY).

A fan-out in a process that does not send the platform NOTIFYs after its rows are committed;
each storage that waits listens on one connection of its own (outside the pool), opened on the
first wait and reopened after a failure. A lost notification costs at most the senders' poll."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import psycopg
from psycopg import AsyncConnection

from .base import PostgresBase
from .ledger import WAKE_CHANNEL

log = logging.getLogger(__name__)

RECONNECT_AFTER = 1.0  # seconds before a failed listening connection is opened again


class PostgresWakeups(PostgresBase):
    url: str
    _listener: asyncio.Task | None = None
    _due: dict[str, asyncio.Event] | None = None

    async def wake_sender(self, platform: str) -> None:
        await self._execute("SELECT pg_notify(%s, %s)", (WAKE_CHANNEL, platform))

    async def wait_due(self, platform: str, *, timeout: float) -> None:
        if self._due is None:
            self._due = {}
        event = self._due.setdefault(platform, asyncio.Event())
        if self._listener is None or self._listener.done():
            self._listener = asyncio.get_running_loop().create_task(self._listen(), name="pg-listen")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout)
        event.clear()

    async def _listen(self) -> None:
        failing = False
        while True:
            try:
                conn = await AsyncConnection.connect(self.url, autocommit=True)
                try:
                    await conn.execute(f"LISTEN {WAKE_CHANNEL}")
                    if failing:
                        log.info("listening for due deliveries again")
                        failing = False
                    async for notify in conn.notifies():
                        event = (self._due or {}).get(notify.payload)
                        if event is not None:
                            event.set()
                finally:
                    await conn.close()
            except psycopg.Error as exc:
                if not failing:  # one line per outage, not one per attempt
                    log.warning("listening for due deliveries failed (%s); senders poll meanwhile", exc)
                failing = True
                await asyncio.sleep(RECONNECT_AFTER)

    async def _stop_listening(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            await asyncio.gather(self._listener, return_exceptions=True)
            self._listener = None
