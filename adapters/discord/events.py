"""Discord scheduled events for the episodes a channel follows (`/channel events on`).

For every server channel that asked, each episode of its shows airing in the next 7 days is a
scheduled event of its server (external, at the network, from air time to the end of the
runtime): members mark themselves interested and Discord reminds them too. The calendar keeps
no state of its own: the events it made carry a reference line in their description, so each
sync lists the server's events, creates what is missing, moves what the schedule moved, and
deletes upcoming ones no channel wants any more. It syncs at start, after every `/channel`
command, and every `every` seconds (the 7-day window moves on). Its requests take slots of the
bot's 50 requests per second like every other request. It manages the servers of the shards this
process holds (their caches), so with several processes each server is synced by one of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Protocol

import discord

from bot.domain.interfaces import Inbox, Upcoming

log = logging.getLogger(__name__)

DAYS = 7
MARK = "dramabot ref: "  # the description's last line: which airing the event is


def _name(u: Upcoming) -> str:
    name = f"{u.title} · episode {u.episode}"
    return name if len(name) <= 100 else f"{u.title[:80]}… · ep. {u.episode}"


def _description(u: Upcoming) -> str:
    network = f" on {u.network}" if u.network else ""
    return f"Episode {u.episode} of {u.title}{network}.\n{MARK}{u.key}"[-1000:]


def reference(event: discord.ScheduledEvent) -> str | None:
    """The airing key an event made by the calendar stands for."""
    last = (event.description or "").rsplit("\n", 1)[-1]
    return last[len(MARK):] if last.startswith(MARK) else None


class Servers(Protocol):
    """The cached servers (and their channels) of the shards this process holds."""

    @property
    def guilds(self) -> list[discord.Guild]: ...
    def get_guild(self, guild_id: int) -> discord.Guild | None: ...
    def get_channel(self, channel_id: int) -> Any: ...


class EventCalendar:
    def __init__(self, client: discord.Client, servers: Servers, inbox: Inbox, *, slot: Callable[[], Awaitable[None]],
                 now: Callable[[], datetime], every: float = 3600.0):
        """`client` makes REST requests; `servers` are those this process manages."""
        self.client, self.servers, self.inbox, self.slot, self.now, self.every = client, servers, inbox, slot, now, every
        self._touched: set[int] = set()  # servers where this process made or checked events
        self._poked = asyncio.Event()
        self._task: asyncio.Task | None = None
        self.synced = 0  # completed syncs, for tests and logs

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="discord-events")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def poke(self) -> None:
        """Sync soon: a channel's subscriptions or its events switch may have changed."""
        self._poked.set()

    async def _run(self) -> None:
        while True:
            self._poked.clear()
            try:
                await self.sync()
            except Exception:
                log.exception("Discord: syncing scheduled events failed; trying again later")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._poked.wait(), self.every)

    async def sync(self) -> None:
        wanted: dict[int, dict[str, Upcoming]] = {}
        for chat in await self.inbox.chats_with_events("discord"):
            guild = await self._guild_of(int(chat.key))
            if guild is not None:
                for episode in await self.inbox.upcoming(chat, DAYS):
                    wanted.setdefault(guild.id, {})[episode.key] = episode
        me = self.client.user.id if self.client.user else None
        cached = {g.id for g in self.servers.guilds if any(e.creator_id == me for e in g.scheduled_events)}
        for guild_id in sorted(set(wanted) | self._touched | cached):
            guild = self.servers.get_guild(guild_id)
            if guild is None:
                continue
            try:
                await self._sync_guild(guild, wanted.get(guild_id, {}))
            except discord.Forbidden as exc:
                log.warning("Discord: no permission to manage events in server %s (%s); grant Manage Events",
                            guild_id, exc.text)
            self._touched.add(guild_id)
        self.synced += 1

    async def _guild_of(self, channel_id: int) -> discord.Guild | None:
        channel = self.servers.get_channel(channel_id)
        if channel is None:
            await self.slot()
            try:
                channel = await self.client.fetch_channel(channel_id)
            except (discord.NotFound, discord.Forbidden):
                return None
        return getattr(channel, "guild", None)

    async def _sync_guild(self, guild: discord.Guild, wanted: dict[str, Upcoming]) -> None:
        await self.slot()
        existing = await guild.fetch_scheduled_events(with_counts=False)
        me = self.client.user.id if self.client.user else None
        ours = {ref: e for e in existing if e.creator_id == me and (ref := reference(e)) is not None}
        now = self.now()
        for key, episode in wanted.items():
            event = ours.pop(key, None)
            if event is None:
                await self.slot()
                await guild.create_scheduled_event(
                    name=_name(episode), start_time=episode.start, end_time=episode.end,
                    entity_type=discord.EntityType.external, privacy_level=discord.PrivacyLevel.guild_only,
                    location=(episode.network or "TV")[:100], description=_description(episode),
                )
            elif event.start_time != episode.start or event.end_time != episode.end or event.name != _name(episode):
                await self.slot()
                await event.edit(name=_name(episode), start_time=episode.start, end_time=episode.end,
                                 location=(episode.network or "TV")[:100])
        for event in ours.values():  # no channel here follows it any more, or it moved out of the window
            if event.status is discord.EventStatus.scheduled and event.start_time > now:
                await self.slot()
                await event.delete()
