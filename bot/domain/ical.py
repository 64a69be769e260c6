"""A chat's calendar feed as iCalendar text (RFC 5545, the `icalendar` library): pure, given the
events, the chat's lead times and a stamp.

Times are exact instants in UTC; each broadcast has a stable UID (its show and episode) and a
SEQUENCE raised when its time moves; one DISPLAY alarm per lead time. Subscribing apps are asked
to read the feed again hourly (REFRESH-INTERVAL, X-PUBLISHED-TTL), which many ignore.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from icalendar import Alarm, Calendar, Event, vDuration

PRODID = "-//dramabot//calendar feed//EN"
REFRESH = timedelta(hours=1)
UID_DOMAIN = "dramabot"


@dataclass(frozen=True)
class CalendarEvent:
    """One broadcast as a calendar shows it."""

    episode_key: str  # "show#episode": stable when the schedule moves the episode
    title: str
    episode: int
    network: str
    start: datetime  # aware
    end: datetime
    sequence: int = 0

    @property
    def uid(self) -> str:
        return f"{self.episode_key}@{UID_DOMAIN}"


@dataclass(frozen=True)
class Feed:
    body: bytes
    etag: str  # quoted, as the ETag header carries it


def lead_text(minutes: int) -> str:
    if minutes == 0:
        return "now"
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    return " ".join(f"{n}{unit}" for n, unit in ((days, "d"), (hours, "h"), (mins, "m")) if n)


END_EVENT = b"END:VEVENT\r\n"


class EventBlocks:
    """Each event's VEVENT text without its alarms, rendered once per (event, stamp) and kept (every
    fan of a show shares its events, whatever their lead times), and each lead set's alarms, the
    same for every event: a feed is its header and these joined. Bounded: emptied when it holds
    `limit` events."""

    def __init__(self, limit: int = 50_000):
        self.limit = limit
        self._events: dict[tuple[CalendarEvent, datetime], bytes] = {}
        self._alarms: dict[tuple[int, ...], bytes] = {}

    def clear(self) -> None:
        self._events.clear()
        self._alarms.clear()

    def event(self, item: CalendarEvent, stamp: datetime) -> bytes:
        key = (item, stamp)
        found = self._events.get(key)
        if found is None:
            if len(self._events) >= self.limit:
                self._events.clear()
            found = self._events[key] = vevent(item, stamp).to_ical()[: -len(END_EVENT)]
        return found

    def alarms(self, leads: tuple[int, ...]) -> bytes:
        found = self._alarms.get(leads)
        if found is None:
            if len(self._alarms) >= self.limit:
                self._alarms.clear()
            found = self._alarms[leads] = b"".join(valarm(minutes).to_ical() for minutes in leads)
        return found


def vevent(item: CalendarEvent, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", item.uid)
    event.add("dtstamp", stamp)
    event.add("sequence", item.sequence)
    event.add("dtstart", item.start)
    event.add("dtend", item.end)
    event.add("summary", f"{item.title} — episode {item.episode}")
    if item.network:
        event.add("location", item.network)
    return event


def valarm(minutes: int) -> Alarm:
    """A DISPLAY alarm `minutes` before the start (calendar apps show it with the event's summary)."""
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", f"Starts in {lead_text(minutes)}" if minutes else "Starting now")
    alarm.add("trigger", -timedelta(minutes=minutes))
    return alarm


def render_calendar(
    events: Sequence[CalendarEvent], *, name: str, leads: Sequence[int], stamp: datetime, blocks: EventBlocks | None = None
) -> Feed:
    """The feed: one VEVENT per event, each with one alarm per lead (minutes before the start)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(REFRESH))
    head = cal.to_ical()
    end = b"END:VCALENDAR\r\n"
    assert head.endswith(end)
    cache = blocks or EventBlocks()
    alarms = cache.alarms(tuple(leads)) + END_EVENT
    body = b"".join([head[: -len(end)], *(cache.event(item, stamp) + alarms for item in events), end])
    return Feed(body, f'"{hashlib.sha256(body).hexdigest()[:32]}"')
