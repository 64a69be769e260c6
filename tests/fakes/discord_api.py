"""A small fake Discord (REST + gateway websocket) that an unmodified discord.py 2 client runs against.

    async with FakeDiscord() as server, point_discord_at(server):
        server.add_guild(GUILD, channels={CHANNEL: "general"}, members=[FAN])
        client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.05)
        tree = discord.app_commands.CommandTree(client)
        ...
        async with running(client, server.token):
            await tree.sync()
            call = await server.slash("subscribe", options={"title": "Queen"}, user=FAN, guild=GUILD, channel=CHANNEL)
            reply = await call.response()
            assert reply.ephemeral and "Queen" in reply.content

Everything listens on 127.0.0.1 on an ephemeral port. ``point_discord_at`` is the one place that touches
discord.py internals (see its docstring).

Implemented
- REST under ``/api/v9`` and ``/api/v10``: ``GET /users/@me``, ``GET /users/{id}``, ``GET /oauth2/applications/@me``,
  ``GET /gateway``, ``GET /gateway/bot``; command sync ``PUT`` (and ``GET``) ``/applications/{app}/commands`` and
  ``/applications/{app}/guilds/{guild}/commands`` (recorded, echoed with stable ids); interaction callbacks
  ``POST /interactions/{id}/{token}/callback`` (types 4, 5, 8 answered; 6, 7, 9 only recorded; ``?with_response`` answered with the
  callback resource as discord.py >= 2.5 asks); followups ``POST /webhooks/{app}/{token}``, ``GET/PATCH/DELETE
  /webhooks/{app}/{token}/messages/@original``; ``POST /users/@me/channels`` (create DM); ``GET /channels/{id}``;
  ``POST /channels/{id}/messages`` (JSON or multipart with ``payload_json``); guild scheduled events
  ``GET/POST /guilds/{id}/scheduled-events`` and ``GET/PATCH/DELETE .../scheduled-events/{event}``. Every other
  route answers a 404 JSON error naming the route, and is kept in ``server.unhandled``.
- Discord's behaviour around those routes: ``Authorization: Bot <token>`` checked (401 otherwise; interaction
  and webhook-token routes need none, as on Discord); an interaction acknowledged twice answers 400/40060; one
  answered after ``interaction_timeout`` (3 s) answers 404/10062; unknown channels 404/10003.
- Gateway at ``ws://127.0.0.1:<port>/ws``: HELLO, IDENTIFY -> READY (+ GUILD_CREATE per guild of the session's
  shard when the GUILDS intent is asked), HEARTBEAT -> HEARTBEAT_ACK, REQUEST_GUILD_MEMBERS -> one GUILD_MEMBERS_CHUNK, RESUME ->
  INVALID_SESSION (not resumable, so the client identifies afresh), presence updates recorded and ignored.
  Transport compression as the URL asks: ``compress=zlib-stream`` (one zlib stream per connection,
  Z_SYNC_FLUSH per message, binary frames; what discord.py 2.7 asks for when ``zstandard`` is not installed),
  ``zstd-stream`` when the ``zstandard`` module is importable here, otherwise plain JSON text frames.
  ``encoding=etf`` is refused with close code 4002.
- Sharding: IDENTIFY's ``shard: [id, count]`` (``[0, 1]`` when absent) is kept per session and recorded in
  ``identifies_by_shard``; a shard id not below its count is closed with 4010 (invalid shard). A guild belongs to
  shard ``(guild_id >> 22) % count``: only that shard's READY lists it and gets its GUILD_CREATE, and its
  interactions and events are dispatched on that shard's session (DMs on shard 0). A second live session
  identifying a shard already held is recorded in ``shard_conflicts`` (Discord would invalidate one of them).
  ``GET /gateway/bot`` answers ``shards`` (the recommended count, 1 unless given).
- Test drivers: ``slash`` and ``autocomplete`` build INTERACTION_CREATE payloads from the synced command's
  schema (option types 3/4/5/10 converted, 6/7/8 resolved; roles are the guild's, see ``add_guild``), ``dispatch`` sends any event, ``drop_gateway``
  closes every connection.
- Switches: ``latency`` per REST request; ``limit_global(n, per)`` and ``limit_channels(n, per)`` enforce rate
  limits with 429s shaped like Discord's (JSON body, ``Retry-After``, ``X-RateLimit-*``, ``Via``; channel buckets
  also send ``X-RateLimit-*`` on success, so discord.py can pace itself); ``via = None`` drops the ``Via`` header
  (discord.py then takes a 429 for a Cloudflare ban); ``fail_next`` (any status, e.g. 5xx), ``block_dms``
  (403/50007), ``forbid_channel`` (403/50013), ``delete_channel`` (404/10003).
- Records: ``requests`` (a Counter by route, e.g. ``"POST /channels/{channel_id}/messages"``), ``messages``
  (per channel), ``commands`` (per guild, ``None`` = global), ``scheduled_events``, ``rate_limited`` (429s
  sent), ``invalid_requests`` (401/403/429, what Discord counts toward its Cloudflare ban), ``identifies``,
  ``identifies_by_shard``, ``shard_conflicts``, ``heartbeats``, ``gateway_queries``.

discord.py 2.7 facts this fake is shaped by
- ``Client.login`` asks ``GET /users/@me`` then ``GET /oauth2/applications/@me``; ``Client.connect`` never asks
  ``GET /gateway``: it opens ``DiscordWebSocket.DEFAULT_GATEWAY`` + ``?v=10&encoding=json&compress=zlib-stream``
  (``zstd-stream`` when ``zstandard`` is importable, or Python 3.14's ``compression.zstd``).
- A REST body is parsed as JSON only when ``Content-Type`` is exactly ``application/json`` (no charset).
- A 429 without a ``Via`` header is taken for a Cloudflare ban and raised at once, not retried; 500/502/504/524
  are retried after 1 s, 3 s, ... (so tests inject 503, which is raised at once).
- ``on_ready`` fires ``guild_ready_timeout`` (default 2 s) after the last GUILD_CREATE: pass a small one.
- Every IDENTIFY but the first waits 5 s in ``Client.before_identify_hook`` (public, overridable).
- An interaction needs ``attachment_size_limit`` (KeyError without it), ``version``, ``application_id``,
  ``token``, a ``channel`` object (``interaction.channel`` comes from it; a top-level ``channel_id`` is not
  read), ``member`` with ``permissions`` in guilds or ``user``
  in DMs; ``data.guild_id`` marks a guild command; the tree looks commands up by name, not by id.

Deliberately not implemented
- Anything else of Discord's API: guild/channel/role management, reactions, threads, message edits and
  deletes outside interactions, message components and modals (their callback types are only recorded),
  attachments' bytes (only file names are kept), CDN assets, voice, max_concurrency identify buckets.
- Session resuming, zombie-connection detection, gateway send rate limits (120/60 s), privileged-intent
  refusal (4014), per-route limits other than channel messages, sub-limits, the 10 000 invalid requests ban
  itself (only counted), ETF encoding.
- Validation of payloads beyond what a test would trip on (lengths, embed limits, snowflake formats).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
import zlib
from collections import Counter, deque
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Self

from aiohttp import WSMsgType, web

DISCORD_EPOCH_MS = 1420070400000
EPHEMERAL = 1 << 6
LOADING = 1 << 7

# Permission bits (https://discord.com/developers/docs/topics/permissions).
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
READ_MESSAGE_HISTORY = 1 << 16
USE_APPLICATION_COMMANDS = 1 << 31
MANAGE_GUILD = 1 << 5
ADMINISTRATOR = 1 << 3
MANAGE_EVENTS = 1 << 33
MEMBER_PERMISSIONS = VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | READ_MESSAGE_HISTORY | USE_APPLICATION_COMMANDS
BOT_PERMISSIONS = MEMBER_PERMISSIONS | MANAGE_EVENTS

GUILDS_INTENT = 1 << 0

INTERACTION_CALLBACK_TYPES = {4, 5, 6, 7, 8, 9}


class DiscordError(Exception):
    """Raised inside a handler: becomes a Discord-shaped JSON error response."""

    def __init__(self, status: int, code: int, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass
class Sent:
    """One thing the bot said: a channel message, an interaction callback, a followup or an edit."""

    kind: str  # "message" | "callback" | "followup" | "edit"
    payload: dict[str, Any]
    id: int | None = None
    channel_id: int | None = None
    type: int | None = None  # the callback type for kind == "callback"
    files: list[str] = field(default_factory=list)

    @property
    def data(self) -> dict[str, Any]:
        """The message fields: the callback's ``data``, else the payload itself."""
        return (self.payload.get("data") or {}) if self.kind == "callback" else self.payload

    @property
    def content(self) -> str:
        return self.data.get("content") or ""

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return self.data.get("embeds") or []

    @property
    def flags(self) -> int:
        return int(self.data.get("flags") or 0)

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL)

    @property
    def allowed_mentions(self) -> dict[str, Any] | None:
        return self.data.get("allowed_mentions")

    @property
    def choices(self) -> list[dict[str, Any]]:
        return self.data.get("choices") or []


@dataclass
class Where:
    """Who runs an interaction, and where: the keywords of ``FakeDiscord.slash`` and ``autocomplete``."""

    user: int = 1001
    guild: int | None = None  # None: the user's DM with the bot
    channel: int | None = None  # None in a guild: the guild's first channel
    permissions: int | str = MEMBER_PERMISSIONS  # the member's, in a guild
    app_permissions: int | str = BOT_PERMISSIONS
    locale: str = "en-US"


class InteractionCall:
    """A dispatched interaction; await what the bot answered to it."""

    def __init__(self, payload: dict[str, Any]):
        self.payload = payload
        self.id = int(payload["id"])
        self.token: str = payload["token"]
        self.created = time.monotonic()
        self.responses: list[Sent] = []
        self.followups: list[Sent] = []
        self.edits: list[Sent] = []
        self.original_id: int | None = None
        self._changed = asyncio.Condition()

    async def _wait_for(self, items: list[Sent], index: int, what: str, timeout: float) -> Sent:
        async def ready() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: len(items) > index)

        try:
            await asyncio.wait_for(ready(), timeout)
        except TimeoutError:
            name = self.payload["data"].get("name")
            raise AssertionError(f"interaction {self.id} (/{name}): no {what} #{index} within {timeout} s") from None
        return items[index]

    async def response(self, timeout: float = 2.0) -> Sent:
        """The interaction callback (type 4 message, 5 deferred, 8 autocomplete result, ...)."""
        return await self._wait_for(self.responses, 0, "callback", timeout)

    async def followup(self, index: int = 0, timeout: float = 2.0) -> Sent:
        """The index-th followup message (``POST /webhooks/{app}/{token}``)."""
        return await self._wait_for(self.followups, index, "followup", timeout)

    async def edit(self, index: int = 0, timeout: float = 2.0) -> Sent:
        """The index-th edit of the original response (``PATCH .../messages/@original``)."""
        return await self._wait_for(self.edits, index, "edit of @original", timeout)

    async def _record(self, items: list[Sent], sent: Sent) -> None:
        async with self._changed:
            items.append(sent)
            self._changed.notify_all()


class _Transport:
    """Frames gateway payloads the way the client's ``compress`` query asked."""

    def __init__(self, compress: str | None):
        self.compress = None
        self._zlib = None
        self._zstd = None
        if compress == "zlib-stream":
            self.compress = compress
            self._zlib = zlib.compressobj()
        elif compress == "zstd-stream":
            try:
                import zstandard  # type: ignore[import-not-found]
            except ImportError:
                pass  # no compressor here: plain text frames, which discord.py reads as well
            else:
                self.compress = compress
                self._zstd = (zstandard.ZstdCompressor().compressobj(), zstandard.COMPRESSOBJ_FLUSH_BLOCK)

    def frame(self, text: str) -> bytes | str:
        raw = text.encode()
        if self._zlib is not None:
            return self._zlib.compress(raw) + self._zlib.flush(zlib.Z_SYNC_FLUSH)
        if self._zstd is not None:
            compressor, flush_block = self._zstd
            return compressor.compress(raw) + compressor.flush(flush_block)
        return text


class GatewaySession:
    """One websocket connection to the fake gateway."""

    def __init__(self, ws: web.WebSocketResponse, transport: _Transport):
        self.ws, self.transport = ws, transport
        self.sequence = 0
        self.identified = False
        self.intents = 0
        self.session_id = ""
        self.shard: tuple[int, int] = (0, 1)  # [id, count] as identified
        self._lock = asyncio.Lock()

    async def send(self, op: int, d: Any, t: str | None = None) -> None:
        async with self._lock:
            payload: dict[str, Any] = {"op": op, "d": d, "s": None, "t": t}
            if op == 0:
                self.sequence += 1
                payload["s"] = self.sequence
            frame = self.transport.frame(json.dumps(payload))
            if isinstance(frame, bytes):
                await self.ws.send_bytes(frame)
            else:
                await self.ws.send_str(frame)

    async def dispatch(self, event: str, data: Any) -> None:
        await self.send(0, data, event)


class FakeDiscord:
    """The fake: ``async with FakeDiscord() as server`` (or ``await start()`` / ``await close()``)."""

    def __init__(
        self,
        *,
        token: str = "fake-bot-token",
        application_id: int = 900_000_000_000_000_001,
        bot_id: int = 900_000_000_000_000_002,
        bot_name: str = "dramabot",
        heartbeat_interval_ms: int = 41_250,
        interaction_timeout: float = 3.0,
        shards: int = 1,
    ):
        self.token = token
        self.application_id = application_id
        self.bot_id = bot_id
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.interaction_timeout = interaction_timeout
        self.shards = shards  # the shard count GET /gateway/bot recommends
        self.latency = 0.0
        self.via: str | None = "1.1 google"

        self.users: dict[int, dict[str, Any]] = {}
        self.guilds: dict[int, dict[str, Any]] = {}
        self.channels: dict[int, dict[str, Any]] = {}
        self.dm_channels: dict[int, int] = {}  # user id -> DM channel id
        self.commands: dict[int | None, dict[str, dict[str, Any]]] = {}
        self.scheduled_events: dict[int, dict[int, dict[str, Any]]] = {}
        self.interactions: dict[int, InteractionCall] = {}

        self.requests: Counter[str] = Counter()
        self.messages: dict[int, list[Sent]] = {}
        self.unhandled: list[str] = []
        self.rate_limited = 0
        self.invalid_requests = 0
        self.identifies: list[dict[str, Any]] = []
        self.identifies_by_shard: Counter[tuple[int, int]] = Counter()  # (id, count) -> IDENTIFYs
        self.shard_conflicts: list[tuple[int, int]] = []  # shards identified while another session held them
        self.presences: list[dict[str, Any]] = []
        self.heartbeats = 0
        self.gateway_queries: list[dict[str, str]] = []
        self.sessions: list[GatewaySession] = []

        self._global_limit: tuple[int, float] | None = None
        self._global_log: deque[float] = deque()
        self._channel_limit: tuple[int, float] | None = None
        self._channel_buckets: dict[int, list[float]] = {}  # channel -> [remaining, resets_at]
        self._faults: list[tuple[str | None, int, int, str]] = []
        self._blocked_dms: set[int] = set()
        self._forbidden_channels: set[int] = set()
        self._deleted_channels: set[int] = set()
        self._ids = itertools.count(1)
        self._identified = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0

        self.add_user(bot_id, bot_name, bot=True)

    # ---- lifecycle -------------------------------------------------------------------------------------

    async def start(self) -> FakeDiscord:
        app = web.Application(middlewares=[self._middleware])
        app.router.add_get("/ws", self._gateway)
        for method, template, handler in self._routes():
            app.router.add_route(method, r"/api/v{version:\d+}" + template, handler)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def close(self) -> None:
        for session in list(self.sessions):
            await session.ws.close(code=1001)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        """What ``discord.http.Route.BASE`` must be."""
        return f"{self.url}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    # ---- world -----------------------------------------------------------------------------------------

    def snowflake(self) -> int:
        return ((int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22) | (next(self._ids) & 0x3FFFFF)

    def add_user(self, user_id: int, name: str | None = None, *, bot: bool = False) -> int:
        name = name or f"user{user_id}"
        self.users[user_id] = {
            "id": str(user_id), "username": name, "global_name": None if bot else name, "discriminator": "0",
            "avatar": None, "bot": bot, "public_flags": 0,
        }
        return user_id

    def add_guild(
        self,
        guild_id: int,
        name: str = "Drama Club",
        *,
        channels: dict[int, str] | None = None,
        members: Iterable[int] = (),
        owner_id: int | None = None,
        roles: dict[int, str] | None = None,
    ) -> int:
        """A guild the bot is in, with text channels ``{id: name}``, member user ids (added as users) and roles
        ``{id: name}`` besides @everyone (role options resolve to them)."""
        members = list(members)
        for user_id in members:
            if user_id not in self.users:
                self.add_user(user_id)
        self.guilds[guild_id] = {"id": guild_id, "name": name, "members": [self.bot_id, *members],
                                 "owner_id": owner_id or (members[0] if members else self.bot_id),
                                 "roles": [self._role(guild_id, "@everyone", 0)] + [
                                     self._role(role_id, role_name, position)
                                     for position, (role_id, role_name) in enumerate((roles or {}).items(), start=1)]}
        for position, (channel_id, channel_name) in enumerate((channels or {}).items()):
            self.channels[channel_id] = {
                "id": str(channel_id), "type": 0, "guild_id": str(guild_id), "name": channel_name,
                "position": position, "permission_overwrites": [], "nsfw": False, "parent_id": None,
                "topic": None, "rate_limit_per_user": 0, "last_message_id": None,
            }
        return guild_id

    @staticmethod
    def _role(role_id: int, name: str, position: int) -> dict[str, Any]:
        return {"id": str(role_id), "name": name, "permissions": str(MEMBER_PERMISSIONS), "position": position,
                "color": 0, "hoist": False, "managed": False, "mentionable": True, "flags": 0}

    def dm_channel(self, user_id: int) -> dict[str, Any]:
        """The DM channel with a user, created on first use (as ``POST /users/@me/channels`` does)."""
        if user_id not in self.users:
            self.add_user(user_id)
        if user_id not in self.dm_channels:
            channel_id = self.snowflake()
            self.dm_channels[user_id] = channel_id
            self.channels[channel_id] = {
                "id": str(channel_id), "type": 1, "last_message_id": None, "flags": 0,
                "recipients": [self.users[user_id]],
            }
        return self.channels[self.dm_channels[user_id]]

    def dm_messages(self, user_id: int) -> list[Sent]:
        channel_id = self.dm_channels.get(user_id)
        return self.messages.get(channel_id, []) if channel_id else []

    # ---- switches --------------------------------------------------------------------------------------

    def limit_global(self, requests: int | None, per: float = 1.0) -> None:
        """At most ``requests`` REST requests per ``per`` seconds (interaction routes exempt, as on Discord)."""
        self._global_limit = None if requests is None else (requests, per)
        self._global_log.clear()

    def limit_channels(self, messages: int | None = 5, per: float = 5.0) -> None:
        """At most ``messages`` created per channel per ``per`` seconds (Discord: 5 per 5 s)."""
        self._channel_limit = None if messages is None else (messages, per)
        self._channel_buckets.clear()

    def fail_next(self, route: str | None = None, *, status: int = 500, times: int = 1, code: int = 0,
                  message: str | None = None) -> None:
        """The next ``times`` requests to ``route`` (e.g. ``"POST /channels/{channel_id}/messages"``; None =
        any) answer ``status``."""
        text = message or {500: "500: Internal Server Error", 502: "502: Bad Gateway",
                           503: "503: Service Unavailable"}.get(status, f"{status}: injected fault")
        self._faults.extend([(route, status, code, text)] * times)

    def block_dms(self, user_id: int) -> None:
        """Messages to this user's DM channel answer 403/50007 (the user closed DMs or blocked the bot)."""
        self._blocked_dms.add(user_id)

    def forbid_channel(self, channel_id: int) -> None:
        """The bot lacks permissions there: 403/50013."""
        self._forbidden_channels.add(channel_id)

    def delete_channel(self, channel_id: int) -> None:
        """The channel is gone: 404/10003."""
        self._deleted_channels.add(channel_id)

    # ---- gateway drivers -------------------------------------------------------------------------------

    async def wait_identified(self, timeout: float = 2.0) -> GatewaySession:
        await asyncio.wait_for(self._identified.wait(), timeout)
        return self.live_sessions()[-1]

    def live_sessions(self) -> list[GatewaySession]:
        return [s for s in self.sessions if s.identified and not s.ws.closed]

    @staticmethod
    def shard_of(guild_id: int, count: int) -> int:
        """Which shard of ``count`` a guild's events go to (Discord's formula)."""
        return (guild_id >> 22) % count

    def _session(self, guild: int | None = None) -> GatewaySession:
        """The newest identified connection of the shard that owns ``guild`` (shard 0 for None: DMs)."""
        live = self.live_sessions()
        if not live:
            raise RuntimeError("no identified gateway connection: start the client first")
        owners = [s for s in live if s.shard[0] == self.shard_of(guild or 0, s.shard[1])]
        if not owners:
            held = sorted(s.shard for s in live)
            raise RuntimeError(f"no live gateway session holds the shard of guild {guild} (sessions: {held})")
        return owners[-1]

    async def dispatch(self, event: str, data: Any) -> None:
        """Send a DISPATCH event (op 0) on the newest identified connection of the shard of the event's
        ``guild_id`` (shard 0 when it names none)."""
        guild = data.get("guild_id") if isinstance(data, dict) else None
        await self._session(int(guild) if guild else None).dispatch(event, data)

    async def drop_gateway(self, code: int = 1001) -> None:
        """Close every gateway connection from the server side."""
        self._identified.clear()
        for session in list(self.sessions):
            await session.ws.close(code=code)

    async def slash(self, name: str, options: dict[str, Any] | None = None, **where: Any) -> InteractionCall:
        """Dispatch a slash command as a user typed it; ``name`` may be ``"group sub"``; ``where`` takes the
        fields of ``Where`` (user, guild, channel, permissions, app_permissions, locale). The command must have
        been synced (globally or to the guild). Returns at once; await the call's ``response()`` /
        ``followup()`` / ``edit()``."""
        return await self._interaction(2, name, options or {}, None, Where(**where))

    async def autocomplete(self, name: str, focused: str, options: dict[str, Any] | None = None, *,
                           timeout: float = 2.0, **where: Any) -> list[dict[str, Any]]:
        """Dispatch an autocomplete interaction while the user types option ``focused`` (its partial value in
        ``options``, "" if absent; ``where`` as for ``slash``); returns the choices the bot answered
        (``[{"name": ..., "value": ...}]``)."""
        options = dict(options or {})
        options.setdefault(focused, "")
        call = await self._interaction(4, name, options, focused, Where(**where))
        response = await call.response(timeout)
        if response.type != 8:
            raise AssertionError(f"autocomplete answered with callback type {response.type}, not 8")
        return response.choices

    async def _interaction(self, kind: int, name: str, options: dict[str, Any], focused: str | None,
                           where: Where) -> InteractionCall:
        session = self._session(where.guild)
        user, guild, channel, locale = where.user, where.guild, where.channel, where.locale
        if user not in self.users:
            self.add_user(user)
        path = name.split()
        command = self._command(path[0], guild)
        resolved: dict[str, dict[str, Any]] = {}
        built = self._options(command.get("options", []), path[1:], options, focused, guild, resolved, kind)
        data: dict[str, Any] = {"id": command["id"], "name": path[0], "type": 1, "options": built}
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        if resolved:
            data["resolved"] = resolved
        interaction_id = self.snowflake()
        payload: dict[str, Any] = {
            "id": str(interaction_id), "application_id": str(self.application_id), "type": kind, "data": data,
            "token": f"itoken-{interaction_id}", "version": 1, "locale": locale,
            "app_permissions": str(where.app_permissions), "entitlements": [], "attachment_size_limit": 10 * 1024 * 1024,
        }
        if guild is not None:
            if guild not in self.guilds:
                raise LookupError(f"guild {guild} was never added")
            channel = channel if channel is not None else next(
                (int(c["id"]) for c in self.channels.values() if c.get("guild_id") == str(guild)), None)
            if channel is None:
                raise LookupError(f"guild {guild} has no channel to run the command in")
            payload.update(
                guild_id=str(guild), channel_id=str(channel), channel=self.channels[channel],
                guild={"id": str(guild), "locale": "en-US", "features": []}, guild_locale="en-US",
                member=self._member(guild, user, where.permissions), context=0,
                authorizing_integration_owners={"0": str(guild)},
            )
        else:
            dm = self.dm_channel(user)
            payload.update(channel_id=dm["id"], channel=dm, user=self.users[user], context=1,
                           authorizing_integration_owners={"0": "0"})
        call = InteractionCall(payload)
        self.interactions[interaction_id] = call
        await session.dispatch("INTERACTION_CREATE", payload)
        return call

    def _command(self, name: str, guild: int | None) -> dict[str, Any]:
        for scope in ((guild, None) if guild is not None else (None,)):
            if name in self.commands.get(scope, {}):
                return self.commands[scope][name]
        where = f"to guild {guild} or " if guild else ""
        raise LookupError(f"/{name} was never synced {where}globally; "
                          f"synced: { {k: sorted(v) for k, v in self.commands.items()} }")

    def _options(self, schema: list[dict[str, Any]], path: list[str], given: dict[str, Any], focused: str | None,
                 guild: int | None, resolved: dict[str, dict[str, Any]], kind: int) -> list[dict[str, Any]]:
        if path:
            sub = next((o for o in schema if o["name"] == path[0] and o.get("type") in (1, 2)), None)
            if sub is None:
                raise LookupError(f"no subcommand {path[0]!r} in {[o['name'] for o in schema]}")
            inner = self._options(sub.get("options", []), path[1:], given, focused, guild, resolved, kind)
            return [{"name": sub["name"], "type": sub["type"], "options": inner}]
        by_name = {o["name"]: o for o in schema}
        unknown = set(given) - set(by_name)
        if unknown:
            raise LookupError(f"no option(s) {sorted(unknown)}; the command has {sorted(by_name)}")
        if kind == 2:
            missing = [o["name"] for o in schema if o.get("required") and o["name"] not in given]
            if missing:
                raise ValueError(f"required option(s) {missing} missing (Discord's client would not send this)")
        built = []
        for key, value in given.items():
            option_type = by_name[key].get("type", 3)
            option = {"name": key, "type": option_type, "value": self._value(option_type, value, guild, resolved)}
            if key == focused:
                option.update(value=str(value), focused=True)
            built.append(option)
        return built

    def _value(self, option_type: int, value: Any, guild: int | None, resolved: dict[str, dict[str, Any]]) -> Any:
        if option_type == 4:
            return int(value)
        if option_type == 10:
            return float(value)
        if option_type == 5:
            return bool(value)
        if option_type in (6, 9) and int(value) in self.users:
            resolved.setdefault("users", {})[str(value)] = self.users[int(value)]
            if guild is not None and int(value) in self.guilds[guild]["members"]:
                member = self._member(guild, int(value), MEMBER_PERMISSIONS)
                member.pop("user")
                resolved.setdefault("members", {})[str(value)] = member
            return str(value)
        if option_type == 8 and guild is not None:
            role = next((r for r in self.guilds[guild]["roles"] if r["id"] == str(value)), None)
            if role is not None:
                resolved.setdefault("roles", {})[str(value)] = role
            return str(value)
        if option_type == 7 and int(value) in self.channels:
            resolved.setdefault("channels", {})[str(value)] = self.channels[int(value)] | {
                "permissions": str(BOT_PERMISSIONS)}
            return str(value)
        return str(value)  # strings, and snowflakes the fake knows nothing about

    def _member(self, guild: int, user: int, permissions: int | str) -> dict[str, Any]:
        return {
            "user": self.users[user], "roles": [], "joined_at": "2024-01-01T00:00:00+00:00", "deaf": False,
            "mute": False, "flags": 0, "pending": False, "nick": None, "avatar": None,
            "permissions": str(permissions),
        }

    def _guild_payload(self, guild_id: int) -> dict[str, Any]:
        guild = self.guilds[guild_id]
        members = [self._member(guild_id, u, BOT_PERMISSIONS) for u in guild["members"]]
        for member in members:
            member.pop("permissions")
        return {
            "id": str(guild_id), "name": guild["name"], "owner_id": str(guild["owner_id"]), "icon": None,
            "unavailable": False, "member_count": len(members), "large": False, "features": [],
            "preferred_locale": "en-US", "verification_level": 0, "default_message_notifications": 0,
            "explicit_content_filter": 0, "mfa_level": 0, "nsfw_level": 0, "premium_tier": 0,
            "system_channel_id": None, "joined_at": "2024-01-01T00:00:00+00:00",
            "roles": guild["roles"],
            "channels": [c for c in self.channels.values() if c.get("guild_id") == str(guild_id)],
            "members": members, "threads": [], "emojis": [], "stickers": [], "voice_states": [], "presences": [],
            "stage_instances": [], "guild_scheduled_events": list(self.scheduled_events.get(guild_id, {}).values()),
            "soundboard_sounds": [],
        }

    # ---- gateway ---------------------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.StreamResponse:
        query = dict(request.query)
        self.gateway_queries.append(query)
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        session = GatewaySession(ws, _Transport(query.get("compress")))
        if query.get("encoding", "json") != "json":
            await ws.close(code=4002, message=b"the fake speaks JSON only")
            return ws
        self.sessions.append(session)
        try:
            await session.send(10, {"heartbeat_interval": self.heartbeat_interval_ms})
            async for frame in ws:
                if frame.type is not WSMsgType.TEXT:
                    await ws.close(code=4002, message=b"decode error")
                    break
                await self._on_gateway_message(session, json.loads(frame.data))
        finally:
            self.sessions.remove(session)
        return ws

    async def _on_gateway_message(self, session: GatewaySession, message: dict[str, Any]) -> None:
        op, d = message.get("op"), message.get("d")
        if op == 1:
            self.heartbeats += 1
            await session.send(11, None)
        elif op == 2:
            await self._identify(session, d)
        elif op == 6:
            await session.send(9, False)  # not resumable: the client identifies afresh
        elif op == 3:
            self.presences.append(d)
        elif op == 8:
            guild_id = int(d["guild_id"])
            members = self._guild_payload(guild_id)["members"] if guild_id in self.guilds else []
            await session.dispatch("GUILD_MEMBERS_CHUNK", {
                "guild_id": str(guild_id), "members": members, "chunk_index": 0, "chunk_count": 1,
                "not_found": [], "nonce": d.get("nonce")})
        else:
            await session.ws.close(code=4001, message=b"unknown opcode")

    async def _identify(self, session: GatewaySession, d: dict[str, Any]) -> None:
        if session.identified:
            await session.ws.close(code=4005, message=b"already authenticated")
            return
        if d.get("token") != self.token:
            await session.ws.close(code=4004, message=b"authentication failed")
            return
        shard_id, count = (int(n) for n in d.get("shard") or (0, 1))
        if not 0 <= shard_id < count:
            await session.ws.close(code=4010, message=b"invalid shard")
            return
        if any(s.shard == (shard_id, count) for s in self.live_sessions()):
            self.shard_conflicts.append((shard_id, count))
        self.identifies.append(d)
        self.identifies_by_shard[shard_id, count] += 1
        session.identified = True
        session.shard = (shard_id, count)
        session.intents = int(d.get("intents", 0))
        session.session_id = f"session-{self.snowflake()}"
        guilds = [g for g in self.guilds if self.shard_of(g, count) == shard_id]
        await session.dispatch("READY", {
            "v": 10, "user": self.users[self.bot_id], "session_id": session.session_id,
            "resume_gateway_url": self.gateway_url, "shard": [shard_id, count],
            "application": {"id": str(self.application_id), "flags": 0},
            "guilds": [{"id": str(g), "unavailable": True} for g in guilds],
            "private_channels": [], "relationships": [], "presences": [],
        })
        if session.intents & GUILDS_INTENT:
            for guild_id in guilds:
                await session.dispatch("GUILD_CREATE", self._guild_payload(guild_id))
        self._identified.set()

    # ---- REST plumbing ---------------------------------------------------------------------------------

    def _routes(self) -> list[tuple[str, str, Callable[..., Any]]]:
        return [
            ("GET", "/users/@me", self._get_me),
            ("GET", "/users/{user_id}", self._get_user),
            ("GET", "/oauth2/applications/@me", self._get_application),
            ("GET", "/gateway", self._get_gateway),
            ("GET", "/gateway/bot", self._get_gateway_bot),
            ("GET", "/applications/{application_id}/commands", self._get_commands),
            ("PUT", "/applications/{application_id}/commands", self._put_commands),
            ("GET", "/applications/{application_id}/guilds/{guild_id}/commands", self._get_commands),
            ("PUT", "/applications/{application_id}/guilds/{guild_id}/commands", self._put_commands),
            ("POST", "/interactions/{interaction_id}/{interaction_token}/callback", self._callback),
            ("POST", "/webhooks/{application_id}/{interaction_token}", self._followup),
            ("GET", "/webhooks/{application_id}/{interaction_token}/messages/@original", self._original),
            ("PATCH", "/webhooks/{application_id}/{interaction_token}/messages/@original", self._original),
            ("DELETE", "/webhooks/{application_id}/{interaction_token}/messages/@original", self._original),
            ("POST", "/users/@me/channels", self._create_dm),
            ("GET", "/channels/{channel_id}", self._get_channel),
            ("POST", "/channels/{channel_id}/messages", self._create_message),
            ("GET", "/guilds/{guild_id}/scheduled-events", self._list_events),
            ("POST", "/guilds/{guild_id}/scheduled-events", self._create_event),
            ("GET", "/guilds/{guild_id}/scheduled-events/{event_id}", self._event),
            ("PATCH", "/guilds/{guild_id}/scheduled-events/{event_id}", self._event),
            ("DELETE", "/guilds/{guild_id}/scheduled-events/{event_id}", self._event),
        ]

    @staticmethod
    def _route_key(request: web.Request) -> str | None:
        info = request.match_info.route.resource
        canonical = info.canonical if info is not None else ""
        if canonical == "/ws" or not canonical.startswith("/api/"):
            return None
        return f"{request.method} {canonical.split('}', 1)[1]}"

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Via": self.via} if self.via else {}
        return headers | (extra or {})

    def _error(self, status: int, code: int, message: str, headers: dict[str, str] | None = None,
               **extra: Any) -> web.Response:
        if status in (401, 403, 429):
            self.invalid_requests += 1
        if status == 429:
            self.rate_limited += 1
        return self._json({"message": message, "code": code, **extra}, status, headers)

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Callable[..., Any]) -> web.StreamResponse:
        route = self._route_key(request)
        if route is None:
            return await handler(request)
        self.requests[route] += 1
        if self.latency:
            await asyncio.sleep(self.latency)
        token_route = route.startswith(("POST /interactions/", "GET /webhooks/", "POST /webhooks/",
                                        "PATCH /webhooks/", "DELETE /webhooks/"))
        if not token_route and request.headers.get("Authorization") != f"Bot {self.token}":
            return self._error(401, 0, "401: Unauthorized")
        for index, (fault_route, status, code, message) in enumerate(self._faults):
            if fault_route in (None, route):
                del self._faults[index]
                return self._error(status, code, message)
        if self._global_limit and not token_route:
            limited = self._check_global()
            if limited is not None:
                return limited
        try:
            return await handler(request)
        except DiscordError as error:
            return self._error(error.status, error.code, error.message)

    def _check_global(self) -> web.Response | None:
        assert self._global_limit is not None
        limit, per = self._global_limit
        now = time.monotonic()
        while self._global_log and self._global_log[0] <= now - per:
            self._global_log.popleft()
        if len(self._global_log) >= limit:
            oldest = self._global_log[0] if self._global_log else now
            retry_after = max(round(oldest + per - now, 3), 0.001)
            headers = {"Retry-After": str(max(1, round(retry_after))), "X-RateLimit-Global": "true",
                       "X-RateLimit-Scope": "global"}
            return self._error(429, 0, "You are being rate limited.", headers, retry_after=retry_after,
                               **{"global": True})
        self._global_log.append(now)
        return None

    def _channel_bucket(self, channel_id: int) -> tuple[web.Response | None, dict[str, str]]:
        """Take one from the channel's message bucket: (a 429 response or None, headers for a success)."""
        if self._channel_limit is None:
            return None, {}
        limit, per = self._channel_limit
        now = time.monotonic()
        bucket = self._channel_buckets.setdefault(channel_id, [limit, now + per])
        if now >= bucket[1]:
            bucket[:] = [limit, now + per]
        reset_after = max(bucket[1] - now, 0.001)
        headers = {"X-RateLimit-Limit": str(limit), "X-RateLimit-Reset-After": f"{reset_after:.3f}",
                   "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}", "X-RateLimit-Bucket": "fake-messages"}
        if bucket[0] <= 0:
            headers |= {"X-RateLimit-Remaining": "0", "Retry-After": str(max(1, round(reset_after))),
                        "X-RateLimit-Scope": "user"}
            return self._error(429, 0, "You are being rate limited.", headers, retry_after=round(reset_after, 3),
                               **{"global": False}), {}
        bucket[0] -= 1
        return None, headers | {"X-RateLimit-Remaining": str(int(bucket[0]))}

    async def _not_found(self, request: web.Request) -> web.Response:
        self.unhandled.append(f"{request.method} {request.path}")
        return self._json(
            {"message": f"404: Not Found (the fake Discord does not implement {request.method} {request.path})",
             "code": 0}, 404)

    def _json(self, data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
        # exactly "application/json": discord.py's json_or_text takes anything else (even with "; charset=utf-8",
        # which aiohttp's json_response adds) for a text body
        return web.Response(body=json.dumps(data).encode(), status=status,
                            headers=self._headers(headers) | {"Content-Type": "application/json"})

    def _no_content(self) -> web.Response:
        return web.Response(status=204, headers=self._headers())

    @staticmethod
    async def _body(request: web.Request) -> tuple[dict[str, Any], list[str]]:
        """The JSON payload, from a JSON body or a multipart ``payload_json`` part, and any file names."""
        if request.content_type.startswith("multipart/"):
            payload: dict[str, Any] = {}
            files: list[str] = []
            reader = await request.multipart()
            async for part in reader:
                if part.name == "payload_json":
                    payload = json.loads(await part.text())
                else:
                    files.append(part.filename or part.name or "")
                    await part.read()
            return payload, files
        if not request.can_read_body:
            return {}, []
        return await request.json(), []

    def _check_application(self, request: web.Request) -> None:
        if int(request.match_info["application_id"]) != self.application_id:
            raise DiscordError(404, 10002, "Unknown Application")

    def _message(self, channel_id: int | None, payload: dict[str, Any], message_id: int | None = None,
                 **extra: Any) -> dict[str, Any]:
        message_id = message_id or self.snowflake()
        return {
            "id": str(message_id), "channel_id": str(channel_id or 0), "type": 0,
            "content": payload.get("content") or "", "author": self.users[self.bot_id],
            "timestamp": "2024-01-01T00:00:00+00:00", "edited_timestamp": None, "tts": bool(payload.get("tts")),
            "mention_everyone": False, "mentions": [], "mention_roles": [], "attachments": [],
            "embeds": payload.get("embeds") or [], "pinned": False, "flags": int(payload.get("flags") or 0),
            "components": payload.get("components") or [], **extra,
        }

    # ---- REST handlers ---------------------------------------------------------------------------------

    async def _get_me(self, request: web.Request) -> web.Response:
        return self._json(self.users[self.bot_id] | {"verified": True, "mfa_enabled": False, "flags": 0})

    async def _get_user(self, request: web.Request) -> web.Response:
        user = self.users.get(int(request.match_info["user_id"]))
        if user is None:
            raise DiscordError(404, 10013, "Unknown User")
        return self._json(user)

    async def _get_application(self, request: web.Request) -> web.Response:
        return self._json({
            "id": str(self.application_id), "name": self.users[self.bot_id]["username"], "description": "",
            "icon": None, "bot_public": False, "bot_require_code_grant": False, "verify_key": "0" * 64,
            "owner": {"id": "1", "username": "owner", "discriminator": "0", "avatar": None}, "team": None, "flags": 0,
            "bot": self.users[self.bot_id], "redirect_uris": [], "interactions_endpoint_url": None,
            "integration_types_config": {"0": {}},
        })

    async def _get_gateway(self, request: web.Request) -> web.Response:
        return self._json({"url": self.gateway_url})

    async def _get_gateway_bot(self, request: web.Request) -> web.Response:
        return self._json({"url": self.gateway_url, "shards": self.shards, "session_start_limit": {
            "total": 1000, "remaining": 999, "reset_after": 14_400_000, "max_concurrency": 1}})

    async def _get_commands(self, request: web.Request) -> web.Response:
        self._check_application(request)
        scope = int(request.match_info["guild_id"]) if "guild_id" in request.match_info else None
        return self._json(list(self.commands.get(scope, {}).values()))

    async def _put_commands(self, request: web.Request) -> web.Response:
        self._check_application(request)
        scope = int(request.match_info["guild_id"]) if "guild_id" in request.match_info else None
        if scope is not None and scope not in self.guilds:
            raise DiscordError(403, 50001, "Missing Access")
        previous = self.commands.get(scope, {})
        synced: dict[str, dict[str, Any]] = {}
        for command in (await self._body(request))[0]:
            name = command["name"]
            old_id = previous.get(name, {}).get("id")
            synced[name] = command | {
                "id": old_id or str(self.snowflake()), "application_id": str(self.application_id),
                "version": str(self.snowflake()), "type": command.get("type", 1),
                "description": command.get("description", ""), "options": command.get("options", []),
            } | ({"guild_id": str(scope)} if scope is not None else {})
        self.commands[scope] = synced
        return self._json(list(synced.values()))

    def _call(self, request: web.Request) -> InteractionCall:
        token = request.match_info["interaction_token"]
        call = next((c for c in self.interactions.values() if c.token == token), None)
        if call is None or ("interaction_id" in request.match_info
                            and int(request.match_info["interaction_id"]) != call.id):
            raise DiscordError(404, 10062, "Unknown interaction")
        if "application_id" in request.match_info:
            self._check_application(request)
        return call

    async def _callback(self, request: web.Request) -> web.Response:
        call = self._call(request)
        if time.monotonic() - call.created > self.interaction_timeout:
            raise DiscordError(404, 10062, "Unknown interaction")
        if call.responses:
            raise DiscordError(400, 40060, "Interaction has already been acknowledged.")
        payload, files = await self._body(request)
        kind = payload.get("type")
        if kind not in INTERACTION_CALLBACK_TYPES:
            raise DiscordError(400, 50035, f"Invalid Form Body (callback type {kind!r})")
        sent = Sent("callback", payload, type=kind, channel_id=int(call.payload["channel_id"]), files=files)
        if kind in (4, 5):
            sent.id = call.original_id = self.snowflake()
        await call._record(call.responses, sent)
        if "with_response" not in request.query:
            return self._no_content()
        flags = sent.flags | (LOADING if kind == 5 else 0)
        answer: dict[str, Any] = {"interaction": {
            "id": str(call.id), "type": call.payload["type"], "response_message_loading": kind == 5,
            "response_message_ephemeral": bool(flags & EPHEMERAL)}}
        if sent.id is not None:
            answer["interaction"]["response_message_id"] = str(sent.id)
            message = self._message(sent.channel_id, sent.data | {"flags": flags}, sent.id,
                                    webhook_id=str(self.application_id), application_id=str(self.application_id))
            answer["resource"] = {"type": kind, "message": message}
        return self._json(answer)

    async def _followup(self, request: web.Request) -> web.Response:
        call = self._call(request)
        if not call.responses:
            raise DiscordError(404, 10015, "Unknown Webhook")
        payload, files = await self._body(request)
        sent = Sent("followup", payload, id=self.snowflake(), channel_id=int(call.payload["channel_id"]), files=files)
        await call._record(call.followups, sent)
        if request.query.get("wait") not in ("1", "true", "True"):
            return self._no_content()
        return self._json(self._message(sent.channel_id, payload, sent.id, webhook_id=str(self.application_id)))

    async def _original(self, request: web.Request) -> web.Response:
        call = self._call(request)
        if call.original_id is None:
            raise DiscordError(404, 10008, "Unknown Message")
        channel_id = int(call.payload["channel_id"])
        if request.method == "DELETE":
            call.original_id = None
            return self._no_content()
        if request.method == "PATCH":
            payload, files = await self._body(request)
            await call._record(call.edits, Sent("edit", payload, id=call.original_id, channel_id=channel_id,
                                                files=files))
        latest = (call.edits[-1] if call.edits else call.responses[0]).data
        return self._json(self._message(channel_id, latest, call.original_id, webhook_id=str(self.application_id)))

    async def _create_dm(self, request: web.Request) -> web.Response:
        payload, _ = await self._body(request)
        return self._json(self.dm_channel(int(payload["recipient_id"])))

    def _channel(self, request: web.Request) -> tuple[int, dict[str, Any]]:
        channel_id = int(request.match_info["channel_id"])
        channel = self.channels.get(channel_id)
        if channel is None or channel_id in self._deleted_channels:
            raise DiscordError(404, 10003, "Unknown Channel")
        if channel_id in self._forbidden_channels:
            raise DiscordError(403, 50013, "Missing Permissions")
        return channel_id, channel

    async def _get_channel(self, request: web.Request) -> web.Response:
        return self._json(self._channel(request)[1])

    async def _create_message(self, request: web.Request) -> web.Response:
        channel_id, channel = self._channel(request)
        if channel["type"] == 1 and int(channel["recipients"][0]["id"]) in self._blocked_dms:
            raise DiscordError(403, 50007, "Cannot send messages to this user")
        limited, headers = self._channel_bucket(channel_id)
        if limited is not None:
            return limited
        payload, files = await self._body(request)
        if not (payload.get("content") or payload.get("embeds") or files or payload.get("components")
                or payload.get("sticker_ids") or payload.get("poll")):
            raise DiscordError(400, 50006, "Cannot send an empty message")
        sent = Sent("message", payload, id=self.snowflake(), channel_id=channel_id, files=files)
        self.messages.setdefault(channel_id, []).append(sent)
        extra = {"guild_id": channel["guild_id"]} if "guild_id" in channel else {}
        return self._json(self._message(channel_id, payload, sent.id, **extra), headers=headers)

    def _guild(self, request: web.Request) -> int:
        guild_id = int(request.match_info["guild_id"])
        if guild_id not in self.guilds:
            raise DiscordError(404, 10004, "Unknown Guild")
        return guild_id

    async def _list_events(self, request: web.Request) -> web.Response:
        return self._json(list(self.scheduled_events.get(self._guild(request), {}).values()))

    async def _create_event(self, request: web.Request) -> web.Response:
        guild_id = self._guild(request)
        payload, _ = await self._body(request)
        missing = [k for k in ("name", "scheduled_start_time", "entity_type", "privacy_level") if k not in payload]
        if missing:
            raise DiscordError(400, 50035, f"Invalid Form Body (missing {missing})")
        event_id = self.snowflake()
        event = {
            "id": str(event_id), "guild_id": str(guild_id), "creator_id": str(self.bot_id),
            "creator": self.users[self.bot_id], "status": 1, "description": None, "channel_id": None,
            "scheduled_end_time": None, "entity_id": None, "entity_metadata": None, "image": None, "user_count": 0,
        } | payload
        self.scheduled_events.setdefault(guild_id, {})[event_id] = event
        return self._json(event)

    async def _event(self, request: web.Request) -> web.Response:
        events = self.scheduled_events.get(self._guild(request), {})
        event_id = int(request.match_info["event_id"])
        if event_id not in events:
            raise DiscordError(404, 10070, "Unknown Guild Scheduled Event")
        if request.method == "DELETE":
            del events[event_id]
            return self._no_content()
        if request.method == "PATCH":
            events[event_id] |= (await self._body(request))[0]
        return self._json(events[event_id])


@contextlib.contextmanager
def point_discord_at(server: FakeDiscord) -> Iterator[None]:
    """Point discord.py at the fake for the duration of the block, then restore it.

    The only code here that touches discord.py internals; there is no public option for either. It sets:
    - ``discord.http.Route.BASE`` (class variable, the REST base including ``/api/v10``): every REST call and
      every interaction webhook builds its URL from it when its ``Route`` is created.
    - ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY`` (class variable, a ``yarl.URL``): ``Client.connect``
      opens the gateway there without asking ``GET /gateway`` (``AutoShardedClient`` asks ``GET /gateway/bot``,
      which the fake answers with its own URL); the client appends ``?v=10&encoding=json&compress=...``.
    """
    import yarl
    from discord.gateway import DiscordWebSocket
    from discord.http import Route

    saved = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    Route.BASE = server.api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(server.gateway_url)
    try:
        yield
    finally:
        Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = saved


@contextlib.asynccontextmanager
async def running(client: Any, token: str, *, timeout: float = 2.0, reconnect: bool = False) -> AsyncIterator[Any]:
    """Log ``client`` in, connect it, wait for ``on_ready``, yield it; close it and its connection task after.

    Public discord.py API only (``async with client``, ``login``, ``connect``, ``wait_until_ready``, ``close``).
    Build the client with a small ``guild_ready_timeout`` (e.g. 0.05): discord.py waits that long (default 2 s)
    after the last GUILD_CREATE before it fires ``on_ready``.
    """
    async with client:
        await client.login(token)
        task = asyncio.create_task(client.connect(reconnect=reconnect))
        try:
            ready = asyncio.create_task(client.wait_until_ready())
            done, _ = await asyncio.wait({ready, task}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            if ready not in done:
                ready.cancel()
                if task in done:
                    task.result()  # raises what the connection died of
                raise TimeoutError(f"on_ready did not fire within {timeout} s")
            yield client
        finally:
            await client.close()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(task, timeout)
