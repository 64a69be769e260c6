"""The Discord adapter: discord.py 2 in the bot's own event loop.

`connect` logs a REST client in (sends, DM channels, scheduled events, command sync: they do not
depend on shards), settles the shard count, and, unless shards are handed out by roles, opens every
shard's gateway (one `Client.connect` task each, never the blocking `run`; see shards.py), waits for
READY and syncs the slash commands (globally, and to `dev_guild` for instant updates). `set_shards`
changes the shards held while running. `listen` hands interactions, from whichever shard they came
on, to the core; `send` posts reminders and news; `stop` closes.

Chats. A fan's personal chat is their DM channel with the bot, keyed by its channel id: every
send is then one request (`POST /channels/{id}/messages`). A personal command typed anywhere
(a server, a group DM) belongs to that DM chat; its channel id is known from a command typed in
the DM, else created once (`POST /users/@me/channels`) and cached. A server channel, thread or
forum post is keyed by its own channel id; `/channel ...` commands set it up.

Pace. Discord allows 50 requests per second per bot (interaction answers excepted). There is one
limiter: the core's outbox paces sends by the limits declared here (evenly spaced, and never more
than the count in any window, however the event loop stalls), and the adapter's own requests (DM
channel creation, scheduled events) take a slot of that same pace (`Inbox.request_slot`), so the
sum never goes over; discord.py keeps each route's bucket from the `X-RateLimit-*` headers.

Replies go through the interaction: ephemeral when personal, with no mentions; a command still
working after `defer_after` seconds is deferred first (Discord gives 3 s), then followed up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

import discord
from discord import app_commands

from bot.config import DiscordConfig
from bot.domain.i18n import DEFAULT_LANGUAGE, Language, catalogue, language_of, stored_reason
from bot.domain.interfaces import (
    ChatRef,
    Clock,
    DeliveryError,
    Inbox,
    IncomingMessage,
    Limits,
    Outgoing,
    Platform,
    Rate,
    SystemClock,
    Unreachable,
)
from bot.domain.roles import Role
from bot.storage.contract import Meta

from .completion import NameCompleter
from .errors import delivery_error
from .events import EventCalendar
from .messages import NO_MENTIONS, post_of, text_of
from .shards import IDENTIFY_EVERY, IdentifyGate, ShardClient, Shards, shard_count, working
from .tree import Translator, build_tree
from .urls import pointed_at

log = logging.getLogger(__name__)

REQUESTS = Rate(47)  # per second: 3 under Discord's 50 for jitter on the way (the outbox keeps 3 % under this)
PER_CHANNEL = Rate(5, 5.0)  # messages per channel
DM_CACHE = 100_000  # users whose DM channel id is remembered
READY_TIMEOUT = 60.0
DEFER_AFTER = 1.5  # seconds a command may work before its interaction is deferred


class DiscordAdapter:
    platform: Platform = "discord"
    limits = Limits(overall=REQUESTS, per_chat=PER_CHANNEL, in_flight=16, max_in_flight=96)  # 96: 47/s at 1.6 s per answer

    def __init__(
        self,
        config: DiscordConfig,
        *,
        guild_ready_timeout: float = 2.0,
        ready_timeout: float = READY_TIMEOUT,
        defer_after: float = DEFER_AFTER,
        events_every: float = 3600.0,
        clock: Clock | None = None,
        shards_by_role: bool = False,
        identify_every: float = IDENTIFY_EVERY,
    ):
        """`shards_by_role`: `connect` opens no shard; the roles machinery calls `set_shards` (several
        processes on one database). Otherwise `connect` opens every shard of the count."""
        if not config.token:
            raise ValueError("the Discord adapter needs a bot token ([discord] token or DRAMABOT_DISCORD_TOKEN)")
        self.config = config
        self.guild_ready_timeout = guild_ready_timeout
        self.ready_timeout = ready_timeout
        self.defer_after = defer_after
        self.shards_by_role = shards_by_role
        self.client: discord.Client | None = None  # REST only: never connects to the gateway
        self.tree: app_commands.CommandTree | None = None  # the REST client's: what is synced
        self.meta: Meta | None = None  # where "auto" keeps Discord's shard count (the bot's database)
        self.shard_count = 0  # settled by `connect`
        self.shards = Shards(make=self._shard_client, token=config.token or "", ready_timeout=ready_timeout,
                             slot=self._slot)
        self._gate = IdentifyGate(identify_every)
        self.inbox: Inbox | None = None
        self.completer = NameCompleter(())
        self._completers: dict[Language, tuple[list[tuple[str, str]], NameCompleter]] = {}  # per language
        self.calendar: EventCalendar | None = None
        self.events_every = events_every
        self.clock = clock or SystemClock()  # the core's clock: which scheduled events have passed
        self._dm_channels: OrderedDict[int, int] = OrderedDict()  # user id -> DM channel id
        self._troubles: dict[int, dict[int, str]] = {}  # guild -> channel -> why posting there failed
        self._channel_guilds: OrderedDict[int, int] = OrderedDict()  # channels set up with /channel, and deleted ones
        self._urls: contextlib.ExitStack | None = None

    # ---- lifecycle -------------------------------------------------------------------------------

    def defer_shards(self) -> None:
        """Several processes share the shards: `connect` opens none; the roles machinery calls `hold_roles`."""
        self.shards_by_role = True

    def use_meta(self, meta: Meta) -> None:
        """The bot's database, where "auto" keeps the shard count Discord recommended (start-up gives it)."""
        self.meta = meta

    def _options(self) -> dict[str, Any]:
        intents = discord.Intents.none()
        intents.guilds = True  # channels, threads and roles of the servers the bot is in; not privileged
        # debug events: `socket_event_type` says when the gateway's READY arrived (see shards.until_ready)
        return {"intents": intents, "guild_ready_timeout": self.guild_ready_timeout, "enable_debug_events": True}

    def _shard_client(self, shard: int, count: int) -> ShardClient:
        """The gateway client of one shard, with a command tree answering its servers' interactions."""
        client = ShardClient(gate=self._gate, shard_id=shard, shard_count=count, **self._options())
        tree = build_tree(client, self._on_command, self._complete)
        tree.on_error = self._on_tree_error  # type: ignore[method-assign]
        client.event(self.on_guild_channel_delete)  # registered by its name
        return client

    async def connect(self) -> None:
        self._urls = contextlib.ExitStack()
        self._urls.enter_context(pointed_at(self.config.rest_url, self.config.gateway_url))
        self.client = client = discord.Client(**self._options())
        self.tree = build_tree(client, self._on_command, self._complete)
        try:
            await client.login(self.config.token)
            self.shard_count = await shard_count(self.config.shards, ask=self._recommended, meta=self.meta)
            if not self.shards_by_role:
                await self.set_shards(frozenset(range(self.shard_count)), sync=True)
        except BaseException:
            await self.stop()
            raise
        log.info("Discord: logged in as %s (application %s), %d shard(s)", client.user, client.application_id,
                 self.shard_count)

    async def _recommended(self) -> int:
        assert self.client is not None
        count, _, _ = await self.client.http.get_bot_gateway()
        return count

    async def set_shards(self, ids: frozenset[int], *, count: int | None = None, sync: bool = False) -> None:
        """Hold exactly the shards `ids` of `count` (default: the settled count): those newly in the set
        connect (each IDENTIFYs with `[id, count]`), those no longer in it close, the others are not
        touched. `sync`: then sync the slash commands (once per bot: the holder of shard 0, say).
        Sending does not depend on the shards held."""
        if self.client is None:
            raise RuntimeError("set_shards before connect: the adapter is not logged in")
        if count is not None:
            self.shard_count = count
        await self.shards.hold(ids, count=self.shard_count)
        if self.calendar is not None:
            self.calendar.poke()  # the scheduled events of the servers of shards gained are this process's now
        if sync:
            await self.sync_commands()

    @property
    def shard_roles(self) -> list[Role]:
        """The roles the bot's processes share out for this adapter: `shard:discord:<n>`, one per shard."""
        return [Role("shard", "discord", shard) for shard in range(self.shard_count)]

    async def hold_roles(self, roles: Iterable[Role]) -> None:
        """Hold the shards of the `shard:discord:<n>` roles among `roles` (what a process holds now;
        others are ignored), the roles machinery's one call on each gain or loss. The holder of shard 0
        syncs the slash commands when it gains it: once per bot, again only when shard 0 moves."""
        ids = frozenset(r.shard for r in roles if r.kind == "shard" and r.platform == "discord" and r.shard is not None)
        await self.set_shards(ids, sync=0 in ids - self.shards.held)

    async def sync_commands(self) -> None:
        assert self.tree is not None
        await self._slot()
        if self.tree.translator is None:
            await self.tree.set_translator(Translator())  # Korean description localizations
        synced = await self.tree.sync()
        log.info("Discord: %d slash commands synced globally", len(synced))
        if self.config.dev_guild:
            guild = discord.Object(self.config.dev_guild)
            self.tree.copy_global_to(guild=guild)
            await self._slot()
            await self.tree.sync(guild=guild)
            log.info("Discord: slash commands synced to the development server %s", self.config.dev_guild)

    async def listen(self, inbox: Inbox) -> None:
        self._completer_for(inbox)
        self.inbox = inbox
        assert self.client is not None
        self.calendar = EventCalendar(self.client, self.shards, inbox, slot=self._slot, now=self.clock.now,
                                      every=self.events_every)
        self.calendar.start()

    async def stop(self) -> None:
        self.inbox = None
        if self.calendar is not None:
            await self.calendar.stop()
            self.calendar = None
        await self.shards.close()
        if self.client is not None:
            await self.client.close()
        if self._urls is not None:
            self._urls.close()
            self._urls = None

    # ---- pacing ------------------------------------------------------------------------------------

    async def _slot(self) -> None:
        """Wait for a slot of the bot's one pace for a request of the adapter's own (before `listen`,
        at start-up, the few requests there are go unpaced: discord.py follows their buckets)."""
        if self.inbox is not None:
            await self.inbox.request_slot("discord")

    # ---- sending ---------------------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        """Logged in and every held shard's gateway open (the web server's /readyz asks)."""
        return self.client is not None and not self.client.is_closed() and self.shards.open

    async def send(self, chat: ChatRef, message: Outgoing) -> None:
        if self.client is None:
            raise DeliveryError("not connected to Discord")
        channel_id = int(chat.key)
        channel = self.client.get_partial_messageable(channel_id)
        try:
            await channel.send(**post_of(message))
        except Exception as exc:
            error = delivery_error(exc)
            if isinstance(error, Unreachable):
                self._note_trouble(channel_id, str(error))
            raise error from exc

    def _note_trouble(self, channel_id: int, reason: str) -> None:
        """Remember a server channel that refused, to tell that server's admins on their next command. Its
        server comes from the cache, else from a /channel command or a deletion seen since the start."""
        guild = getattr(self.shards.get_channel(channel_id), "guild", None)
        guild_id = guild.id if guild is not None else self._channel_guilds.get(channel_id)
        if guild_id is not None:
            self._troubles.setdefault(guild_id, {})[channel_id] = reason

    def _channel_in(self, channel_id: int, guild_id: int) -> None:
        self._channel_guilds[channel_id] = guild_id
        self._channel_guilds.move_to_end(channel_id)
        while len(self._channel_guilds) > DM_CACHE:
            self._channel_guilds.popitem(last=False)

    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        """A deleted channel leaves discord.py's cache: keep which server it was in, for the admins' notice."""
        self._channel_in(channel.id, channel.guild.id)

    async def dm_channel(self, user_id: int) -> int:
        """The id of the DM channel with a user, created once (a request, paced) and remembered."""
        known = self._dm_channels.get(user_id)
        if known is not None:
            self._dm_channels.move_to_end(user_id)
            return known
        assert self.client is not None
        await self._slot()
        channel = await self.client.create_dm(discord.Object(user_id))
        self._remember_dm(user_id, channel.id)
        return channel.id

    def _remember_dm(self, user_id: int, channel_id: int) -> None:
        self._dm_channels[user_id] = channel_id
        self._dm_channels.move_to_end(user_id)
        while len(self._dm_channels) > DM_CACHE:
            self._dm_channels.popitem(last=False)

    # ---- interactions ------------------------------------------------------------------------------

    def _completer_for(self, inbox: Inbox, lang: Language = DEFAULT_LANGUAGE) -> NameCompleter:
        """The autocomplete index of the live catalog in `lang`'s words: rebuilt when the catalog's
        names changed."""
        names = inbox.names(lang)
        built = self._completers.get(lang)
        if built is None or built[0] is not names:
            built = self._completers[lang] = (names, NameCompleter(names))
        if lang == DEFAULT_LANGUAGE:
            self.completer = built[1]
        return built[1]

    async def _complete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        completer = self.completer if self.inbox is None else self._completer_for(self.inbox, _language(interaction))
        return [app_commands.Choice(name=name, value=value) for name, value in completer.complete(current)]

    async def _message(self, interaction: discord.Interaction, personal: bool) -> IncomingMessage:
        """The core's view of an interaction: a personal command belongs to the user's DM chat."""
        user = interaction.user
        if not personal:
            if interaction.guild_id is not None and interaction.channel_id is not None:
                self._channel_in(interaction.channel_id, interaction.guild_id)

            async def ask_admin() -> bool:
                return interaction.guild_id is not None and interaction.permissions.manage_guild

            chat = ChatRef("discord", str(interaction.channel_id))
            return IncomingMessage(chat, str(user.id), False, "", ask_admin=ask_admin, language=str(interaction.locale))
        in_dm = isinstance(interaction.channel, discord.DMChannel) and interaction.guild_id is None and \
            interaction.context.dm_channel
        if in_dm and interaction.channel_id is not None:
            self._remember_dm(user.id, interaction.channel_id)
        dm = await self.dm_channel(user.id)
        reaches = in_dm and dm == interaction.channel_id
        return IncomingMessage(
            ChatRef("discord", str(dm)), str(user.id), True, "", reaches_chat=reaches, language=str(interaction.locale),
        )

    async def _on_command(self, interaction: discord.Interaction, path: tuple[str, ...], args: dict[str, str]) -> None:
        with working(interaction.client):  # a shard being closed waits for the answer
            await self._answer(interaction, path, args)

    async def _answer(self, interaction: discord.Interaction, path: tuple[str, ...], args: dict[str, str]) -> None:
        inbox = self.inbox
        personal = path[0] != "channel"  # the core answers /channel in the channel, the rest to the person
        if inbox is None:
            await interaction.response.send_message(_own_text(interaction, "error-starting-up"), ephemeral=True)
            return

        async def work() -> tuple[str, bool]:
            reply = await inbox.run(await self._message(interaction, personal), path, args)
            return self._troubles_note(interaction, language_of(reply.language)) + text_of(reply.body), reply.personal

        task = asyncio.ensure_future(work())
        # A personal command typed outside the DM by someone whose DM channel is not known yet waits for a
        # request (and its slot of the 50/s) first: defer at once. Anything else gets `defer_after` seconds.
        in_a_dm = isinstance(interaction.channel, discord.DMChannel)
        slow = personal and interaction.user.id not in self._dm_channels and not in_a_dm
        done, _ = await asyncio.wait({task}, timeout=0 if slow else self.defer_after)
        try:
            if not done:
                await interaction.response.defer(ephemeral=personal, thinking=True)
            try:
                text, ephemeral = await task
            except Exception:
                log.exception("Discord: /%s failed", " ".join(path))
                text, ephemeral = _own_text(interaction, "error-internal"), True
            if interaction.response.is_done():
                await interaction.followup.send(text[:2000], ephemeral=ephemeral, allowed_mentions=NO_MENTIONS)
            else:
                await interaction.response.send_message(text[:2000], ephemeral=ephemeral, allowed_mentions=NO_MENTIONS)
        except discord.NotFound:  # 10062: the 3 s had passed (a stalled event loop); the command itself ran
            log.warning("Discord: /%s was answered too late; Discord had dropped the interaction", " ".join(path))
        if path[0] == "channel" and self.calendar is not None:
            self.calendar.poke()  # subscriptions or the events switch may have changed

    def _troubles_note(self, interaction: discord.Interaction, lang: Language | None) -> str:
        """For a server admin: the channels of this server the bot could no longer post in (told once),
        in the language of the reply it comes with (else the server's)."""
        guild = interaction.guild_id
        if guild is None or guild not in self._troubles or not interaction.permissions.manage_guild:
            return ""
        lang = lang or language_of(str(interaction.guild_locale or "")) or DEFAULT_LANGUAGE
        lines = [catalogue().text(lang, "pause-admin-note", channel=f"<#{channel}>", reason=stored_reason(lang, reason))
                 for channel, reason in self._troubles.pop(guild).items()]
        return "\n".join(lines) + "\n\n"

    async def _on_tree_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        log.error("Discord command %s failed", getattr(interaction.command, "qualified_name", "?"), exc_info=error)
        with contextlib.suppress(discord.HTTPException):
            if not interaction.response.is_done():
                await interaction.response.send_message(_own_text(interaction, "error-internal"), ephemeral=True)


def _language(interaction: discord.Interaction) -> Language:
    """The language of the app of the person interacting (`interaction.locale`; any other reads English)."""
    return language_of(str(interaction.locale)) or DEFAULT_LANGUAGE


def _own_text(interaction: discord.Interaction, msg_id: str) -> str:
    """The adapter's own answer (the core did not write one) in the interacting person's language."""
    return catalogue().text(_language(interaction), msg_id)
