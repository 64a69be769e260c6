"""What the web tests share: a free loopback port, and reading a URL as a calendar app would."""

from __future__ import annotations

import re
import socket
from collections.abc import Mapping

import aiohttp
import icalendar

LINK = re.compile(r"(https?://\S+/cal/(\S+)\.ics)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def link_in(reply: str) -> str:
    found = LINK.search(reply)
    assert found, reply
    return found.group(1)


async def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, Mapping[str, str], bytes]:
    """Status, headers (any case) and body of a GET."""
    async with aiohttp.ClientSession() as session, session.get(url, headers=headers or {}) as response:
        return response.status, response.headers.copy(), await response.read()


def events_of(body: bytes) -> dict[str, icalendar.Event]:
    """The feed's events by UID, read back by the icalendar library."""
    calendar = icalendar.Calendar.from_ical(body)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}
