"""The one place that points discord.py at another REST base or gateway (a proxy, or a fake).

discord.py has no public option for either; both are class variables read when a request is
built or the gateway opened: `discord.http.Route.BASE` (the REST base including `/api/v10`)
and `discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY`. An `AutoShardedClient` that decides
its shard count itself asks `GET /gateway/bot` (through the REST base) for the gateway URL.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

API_VERSION = re.compile(r"/api/v\d+$")


def rest_base(url: str) -> str:
    """`http://proxy:8080` -> `http://proxy:8080/api/v10`; a URL already ending in /api/vN is kept."""
    url = url.rstrip("/")
    return url if API_VERSION.search(url) else f"{url}/api/v10"


@contextlib.contextmanager
def pointed_at(rest_url: str, gateway_url: str) -> Iterator[None]:
    """Use these URLs ("" keeps Discord's) while the block runs; the previous ones come back after."""
    saved = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    if rest_url:
        Route.BASE = rest_base(rest_url)
    if gateway_url:
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
    try:
        yield
    finally:
        Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = saved
