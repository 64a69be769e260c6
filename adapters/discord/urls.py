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


_ACTIVE: list[tuple[str, yarl.URL]] = []  # what each block still running set, oldest first
_ORIGINAL: list[tuple[str, yarl.URL]] = []  # discord.py's own, kept while any block runs


@contextlib.contextmanager
def pointed_at(rest_url: str, gateway_url: str) -> Iterator[None]:
    """Use these URLs ("" keeps Discord's) while the block runs. Blocks may overlap (two adapters in one
    process, as in tests): when one ends, the newest still running keeps its URLs; after the last,
    discord.py's own come back."""
    if not _ACTIVE:
        _ORIGINAL[:] = [(Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)]
    base, gateway = _ORIGINAL[0]
    mine = (rest_base(rest_url) if rest_url else base, yarl.URL(gateway_url) if gateway_url else gateway)
    _ACTIVE.append(mine)
    Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = mine
    try:
        yield
    finally:
        _ACTIVE.remove(mine)
        Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = _ACTIVE[-1] if _ACTIVE else _ORIGINAL[0]
