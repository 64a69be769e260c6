"""The fake Discord, driven by discord.py's real Client and CommandTree (no client.run, no patched methods)."""

from __future__ import annotations

import asyncio
import gc
import json
import time
import warnings
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Self

import aiohttp
import discord
import pytest
from discord import app_commands

from tests.fakes.discord_api import (
    ADMINISTRATOR,
    EPHEMERAL,
    MANAGE_GUILD,
    FakeDiscord,
    point_discord_at,
    running,
)

GUILD = 700_000_000_000_000_001
CHANNEL = 710_000_000_000_000_001
NEWS = 710_000_000_000_000_002
FAN = 1001
TITLES = ["Queen of Tears", "The Interest of Love", "Lovely Runner", "Queenmaker"]
MESSAGES = "POST /channels/{channel_id}/messages"


@dataclass
class Bot:
    client: discord.Client
    tree: app_commands.CommandTree
    ready: list[str]
    interactions: list[discord.Interaction]


class QuickReidentify(discord.Client):
    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py's own sleeps 5 s before every IDENTIFY but the first (Discord's identify rate limit)."""


def make_bot(client_class: type[discord.Client] = discord.Client, **options: int) -> Bot:
    client = client_class(intents=discord.Intents.default(), guild_ready_timeout=0.05, **options)
    tree = app_commands.CommandTree(client)
    bot = Bot(client, tree, [], [])

    @client.event
    async def on_ready() -> None:
        bot.ready.append(client.user.name)

    @client.event
    async def on_interaction(interaction: discord.Interaction) -> None:
        bot.interactions.append(interaction)

    @tree.command(name="subscribe", description="Get reminders for a drama")
    async def subscribe(interaction: discord.Interaction, title: str, hours: int = 1) -> None:
        place = interaction.guild.name if interaction.guild else "DM"
        await interaction.response.send_message(f"{title} in {hours} h ({place})", ephemeral=True)

    @subscribe.autocomplete("title")
    async def titles(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=t, value=t) for t in TITLES if current.lower() in t.lower()]

    @tree.command(name="announce", description="Admins only")
    async def announce(interaction: discord.Interaction) -> None:
        allowed = interaction.permissions.manage_guild
        await interaction.response.send_message("posted" if allowed else "not allowed", ephemeral=not allowed)

    @tree.command(name="news", description="Deferred, then a followup")
    async def news(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.followup.send("three articles", embed=discord.Embed(title="Lovely Runner"))

    return bot


@pytest.fixture
async def server() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as fake:
        fake.add_guild(GUILD, "Drama Club", channels={CHANNEL: "general", NEWS: "news"}, members=[FAN])
        with point_discord_at(fake):
            yield fake


@pytest.fixture
async def bot(server: FakeDiscord) -> AsyncIterator[Bot]:
    bot = make_bot()
    async with running(bot.client, server.token):
        yield bot


async def test_login_identify_ready_and_on_ready(server: FakeDiscord, bot: Bot) -> None:
    assert bot.ready == ["dramabot"]
    assert server.requests["GET /users/@me"] == 1
    assert server.requests["GET /oauth2/applications/@me"] == 1
    assert bot.client.user.id == server.bot_id
    assert bot.client.application_id == server.application_id
    [identify] = server.identifies
    assert identify["token"] == server.token and identify["intents"] == discord.Intents.default().value
    [query] = server.gateway_queries
    assert query["v"] == "10" and query["encoding"] == "json"
    assert query["compress"] in ("zlib-stream", "zstd-stream")  # discord.py always asks for transport compression
    assert server.heartbeats >= 1  # sent at once on HELLO
    channel = bot.client.get_guild(GUILD).get_channel(CHANNEL)
    assert isinstance(channel, discord.TextChannel) and channel.name == "general"
    assert server.unhandled == []


async def test_a_wrong_token_is_a_login_failure(server: FakeDiscord) -> None:
    client = discord.Client(intents=discord.Intents.default())
    async with client:
        with pytest.raises(discord.LoginFailure):
            await client.login("not-the-token")
    assert server.invalid_requests == 1


async def test_global_sync_is_recorded_and_echoed_with_ids(server: FakeDiscord, bot: Bot) -> None:
    synced = await bot.tree.sync()
    assert server.requests["PUT /applications/{application_id}/commands"] == 1
    assert sorted(server.commands[None]) == ["announce", "news", "subscribe"]
    recorded = server.commands[None]["subscribe"]
    assert [(o["name"], o["type"], o.get("required", False)) for o in recorded["options"]] == [
        ("title", 3, True), ("hours", 4, False)]
    assert recorded["options"][0]["autocomplete"] is True
    assert {c.name: c.id for c in synced} == {n: int(c["id"]) for n, c in server.commands[None].items()}
    again = await bot.tree.sync()
    assert {c.id for c in again} == {c.id for c in synced}  # Discord keeps a command's id across syncs


async def test_guild_sync_goes_to_the_guild_route(server: FakeDiscord, bot: Bot) -> None:
    guild = discord.Object(GUILD)
    bot.tree.copy_global_to(guild=guild)
    await bot.tree.sync(guild=guild)
    assert server.requests["PUT /applications/{application_id}/guilds/{guild_id}/commands"] == 1
    assert server.commands[GUILD]["subscribe"]["guild_id"] == str(GUILD)
    call = await server.slash("subscribe", {"title": "Queenmaker"}, guild=GUILD)
    assert (await call.response()).content == "Queenmaker in 1 h (Drama Club)"
    assert call.payload["data"]["guild_id"] == str(GUILD)


async def test_slash_in_a_guild_is_answered_ephemerally(server: FakeDiscord, bot: Bot) -> None:
    await bot.tree.sync()
    call = await server.slash("subscribe", {"title": "Queen of Tears", "hours": "3"}, user=FAN, guild=GUILD,
                              channel=NEWS)
    reply = await call.response()
    assert reply.type == 4 and reply.ephemeral and reply.flags == EPHEMERAL
    assert reply.content == "Queen of Tears in 3 h (Drama Club)"
    assert reply.channel_id == NEWS
    assert server.requests["POST /interactions/{interaction_id}/{interaction_token}/callback"] == 1


async def test_slash_in_a_dm_comes_with_a_user_and_no_guild(server: FakeDiscord, bot: Bot) -> None:
    await bot.tree.sync()
    call = await server.slash("subscribe", {"title": "Lovely Runner"}, user=FAN)
    assert (await call.response()).content == "Lovely Runner in 1 h (DM)"
    [interaction] = bot.interactions
    assert interaction.guild is None and isinstance(interaction.user, discord.User) and interaction.user.id == FAN
    assert isinstance(interaction.channel, discord.DMChannel)
    assert interaction.context.dm_channel


async def test_member_permissions_reach_the_command(server: FakeDiscord, bot: Bot) -> None:
    await bot.tree.sync()
    fan = await server.slash("announce", guild=GUILD)
    admin = await server.slash("announce", guild=GUILD, permissions=MANAGE_GUILD | ADMINISTRATOR)
    assert ((await fan.response()).content, (await fan.response()).ephemeral) == ("not allowed", True)
    assert ((await admin.response()).content, (await admin.response()).ephemeral) == ("posted", False)


async def test_deferred_then_followup(server: FakeDiscord, bot: Bot) -> None:
    await bot.tree.sync()
    call = await server.slash("news", guild=GUILD)
    assert (await call.response()).type == 5
    followup = await call.followup()
    assert followup.content == "three articles" and followup.embeds[0]["title"] == "Lovely Runner"


async def test_autocomplete_returns_the_choices(server: FakeDiscord, bot: Bot) -> None:
    await bot.tree.sync()
    choices = await server.autocomplete("subscribe", "title", {"title": "quee"}, guild=GUILD)
    assert choices == [{"name": "Queen of Tears", "value": "Queen of Tears"},
                       {"name": "Queenmaker", "value": "Queenmaker"}]
    assert await server.autocomplete("subscribe", "title", user=FAN) == [{"name": t, "value": t} for t in TITLES]


async def test_interactions_need_a_synced_command_and_real_options(server: FakeDiscord, bot: Bot) -> None:
    with pytest.raises(LookupError, match="never synced"):
        await server.slash("subscribe", {"title": "x"})
    await bot.tree.sync()
    with pytest.raises(LookupError, match="no option"):
        await server.slash("subscribe", {"name": "x"})
    with pytest.raises(ValueError, match="required"):
        await server.slash("subscribe", {"hours": 2})


async def test_an_answer_after_the_deadline_is_an_unknown_interaction(server: FakeDiscord, bot: Bot) -> None:
    failures: list[Exception] = []

    @bot.tree.command(name="slow", description="Answers too late")
    async def slow(interaction: discord.Interaction) -> None:
        await asyncio.sleep(0.15)
        try:
            await interaction.response.send_message("late")
        except discord.NotFound as exc:
            failures.append(exc)

    await bot.tree.sync()
    server.interaction_timeout = 0.1
    await server.slash("slow", guild=GUILD)
    for _ in range(100):
        if failures:
            break
        await asyncio.sleep(0.01)
    assert [e.code for e in failures] == [10062]


async def test_sending_a_dm_creates_the_dm_then_the_message(server: FakeDiscord, bot: Bot) -> None:
    user = await bot.client.fetch_user(FAN)
    await user.send("⏰ Queen of Tears starts in 1 h")
    assert server.requests["POST /users/@me/channels"] == 1
    assert [m.content for m in server.dm_messages(FAN)] == ["⏰ Queen of Tears starts in 1 h"]


async def test_channel_messages_record_content_embeds_and_allowed_mentions(server: FakeDiscord, bot: Bot) -> None:
    channel = bot.client.get_channel(CHANNEL)
    message = await channel.send("news", embed=discord.Embed(title="Lovely Runner", description="ep 16"),
                                 allowed_mentions=discord.AllowedMentions.none())
    [sent] = server.messages[CHANNEL]
    assert message.id == sent.id and message.content == "news"
    assert sent.embeds[0]["title"] == "Lovely Runner"
    assert sent.allowed_mentions == {"parse": []}
    assert NEWS not in server.messages


async def send_three(channel: discord.TextChannel) -> float:
    """Send three reminders one after the other; returns how long it took."""
    started = time.monotonic()
    for n in range(3):
        await channel.send(f"reminder {n}")
    return time.monotonic() - started


async def test_a_global_429_with_via_is_waited_out_and_retried(server: FakeDiscord, bot: Bot) -> None:
    server.limit_global(2, per=0.3)
    assert await send_three(bot.client.get_channel(CHANNEL)) < 1.5
    assert [m.content for m in server.messages[CHANNEL]] == ["reminder 0", "reminder 1", "reminder 2"]
    assert server.rate_limited == 1 and server.invalid_requests == 1
    assert server.requests[MESSAGES] == 4  # three sends, one of them twice


async def test_channel_bucket_headers_let_discord_py_pace_itself(server: FakeDiscord, bot: Bot) -> None:
    server.limit_channels(2, per=0.3)
    assert await send_three(bot.client.get_channel(CHANNEL)) >= 0.2  # the third waited for the bucket to reset...
    assert server.rate_limited == 0  # ...on its own, from X-RateLimit-Remaining: 0


async def test_a_429_is_shaped_like_discords(server: FakeDiscord) -> None:
    # discord.py never runs into a channel bucket (it learns it from the first answer), so ask by hand
    server.limit_channels(1, per=0.5)
    url = f"{server.api_base}/channels/{CHANNEL}/messages"
    async with aiohttp.ClientSession(headers={"Authorization": f"Bot {server.token}"}) as session:
        async with session.post(url, json={"content": "a"}) as first:
            assert first.status == 200
            assert (first.headers["X-RateLimit-Limit"], first.headers["X-RateLimit-Remaining"]) == ("1", "0")
        async with session.post(url, json={"content": "b"}) as second:
            body = await second.json()
            assert second.status == 429 and second.headers["Via"]
            assert second.headers["Retry-After"] == "1" and second.headers["X-RateLimit-Scope"] == "user"
            assert 0 < float(second.headers["X-RateLimit-Reset-After"]) <= 0.5
            assert body["message"] == "You are being rate limited." and body["global"] is False
            assert 0 < body["retry_after"] <= 0.5
    assert [m.content for m in server.messages[CHANNEL]] == ["a"] and server.rate_limited == 1


async def test_a_429_without_via_is_taken_for_a_cloudflare_ban(server: FakeDiscord, bot: Bot) -> None:
    server.via = None
    server.limit_global(0)
    with pytest.raises(discord.HTTPException) as caught:
        await bot.client.get_channel(CHANNEL).send("hello")
    assert caught.value.status == 429 and server.rate_limited == 1


async def test_blocked_dms_surface_as_forbidden_50007(server: FakeDiscord, bot: Bot) -> None:
    server.block_dms(FAN)
    user = await bot.client.fetch_user(FAN)
    with pytest.raises(discord.Forbidden) as caught:
        await user.send("hello")
    assert caught.value.status == 403 and caught.value.code == 50007
    assert caught.value.text == "Cannot send messages to this user"
    assert server.invalid_requests == 1 and server.dm_messages(FAN) == []


async def test_channel_faults_missing_permissions_and_unknown_channel(server: FakeDiscord, bot: Bot) -> None:
    server.forbid_channel(CHANNEL)
    server.delete_channel(NEWS)
    with pytest.raises(discord.Forbidden) as forbidden:
        await bot.client.get_channel(CHANNEL).send("hello")
    with pytest.raises(discord.NotFound) as missing:
        await bot.client.get_channel(NEWS).send("hello")
    assert (forbidden.value.code, missing.value.code) == (50013, 10003)
    assert server.invalid_requests == 1  # a 404 does not count


async def test_an_injected_5xx_fails_one_request(server: FakeDiscord, bot: Bot) -> None:
    server.fail_next(MESSAGES, status=503)
    channel = bot.client.get_channel(CHANNEL)
    with pytest.raises(discord.DiscordServerError):
        await channel.send("first")
    await channel.send("second")
    assert [m.content for m in server.messages[CHANNEL]] == ["second"]


async def test_latency_delays_each_request(server: FakeDiscord, bot: Bot) -> None:
    server.latency = 0.2
    started = time.monotonic()
    await bot.client.fetch_user(FAN)
    assert time.monotonic() - started >= 0.2


async def test_scheduled_events_are_created_edited_listed_and_deleted(server: FakeDiscord, bot: Bot) -> None:
    guild = bot.client.get_guild(GUILD)
    start = discord.utils.utcnow().replace(microsecond=0) + timedelta(days=1)
    event = await guild.create_scheduled_event(
        name="Lovely Runner ep 16", start_time=start, end_time=start + timedelta(hours=1),
        entity_type=discord.EntityType.external, location="tvN", privacy_level=discord.PrivacyLevel.guild_only)
    assert event.name == "Lovely Runner ep 16" and event.location == "tvN"
    assert [e["name"] for e in server.scheduled_events[GUILD].values()] == ["Lovely Runner ep 16"]
    edited = await event.edit(name="Lovely Runner finale")
    assert edited.name == "Lovely Runner finale"
    assert [e.name for e in await guild.fetch_scheduled_events()] == ["Lovely Runner finale"]
    await event.delete()
    assert server.scheduled_events[GUILD] == {}


async def test_an_unimplemented_route_is_a_clear_404(server: FakeDiscord, bot: Bot) -> None:
    with pytest.raises(discord.NotFound, match="does not implement GET /api/v10/guilds/"):
        await bot.client.fetch_guild(GUILD)
    assert server.unhandled == [f"GET /api/v10/guilds/{GUILD}"]


async def test_a_dropped_gateway_is_reidentified(server: FakeDiscord) -> None:
    bot = make_bot(QuickReidentify)
    async with running(bot.client, server.token):
        await server.drop_gateway()
        await server.wait_identified()
        for _ in range(100):
            if len(bot.ready) == 2:
                break
            await asyncio.sleep(0.01)
        assert len(server.identifies) == 2 and len(bot.ready) == 2
        await bot.tree.sync()
        call = await server.slash("subscribe", {"title": "Queenmaker"}, user=FAN)
        assert (await call.response()).content == "Queenmaker in 1 h (DM)"


class LeakWatch:
    """Catches what aiohttp says about unclosed sessions and connectors: ResourceWarnings and the loop's
    exception handler, both raised when the garbage collector finds them."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def __enter__(self) -> Self:
        self._warnings = warnings.catch_warnings(record=True)
        self._caught = self._warnings.__enter__()
        warnings.simplefilter("always")
        self._loop = asyncio.get_running_loop()
        self._handler = self._loop.get_exception_handler()
        self._loop.set_exception_handler(lambda loop, context: self.seen.append(context["message"]))
        return self

    def __exit__(self, *exc: object) -> None:
        gc.collect()
        self.seen += [str(w.message) for w in self._caught if "nclosed" in str(w.message)]
        self._loop.set_exception_handler(self._handler)
        self._warnings.__exit__(*exc)


async def test_leak_watch_sees_an_unclosed_session() -> None:
    with LeakWatch() as watch:
        session = aiohttp.ClientSession()
        del session
    assert any("Unclosed client session" in s for s in watch.seen)


async def test_close_is_clean(server: FakeDiscord) -> None:
    with LeakWatch() as watch:
        bot = make_bot()
        async with running(bot.client, server.token):
            await bot.tree.sync()
        assert bot.client.is_closed()
        del bot
    assert watch.seen == []
    for _ in range(100):
        if not server.sessions:
            break
        await asyncio.sleep(0.01)
    assert server.sessions == []  # the gateway connection was closed by the client


async def _raw_gateway(server: FakeDiscord, query: str, token: str | None = None) -> tuple[list[dict], int | None]:
    """Speak to the gateway without discord.py: identify, return the decoded frames up to READY."""
    received: list[dict] = []
    inflate = zlib.decompressobj()
    async with aiohttp.ClientSession() as session, session.ws_connect(f"{server.gateway_url}?{query}") as ws:
        async for frame in ws:
            if frame.type is aiohttp.WSMsgType.BINARY:
                payload = json.loads(inflate.decompress(frame.data))
            elif frame.type is aiohttp.WSMsgType.TEXT:
                payload = json.loads(frame.data) | {"text": True}
            else:
                break
            received.append(payload)
            if payload["op"] == 10:
                await ws.send_json({"op": 2, "d": {"token": token or server.token,
                                                   "intents": 1, "properties": {}}})
            if payload.get("t") == "GUILD_CREATE":
                break
        return received, ws.close_code


async def test_raw_gateway_without_compression_speaks_text(server: FakeDiscord) -> None:
    frames, _ = await _raw_gateway(server, "v=10&encoding=json")
    assert [(f["op"], f.get("t"), f.get("text")) for f in frames] == [
        (10, None, True), (0, "READY", True), (0, "GUILD_CREATE", True)]
    assert frames[1]["s"] == 1 and frames[2]["d"]["channels"][0]["name"] == "general"


async def test_raw_gateway_zlib_stream_frames_inflate(server: FakeDiscord) -> None:
    frames, _ = await _raw_gateway(server, "v=10&encoding=json&compress=zlib-stream")
    assert [(f["op"], f.get("t"), f.get("text")) for f in frames] == [
        (10, None, None), (0, "READY", None), (0, "GUILD_CREATE", None)]


async def test_raw_gateway_closes_4004_on_a_bad_token(server: FakeDiscord) -> None:
    frames, code = await _raw_gateway(server, "v=10&encoding=json", token="wrong")
    assert [f["op"] for f in frames] == [10] and code == 4004


def guild_on_shard(shard: int, count: int, n: int = 1) -> int:
    """A guild id whose events go to `shard` of `count` ((id >> 22) % count, as on Discord)."""
    return ((count * n + shard) << 22) | 7


def shard_bot(shard: int, count: int) -> Bot:
    return make_bot(QuickReidentify, shard_id=shard, shard_count=count)


async def test_shards_identify_with_their_id_and_get_only_their_guilds(server: FakeDiscord) -> None:
    server.shards = 4
    mine, other = guild_on_shard(3, 4), guild_on_shard(1, 4)
    server.add_guild(mine, "Shard Three", channels={mine + 1: "general"}, members=[FAN])
    server.add_guild(other, "Shard One", channels={other + 1: "general"}, members=[FAN])
    three, one = shard_bot(3, 4), shard_bot(1, 4)
    async with running(three.client, server.token), running(one.client, server.token):
        assert server.identifies_by_shard == {(3, 4): 1, (1, 4): 1} and server.shard_conflicts == []
        assert {g.id for g in three.client.guilds} == {g for g in server.guilds if server.shard_of(g, 4) == 3} \
            and mine in {g.id for g in three.client.guilds}
        assert [g.id for g in one.client.guilds] == [other]
        await one.tree.sync()
        call = await server.slash("subscribe", {"title": "Queenmaker"}, user=FAN, guild=mine)
        assert (await call.response()).content == "Queenmaker in 1 h (Shard Three)"
        assert len(three.interactions) == 1 and one.interactions == []  # dispatched on the guild's shard only
        with pytest.raises(RuntimeError, match="no live gateway session holds the shard"):
            await server.slash("subscribe", {"title": "Queenmaker"}, user=FAN)  # DMs come on shard 0: nobody
        assert (await bot_gateway(server))["shards"] == 4


async def bot_gateway(server: FakeDiscord) -> dict:
    async with aiohttp.ClientSession() as session, session.get(
            f"{server.api_base}/gateway/bot", headers={"Authorization": f"Bot {server.token}"}) as response:
        return await response.json()


async def test_a_second_session_on_a_held_shard_is_a_conflict_the_test_sees(server: FakeDiscord) -> None:
    first, second = shard_bot(2, 4), shard_bot(2, 4)
    async with running(first.client, server.token), running(second.client, server.token):
        assert server.identifies_by_shard == {(2, 4): 2} and server.shard_conflicts == [(2, 4)]


async def test_raw_gateway_closes_4010_on_a_shard_beyond_the_count(server: FakeDiscord) -> None:
    async with aiohttp.ClientSession() as session, session.ws_connect(f"{server.gateway_url}?v=10") as ws:
        await ws.receive_json()  # HELLO
        await ws.send_json({"op": 2, "d": {"token": server.token, "intents": 1, "shard": [4, 4], "properties": {}}})
        await ws.receive()
    assert ws.close_code == 4010 and server.identifies == []
