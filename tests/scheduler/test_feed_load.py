"""Feeds that cost a lot to read: a 4.85 MB feed of 13,500 entries is parsed without stalling the
event loop (fans' commands and sends go on meanwhile), and a gzip bomb is abandoned at the size
cap without being decompressed into memory."""

from __future__ import annotations

import asyncio
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Awaitable
from datetime import timedelta

import pytest

from bot.config import FeedConfig, NewsConfig
from bot.domain.i18n import stored_text
from scheduler.capped import BadEncoding, BodyTooLarge, read_capped
from tests.fakes.feeds_server import FeedServer, Item, gzip_bomb
from tests.scheduler.test_feeds import LOCAL, NOW, Bot, Clock

BIG_FEED = 13_500  # entries: 4.9 MB of WordPress RSS


async def worst_stall(work: Awaitable[object]) -> float:
    """The longest the event loop was unable to run anything else while `work` ran (seconds)."""
    loop = asyncio.get_running_loop()
    stalls = [0.0]

    async def probe() -> None:
        while True:
            before = loop.time()
            await asyncio.sleep(0.01)
            stalls.append(loop.time() - before - 0.01)

    prober = loop.create_task(probe())
    try:
        await work
    finally:
        prober.cancel()
    return max(stalls)


async def test_a_huge_feed_is_parsed_without_stalling_the_event_loop(tmp_path):
    server = await FeedServer(mode="noetag").start()  # no validators: every poll reads and parses it all
    server.wordpress = [
        Item(f"Ep {n}", f"https://x.test/{n}", NOW - timedelta(minutes=n), summary="Hi", content="Hi", creator="S")
        for n in range(BIG_FEED)
    ]
    feed = FeedConfig("big", server.url("/wp/feed/"))
    try:
        async with Bot(tmp_path / "db.sqlite3", Clock(), NewsConfig(timeout=120.0, allow_hosts=LOCAL)) as bot:
            first = await worst_stall(bot.poll(feed))  # records what it lists
            second = await worst_stall(bot.poll(feed))  # finds nothing new
            state = await bot.store.feed_state("big")
    finally:
        await server.stop()
    assert max(first, second) < 0.5, f"the event loop stalled {first:.2f} s and {second:.2f} s"
    assert state is not None and state.baseline_at is not None and not state.failures  # read, not refused
    assert not bot.published




async def test_a_gzip_bomb_is_abandoned_at_the_size_cap_without_being_decompressed(tmp_path):
    server = await FeedServer(mode="bomb").start()  # 200 KB that decompress to 200 MB
    gzip_bomb()  # built before memory is measured
    cap = 1_000_000
    try:
        async with Bot(tmp_path / "db.sqlite3", Clock(), NewsConfig(max_bytes=cap, timeout=60.0, allow_hosts=LOCAL)) as bot:
            tracemalloc.start()
            try:
                await bot.poll(FeedConfig("bomb", server.url("/wp/feed/")))
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
            state = await bot.store.feed_state("bomb")
    finally:
        await server.stop()
    assert state is not None and state.last_error is not None
    assert stored_text("en", state.last_error, prefix="feed-error-") == f"response passed the {cap:,}-byte limit; abandoned unparsed"
    assert peak < 4 * cap, f"memory peaked {peak / 1e6:.0f} MB above where it was for a {cap / 1e6:g} MB cap"


async def _pieces(data: bytes, size: int = 1000) -> AsyncIterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i:i + size]


@pytest.mark.parametrize("encoding, wbits", [("gzip", 31), ("x-gzip", 31), ("deflate", 15), ("deflate", -15), ("", None)])
async def test_bodies_are_decoded_up_to_the_cap_and_no_further(encoding, wbits):
    document = b"<rss>" + b"news " * 4000 + b"</rss>"  # 20 KB
    if wbits is not None:
        packer = zlib.compressobj(6, zlib.DEFLATED, wbits)
        wire = packer.compress(document) + packer.flush()
    else:
        wire = document
    assert await read_capped(_pieces(wire), encoding, len(document)) == document
    with pytest.raises(BodyTooLarge):
        await read_capped(_pieces(wire), encoding, len(document) - 1)


async def test_an_encoding_not_asked_for_or_broken_is_refused():
    with pytest.raises(BadEncoding, match="'br' was not asked for"):
        await read_capped(_pieces(b"x"), "br", 100)
    with pytest.raises(BadEncoding, match="does not decompress"):
        await read_capped(_pieces(b"not gzip at all"), "gzip", 100)
