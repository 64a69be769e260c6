"""A chat's calendar feed as iCalendar text (RFC 5545, the `icalendar` library): pure, given the
events, the chat's lead times and a stamp.

Times are exact instants in UTC; each broadcast has a stable UID (its show and episode) and a
SEQUENCE raised when its time moves; one DISPLAY alarm per lead time. Subscribing apps are asked
to read the feed again hourly (REFRESH-INTERVAL, X-PUBLISHED-TTL), which many ignore.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from icalendar import Alarm, Calendar, Event, vDDDTypes, vDuration

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
END_CALENDAR = b"END:VCALENDAR\r\n"
STAMP_MARK = datetime(1970, 1, 1, tzinfo=UTC)  # rendered in place of the day's stamp, then cut out


class EventBlocks:
    """Each event's VEVENT text without its alarms, rendered once per event and kept (every fan of a
    show shares its events, whatever their lead times; the day's DTSTAMP line is spliced in per
    feed, so a new day renders nothing again), each lead's alarm (a lead set's are those joined,
    the same for every event) and the feed's header: a feed is these joined. `warm` renders ahead (the calendars render what
    a catalog change made new, off the event loop), so a fan's request encodes nothing; `retain` forgets
    what no feed holds any more. Bounded: emptied when it holds `limit` events. Reads and writes are single dict operations, safe from a
    worker thread."""

    def __init__(self, limit: int = 50_000):
        self.limit = limit
        self._events: dict[CalendarEvent, tuple[bytes, bytes]] = {}  # text before and after DTSTAMP
        self._alarms: dict[tuple[int, ...], bytes] = {}  # a lead set's alarms: the ones of its leads joined
        self._alarm_texts: dict[int, bytes] = {}  # minutes before -> its alarm (at most 7 days' worth of minutes)
        self._heads: dict[str, bytes] = {}
        self._stamps: dict[datetime, bytes] = {}

    def clear(self) -> None:
        self._events.clear()
        self._alarms.clear()
        self._alarm_texts.clear()
        self._heads.clear()
        self._stamps.clear()

    def __contains__(self, item: CalendarEvent) -> bool:
        return item in self._events

    def __len__(self) -> int:
        return len(self._events)

    def retain(self, events: Iterable[CalendarEvent]) -> None:
        """Forget every event but `events` (what feeds hold now: not moved, past or unfollowed ones)."""
        keep = set(events)
        for item in [item for item in list(self._events) if item not in keep]:
            self._events.pop(item, None)

    def warm(self, events: Iterable[CalendarEvent], *, leads: Iterable[int], name: str) -> int:
        """Render the events, the alarms (minutes before) and the header of a calendar called `name`
        not rendered yet; returns how many events were."""
        self.head(name)
        missing = [item for item in events if item not in self._events]
        for item in missing:
            self._parts(item)
        for minutes in leads:
            self._alarm(minutes)
        return len(missing)

    def _parts(self, item: CalendarEvent) -> tuple[bytes, bytes]:
        found = self._events.get(item)
        if found is None:
            if len(self._events) >= self.limit:
                self._events.clear()
            text = vevent(item, STAMP_MARK).to_ical()[: -len(END_EVENT)]
            before, mark, after = text.partition(b"DTSTAMP:" + vDDDTypes(STAMP_MARK).to_ical() + b"\r\n")
            assert mark, text
            found = self._events[item] = (before, after)
        return found

    def event(self, item: CalendarEvent, stamp: datetime) -> bytes:
        before, after = self._parts(item)
        line = self._stamps.get(stamp)
        if line is None:
            if len(self._stamps) >= 16:
                self._stamps.clear()
            line = self._stamps[stamp] = b"DTSTAMP:" + vDDDTypes(stamp).to_ical() + b"\r\n"
        return before + line + after

    def alarms(self, leads: tuple[int, ...]) -> bytes:
        found = self._alarms.get(leads)
        if found is None:
            if len(self._alarms) >= self.limit:
                self._alarms.clear()
            found = self._alarms[leads] = b"".join(self._alarm(minutes) for minutes in leads)
        return found

    def _alarm(self, minutes: int) -> bytes:
        found = self._alarm_texts.get(minutes)
        if found is None:
            found = self._alarm_texts[minutes] = valarm(minutes).to_ical()
        return found

    def head(self, name: str) -> bytes:
        """The calendar's properties, without its END line."""
        found = self._heads.get(name)
        if found is None:
            found = self._heads[name] = calendar_head(name)
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


def calendar_head(name: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(REFRESH))
    head = cal.to_ical()
    assert head.endswith(END_CALENDAR)
    return head[: -len(END_CALENDAR)]


def render_calendar(
    events: Sequence[CalendarEvent], *, name: str, leads: Sequence[int], stamp: datetime, blocks: EventBlocks | None = None
) -> Feed:
    """The feed: one VEVENT per event, each with one alarm per lead (minutes before the start)."""
    cache = blocks or EventBlocks()
    alarms = cache.alarms(tuple(leads)) + END_EVENT
    body = b"".join([cache.head(name), *(cache.event(item, stamp) + alarms for item in events), END_CALENDAR])
    return Feed(body, f'"{hashlib.sha256(body).hexdigest()[:32]}"')
