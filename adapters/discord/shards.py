"""The Discord gateway as shards: one discord.py `Client` per shard this process holds.

A bot on many servers splits its gateway into `count` shards; the events of a server come on shard
`(guild_id >> 22) % count`, DMs on shard 0. Each shard must be connected by exactly one process
(a second session on a held shard makes Discord drop one). With several processes the roles
machinery hands shards out and moves them; this module connects and closes them one by one.

Why a client per shard: `AutoShardedClient(shard_ids=..., shard_count=...)` launches its set once
in `connect()`; adding a shard later has no public API (its shards live in a name-mangled private
dict), and restarting it with a new set re-identifies every shard it held, dropping each server's
events for that moment. A plain `Client(shard_id=i, shard_count=n)` is one gateway session of its
own, opened and closed without touching the others; `before_identify_hook` is discord.py's public
hook for "synchronisation of multiple IDENTIFYing clients", used here to space this process's
IDENTIFYs (`IdentifyGate`). Each client logs in (two REST requests), keeps the cache of its own
servers, and has its own command tree so that the interactions of its servers are answered.
Measured against the fake Discord (8 shards, 200 servers): adding a fifth shard to four held ones
took one IDENTIFY and 35 ms (plus the 5 s gate in production) and about 0.5 MiB; restarting an
`AutoShardedClient` with shards 0-4 instead re-identified all five and took 20 s (its own 5 s
between IDENTIFYs), shards 0-3 offline meanwhile.

The count itself: `[discord] shards` is a number, or "auto": Discord's recommendation
(`GET /gateway/bot`) asked once and kept in the database (`shard_count`), so that every process
of the bot splits the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

import discord

from bot.storage.contract import Meta

log = logging.getLogger(__name__)

SHARDS_META = "discord_shards"  # meta: the shard count Discord recommended, asked once per database
IDENTIFY_EVERY = 5.0  # seconds between IDENTIFYs of one process (Discord's max_concurrency 1)
CLOSE_WAIT = 5.0  # seconds a closed shard's connection task may take to end
DRAIN = 3.0  # seconds the commands under way on a shard being closed may take to answer (Discord gives 3 s)


async def shard_count(setting: int | Literal["auto"], *, ask: Callable[[], Awaitable[int]], meta: Meta | None) -> int:
    """The configured count, or "auto": the count stored in the database, else Discord's answer
    (asked now, then stored for every process of the bot)."""
    if setting != "auto":
        return int(setting)
    stored = await meta.get_meta(SHARDS_META) if meta is not None else None
    if stored is not None:
        return int(stored)
    count = max(1, int(await ask()))
    if meta is not None:
        await meta.set_meta(name=SHARDS_META, value=str(count))
    log.info("Discord: %d shard(s) recommended by Discord%s", count, ", kept in the database" if meta else "")
    return count


class IdentifyGate:
    """Spaces this process's IDENTIFYs at least `every` seconds apart, first one included."""

    def __init__(self, every: float):
        self.every = every
        self._lock = asyncio.Lock()
        self._last: float | None = None

    async def wait(self) -> None:
        async with self._lock:
            loop = asyncio.get_running_loop()
            if self._last is not None:
                await asyncio.sleep(max(0.0, self._last + self.every - loop.time()))
            self._last = loop.time()


class ShardClient(discord.Client):
    """A gateway client of one shard whose IDENTIFYs (first and after a reconnect) pass the gate."""

    def __init__(self, *, gate: IdentifyGate, **options: Any):
        super().__init__(**options)
        self.gate = gate
        self.working = 0  # commands under way: their answers go through this client's HTTP session
        self.idle = asyncio.Event()
        self.idle.set()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        await self.gate.wait()


@contextlib.contextmanager
def working(client: discord.Client) -> Iterator[None]:
    """While a command of this shard's servers is under way: closing the shard waits for it (see DRAIN)."""
    if not isinstance(client, ShardClient):
        yield
        return
    client.working += 1
    client.idle.clear()
    try:
        yield
    finally:
        client.working -= 1
        if not client.working:
            client.idle.set()


@dataclass
class Shard:
    client: ShardClient
    task: asyncio.Task  # the gateway connection (`Client.connect`), reconnecting by itself


# builds the client of shard `id` of `count`, with its command tree and event handlers
MakeClient = Callable[[int, int], ShardClient]


class Shards:
    """The shards this process holds, their gateway connections, and the union of their caches."""

    def __init__(self, *, make: MakeClient, token: str, ready_timeout: float,
                 slot: Callable[[], Awaitable[None]]):
        self._make, self._token, self.ready_timeout, self._slot = make, token, ready_timeout, slot
        self.count = 0
        self._held: dict[int, Shard] = {}
        self._lock = asyncio.Lock()  # one change of the set at a time

    @property
    def held(self) -> frozenset[int]:
        return frozenset(self._held)

    @property
    def open(self) -> bool:
        """Every held shard's client is open (discord.py reconnects a dropped connection itself)."""
        return all(not shard.client.is_closed() for shard in self._held.values())

    async def hold(self, ids: frozenset[int], *, count: int) -> None:
        """Connect the shards newly in `ids` and close those no longer in it; the others are left alone.
        A new `count` closes every shard first (each one's servers change)."""
        if count < 1 or any(not 0 <= shard < count for shard in ids):
            raise ValueError(f"shard ids {sorted(ids)} are not all in 0..{count - 1}")
        async with self._lock:
            if count != self.count:
                await self._close(set(self._held))
                self.count = count
            await self._close(set(self._held) - ids)
            for shard in sorted(ids - set(self._held)):
                await self._open(shard)
            log.info("Discord: holding shard(s) %s of %d", sorted(self._held) or "none", count)

    async def close(self) -> None:
        async with self._lock:
            await self._close(set(self._held))

    async def _open(self, shard: int) -> None:
        client = self._make(shard, self.count)
        task: asyncio.Task | None = None
        try:
            await self._slot()
            await self._slot()  # login asks two things (the bot user, the application)
            await client.login(self._token)
            task = asyncio.get_running_loop().create_task(client.connect(reconnect=True), name=f"discord-shard-{shard}")
            task.add_done_callback(lambda done: _ended(shard, client, done))
            await until_ready(client, task, self.ready_timeout)
        except BaseException:
            await _closed(client, task)
            raise
        self._held[shard] = Shard(client, task)

    async def _close(self, ids: set[int]) -> None:
        """Close these shards once their commands under way answered (or DRAIN passed: a later answer is
        lost with the client's HTTP session); the gateway stays open until then, so the shard is not yet
        free for another process."""
        for shard in sorted(ids):
            held = self._held.pop(shard)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(held.client.idle.wait(), DRAIN)
            await _closed(held.client, held.task)

    # ---- the caches of the servers of the held shards ------------------------------------------------

    def _clients(self) -> Iterator[ShardClient]:
        return (shard.client for shard in self._held.values())

    @property
    def guilds(self) -> list[discord.Guild]:
        return [guild for client in self._clients() for guild in client.guilds]

    def get_guild(self, guild_id: int) -> discord.Guild | None:
        shard = self._held.get((guild_id >> 22) % self.count) if self.count else None
        return shard.client.get_guild(guild_id) if shard is not None else None

    def get_channel(self, channel_id: int) -> Any:
        """A cached channel or thread of a server on a held shard (or a DM channel seen), else None."""
        return next((c for client in self._clients() if (c := client.get_channel(channel_id)) is not None), None)


async def until_ready(client: discord.Client, gateway: asyncio.Task, timeout: float) -> None:
    """Until the gateway accepted the session (READY): interactions arrive from then on. discord.py's
    `on_ready` comes `guild_ready_timeout` later, once server caches filled; nothing here needs them."""
    ready = asyncio.ensure_future(client.wait_for("socket_event_type", check=lambda event: event == "READY"))
    done, _ = await asyncio.wait({ready, gateway}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    if ready not in done:
        ready.cancel()
        if gateway in done:
            gateway.result()  # raises what the connection died of
            raise ConnectionError("the Discord gateway closed before READY")
        raise TimeoutError(f"Discord: no READY from the gateway within {timeout:g} s")


def _ended(shard: int, client: discord.Client, task: asyncio.Task) -> None:
    """discord.py reconnects by itself; it gives up only on a fatal close (a bad intent, a revoked token)."""
    if not task.cancelled() and task.exception() is not None and not client.is_closed():
        log.error("Discord: shard %d's gateway connection ended for good; its servers' commands go unanswered "
                  "until it is connected again", shard, exc_info=task.exception())


async def _closed(client: discord.Client, task: asyncio.Task | None) -> None:
    await client.close()
    if task is not None:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(task, CLOSE_WAIT)
