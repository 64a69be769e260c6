"""Feeds are fetched from public addresses only: an owner's `/feeds add` cannot make the bot
reach its own machine or network (the Bot API with its token, a database port, a cloud metadata
service), nor tell an open port from a closed one; config feeds are held to the same rule;
`[news] allow_hosts` makes the exceptions."""

from __future__ import annotations

import ipaddress
import logging
import socket

import httpcore
import pytest

from bot.config import FeedConfig, NewsConfig
from bot.domain.i18n import stored_text
from scheduler.addresses import AddressGuard, AddressRefused, GuardedBackend
from scheduler.feeds import REFUSED
from scheduler.news import REFUSED_REPLY
from tests.adapters.test_telegram_concurrency import OWNER, dramabot_run
from tests.fakes.feeds_server import FeedServer
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.tvmaze_api import FakeTvmaze
from tests.scheduler.test_feeds import Bot, Clock


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_feeds_add_refuses_the_bots_own_machine_and_network_with_one_same_answer(tmp_path):
    feeds = await FeedServer().start()
    port = feeds.base.rsplit(":", 1)[1]
    try:
        async with FakeTelegram() as server, FakeTvmaze() as tvmaze:
            async with dramabot_run(tmp_path, server, tvmaze, "[news]\ntimeout = 3\n"):
                logins = server.requests["getme"]
                urls = [
                    feeds.url("/wp/feed/"),  # open
                    f"http://127.0.0.1:{closed_port()}/feed",  # closed
                    f"http://0x7f000001:{port}/wp/feed/",
                    f"http://localhost:{port}/wp/feed/",
                    f"http://[::ffff:127.0.0.1]:{port}/wp/feed/",
                    f"{server.base_url}{server.token}/getMe",  # the Bot API, with the token
                    "http://169.254.169.254/latest/meta-data/",  # a cloud's metadata service
                    "http://10.20.30.40:5432/",
                ]
                for url in urls:
                    server.push_message(OWNER, OWNER, f"/feeds add {url}")

                answers = await server.wait_sent(len(urls), timeout=60, chat_id=OWNER)

                assert [a.plain_text for a in answers] == [REFUSED_REPLY] * len(urls)
                assert feeds.requests == [] and server.requests["getme"] == logins
                server.push_message(OWNER, OWNER, "/feeds")
                [listing] = (await server.wait_sent(len(urls) + 1, timeout=30, chat_id=OWNER))[-1:]
                assert listing.plain_text.startswith("No news feeds are polled.")
    finally:
        await feeds.stop()


async def test_a_config_feed_on_a_private_address_fails_unless_allowed(tmp_path, caplog):
    feeds = await FeedServer().start()
    feed = FeedConfig("local", feeds.url("/wp/feed/"))
    try:
        async with Bot(tmp_path / "refused.sqlite3", Clock(), NewsConfig(timeout=3.0)) as bot:
            with caplog.at_level(logging.WARNING, logger="scheduler.feeds"):
                await bot.poll(feed)
            state = await bot.store.feed_state("local")
        assert feeds.requests == [] and state is not None and state.last_error == "feed-error-refused"
        assert stored_text("en", state.last_error, prefix="feed-error-") == REFUSED
        assert f"feed local ({feed.url}) failed: {REFUSED}" in caplog.text
        for allowed in (["127.0.0.1"], ["127.0.0.0/8"], ["::ffff:127.0.0.1", "127.0.0.1"]):
            async with Bot(tmp_path / f"{allowed[0].replace('/', '_')}.sqlite3", Clock(),
                           NewsConfig(timeout=3.0, allow_hosts=tuple(allowed))) as bot:
                await bot.poll(feed)
                state = await bot.store.feed_state("local")
            assert state is not None and state.baseline_at is not None and not state.failures
    finally:
        await feeds.stop()


async def test_a_redirect_is_checked_like_the_first_address(tmp_path):
    feeds = await FeedServer().start()
    port = feeds.base.rsplit(":", 1)[1]
    feeds.away = feeds.url("/wp/feed/")  # http://127.0.0.1:port/...: not the host the config allows
    try:
        async with Bot(tmp_path / "db.sqlite3", Clock(), NewsConfig(timeout=3.0, allow_hosts=("localhost",))) as bot:
            await bot.poll(FeedConfig("away", f"http://localhost:{port}/away"))
            state = await bot.store.feed_state("away")
    finally:
        await feeds.stop()
    assert feeds.paths() == ["/away"] and state is not None and state.last_error is not None
    assert stored_text("en", state.last_error, prefix="feed-error-") == REFUSED


class Recording(httpcore.AsyncNetworkBackend):
    """Records where it was asked to connect; connects nowhere."""

    def __init__(self) -> None:
        self.connected: list[str] = []

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        self.connected.append(host)
        return httpcore.AsyncMockStream([])


async def test_the_address_checked_is_the_address_connected(monkeypatch):
    answers = {"news.example": ["93.184.216.34"], "rebind.example": ["93.184.216.34", "127.0.0.1"]}

    async def getaddrinfo(self, host, port, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in answers[host]]

    monkeypatch.setattr("asyncio.base_events.BaseEventLoop.getaddrinfo", getaddrinfo)
    inner = Recording()
    backend = GuardedBackend(AddressGuard(), inner)
    await backend.connect_tcp("news.example", 443)
    assert inner.connected == ["93.184.216.34"]  # the name is not resolved a second time
    with pytest.raises(AddressRefused):
        await backend.connect_tcp("rebind.example", 443)  # any answer that is not public refuses it
    assert inner.connected == ["93.184.216.34"]


@pytest.mark.parametrize("address, allowed", [
    ("93.184.216.34", True), ("2606:2800:220:1:248:1893:25c8:1946", True),
    ("127.0.0.1", False), ("::1", False), ("::ffff:127.0.0.1", False), ("10.0.0.1", False), ("172.16.5.4", False),
    ("192.168.1.1", False), ("169.254.169.254", False), ("fe80::1", False), ("fc00::1", False), ("100.64.0.1", False),
    ("0.0.0.0", False), ("224.0.0.1", False), ("240.0.0.1", False), ("255.255.255.255", False),
])
def test_only_public_addresses_are_allowed(address, allowed):
    assert AddressGuard().allows(ipaddress.ip_address(address)) is allowed
