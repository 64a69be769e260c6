"""Calendar feeds: each chat's private link and what it serves (the owner of calendar links).

A link is `<public_url>/cal/<token>.ics`. The token is an HMAC (SHA-256, 256 bits) of the chat's
random 128-bit nonce under a key kept in a file beside the database (`<database>.calendar-key`),
so the database alone (which keeps the nonce and the token's SHA-256, to find the chat a link
names) never gives a usable link, and the same link can be shown again (also after the chat's id
changed: the link moves with the chat). `reset` draws a new nonce:
the old link names no one at once. Tokens are never logged.

A feed holds every broadcast of what the chat follows (directly or through an actor) from
FEED_PAST back to FEED_AHEAD ahead, one alarm per lead time of the chat; a paused chat keeps it.
"""

from __future__ import annotations

import asyncio
import base64
import bisect
import hashlib
import hmac
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ..domain.catalog import Airing, Show
from ..domain.ical import CalendarEvent, EventBlocks, Feed, render_calendar
from ..domain.interfaces import ChatRef
from ..domain.zones import unix_time
from ..storage.values import ChatKey
from .state import AppState

FEED_PAST = timedelta(days=7)
FEED_AHEAD = timedelta(days=31)
KEY_BYTES = 32
NONCE_BYTES = 16  # 128 bits
FEED_NAME = "dramabot"  # every feed's X-WR-CALNAME


@dataclass(frozen=True)
class CalendarLink:
    url: str  # https://.../cal/<token>.ics
    webcal: str  # the same as webcal://, which calendar apps open as a subscription


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def read_or_make_key(path: str | None) -> bytes:
    """The key in `path` (made, readable by its owner only, when missing); None: one for this process."""
    if path is None:
        return secrets.token_bytes(KEY_BYTES)
    file = Path(path)
    try:
        return file.read_bytes()
    except FileNotFoundError:
        pass
    key = secrets.token_bytes(KEY_BYTES)
    fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    return key


class Calendars:
    def __init__(self, state: AppState, *, key_path: str | None = None):
        self.state = state
        self.key_path = key_path  # the web step names the file beside the database before anyone asks
        self._key: bytes | None = None
        self.blocks = EventBlocks()

    @property
    def enabled(self) -> bool:
        """Calendars are on when the web server is (`[web] listen`)."""
        return bool(self.state.config.web.listen)

    async def _secret(self) -> bytes:
        if self._key is None:
            self._key = await asyncio.to_thread(read_or_make_key, self.key_path)
        return self._key

    async def link(self, chat: ChatRef, *, reset: bool = False) -> CalendarLink:
        """The chat's calendar link (made on first use); `reset`: a new one, the old one dead at once."""
        store = self.state.store
        nonce = None if reset else await store.calendar_nonce(platform=chat.platform, chat_id=chat.key)
        key = await self._secret()
        if nonce is None:
            nonce = secrets.token_urlsafe(NONCE_BYTES)
            token = self._token(key, nonce)
            await store.set_calendar_link(platform=chat.platform, chat_id=chat.key, nonce=nonce, token_hash=token_hash(token),
                                          now=unix_time(self.state.clock.now()))
        else:
            token = self._token(key, nonce)
        url = f"{self.state.config.web.base_url}/cal/{token}.ics"
        return CalendarLink(url, "webcal://" + url.split("://", 1)[1])

    @staticmethod
    def _token(key: bytes, nonce: str) -> str:
        digest = hmac.new(key, nonce.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    async def chat_of(self, token: str) -> ChatKey | None:
        """The chat a token names, or None (unknown, or replaced by a reset): one indexed lookup by
        the token's hash whatever the token, so a near miss costs what a far one does."""
        return await self.state.store.calendar_chat(token_hash(token))

    def window(self) -> tuple[datetime, datetime, datetime]:
        """The feeds' window today (start, until) and their stamp: the day, in UTC."""
        day = self.state.clock.now().astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        return day - FEED_PAST, day + FEED_AHEAD, day  # the feed changes at most daily by itself

    async def events_of(self, keys: Iterable[str], *, start: datetime, until: datetime) -> list[CalendarEvent]:
        """The broadcasts of shows `keys` in [start, until), with their revisions (a moved one raised)."""
        by_show = self.state.catalog.by_show
        airings: list[Airing] = []
        for key in sorted(keys):
            history = by_show.get(key, ())
            for airing in history[bisect.bisect_left(history, start, key=lambda a: a.start):]:
                if airing.start >= until:
                    break
                airings.append(airing)
        return await self.events_from(airings)

    async def events_from(self, airings: Iterable[Airing]) -> list[CalendarEvent]:
        """Calendar events of `airings` (each show's in start order: an episode's first broadcast
        is its one event, under one UID), with their revisions, by start."""
        shows = self.state.catalog.shows
        found: dict[str, tuple[Show, datetime]] = {}
        for airing in airings:
            found.setdefault(f"{airing.show_key}#{airing.episode}", (shows[airing.show_key], airing.start))
        revisions = await self.state.store.calendar_revisions({episode: unix_time(at) for episode, (_, at) in found.items()})
        events = [
            CalendarEvent(episode, show.title, int(episode.rpartition("#")[2]), show.network, at,
                          at + timedelta(minutes=show.runtime or 60), revisions.get(episode, 0))
            for episode, (show, at) in found.items()
        ]
        events.sort(key=lambda e: (e.start, e.episode_key))
        return events

    async def events(self, chat: ChatKey) -> tuple[list[CalendarEvent], tuple[int, ...], datetime]:
        """The chat's broadcasts in the feed's window, with their revisions, its leads and the stamp."""
        state = self.state
        start, until, day = self.window()
        row = await state.store.chat(platform=chat.platform, chat_id=chat.chat_id)
        leads = tuple(sorted(set((row.leads if row else None) or state.config.lead_minutes)))
        keys = state.catalog.shows_followed(await state.store.subscriptions(platform=chat.platform, chat_id=chat.chat_id))
        return await self.events_of(keys, start=start, until=until), leads, day

    async def feed(self, chat: ChatKey) -> Feed:
        """The chat's feed; rendering what was not rendered before runs off the event loop."""
        events, leads, stamp = await self.events(chat)
        return await asyncio.to_thread(render_calendar, events, name=FEED_NAME, leads=leads, stamp=stamp, blocks=self.blocks)
