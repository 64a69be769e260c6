"""Telegram updates handled concurrently, each chat's in the order they were sent.

python-telegram-bot handles one update at a time by default: a command that waits on TVmaze or
on a slow feed would hold every other fan's reply. `ChatOrderedUpdates` is the application's
update processor (`ApplicationBuilder.concurrent_updates`): updates of different chats run at
once, at most `running` of them; the updates of one chat run one after another, in the order
Telegram delivered them, so five `/timezone` in a row leave the last one saved and are answered
in order. Waiting for its chat's turn takes no running slot, so one chat sending many commands
never holds the others.

PTB calls `do_process_update` in the order updates arrive (each from its own task, created in
order, which registers itself as its chat's tail before it first waits), which is what the
per-chat chain relies on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

RUNNING = 128  # updates of different chats handled at once: enough that fans waiting on TVmaze (4.5 s at most) leave room
ACCEPTED = 100_000  # updates PTB hands over before it waits (its own semaphore): effectively unbounded


class ChatOrderedUpdates(BaseUpdateProcessor):
    """At most `running` updates at once; one chat's updates in order."""

    __slots__ = ("_running", "_tails")

    def __init__(self, running: int = RUNNING):
        super().__init__(max_concurrent_updates=ACCEPTED)
        self._running = asyncio.Semaphore(running)
        self._tails: dict[int, asyncio.Future[None]] = {}  # chat id -> done when its last update is

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            async with self._running:
                await coroutine
            return
        before = self._tails.get(chat.id)
        mine: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._tails[chat.id] = mine
        started = False
        try:
            if before is not None:
                await asyncio.shield(before)
            async with self._running:
                started = True
                await coroutine
        finally:
            if not started and asyncio.iscoroutine(coroutine):
                coroutine.close()  # cancelled while waiting for its turn
            mine.set_result(None)
            if self._tails.get(chat.id) is mine:
                del self._tails[chat.id]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free: PTB waits for every update it handed over before shutting down."""
