"""Changes one process makes reach the others on a shared database.

A process plans reminders from what it knows: the catalog (with imports and edits) and which
leads and zones following chats use. When a fan subscribes through one process, the process
holding the scheduler role must plan for it too. So each change a process makes (`core.changed()`)
is announced by a new token in the database's meta (`changed:plan`, and `changed:catalog` when the
catalog changed), and every process reads both every POLL_EVERY seconds: a new plan token forgets
the cached leads, zones and audiences and replans; a new catalog token reloads imports and edits.
What a process applies from another is not announced again (no echo).
"""

from __future__ import annotations

import asyncio
import logging
import secrets

from bot.app.core import Core
from bot.app.live import LiveCatalog

log = logging.getLogger(__name__)

POLL_EVERY = 1.0  # seconds
PLAN, CATALOG = "changed:plan", "changed:catalog"


class ChangeBeacon:
    def __init__(self, core: Core, live: LiveCatalog, *, every: float = POLL_EVERY):
        self.core, self.live, self.every = core, live, every
        self._seen: dict[str, str | None] = {PLAN: None, CATALOG: None}
        self._catalog_version = live.version
        self._applying = False
        self._missed = False  # a change of ours came while applying another's
        self._tasks: set[asyncio.Task] = set()
        self._loop_task: asyncio.Task | None = None
        core.on_change(self._local)

    async def start(self) -> None:
        for key in self._seen:
            self._seen[key] = await self.core.store.get_meta(key)
        self._loop_task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        tasks = [t for t in (self._loop_task, *self._tasks) if t is not None]
        if self._loop_task is not None:
            self._loop_task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._loop_task = None

    def _local(self) -> None:
        if self._applying:
            self._missed = True
            return
        task = asyncio.get_running_loop().create_task(self._announce())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _announce(self) -> None:
        keys = [PLAN]
        if self.live.version != self._catalog_version:
            self._catalog_version = self.live.version
            keys.append(CATALOG)
        try:
            for key in keys:
                token = self._seen[key] = secrets.token_hex(8)
                await self.core.store.set_meta(name=key, value=token)
        except Exception:
            log.exception("announcing a change to the other processes failed")

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.every)
            try:
                await self.apply()
            except Exception:
                log.exception("reading the other processes' changes failed")

    async def apply(self) -> None:
        """Take in what other processes changed since the last look."""
        plan, catalog = await self.core.store.get_meta(PLAN), await self.core.store.get_meta(CATALOG)
        if catalog != self._seen[CATALOG]:
            self._seen[CATALOG] = catalog
            self._applying = True
            try:
                await self.live.start()  # imports and edits as the database has them now
                self._catalog_version = self.live.version
            finally:
                self._applying = False
        if plan != self._seen[PLAN]:
            self._seen[PLAN] = plan
            chats = self.core.chats
            chats.in_use.forget()
            chats.audiences.forget_all()
            self._applying = True
            try:
                self.core.changed()
            finally:
                self._applying = False
        if self._missed:
            self._missed = False
            self._local()
