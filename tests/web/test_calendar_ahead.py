"""A fan's feed is rendered before the fan asks: at start-up, when the fan subscribes and when the
live catalog moves an episode, the bot renders what changed; the fan's request then only joins
text already made (icalendar encodes nothing during it), and still shows the new time with its
SEQUENCE raised under the same UID."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from icalendar.cal.component import Component

from bot.domain.interfaces import ChatRef, SystemClock
from tests.conftest import at
from tests.scheduler.realclock import mock, seed, soon_catalog, start
from tests.web.helpers import events_of, free_port, get, link_in
from tests.web.test_calendar_feed import calendar_story

NOW = SystemClock().now


@contextmanager
def counting_encodes(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The names of the icalendar components encoded while inside (VEVENT, VALARM, VCALENDAR)."""
    encoded: list[str] = []
    original = Component.to_ical

    def to_ical(self: Component, sorted: bool = True) -> bytes:
        encoded.append(self.name)
        return original(self, sorted)

    with monkeypatch.context() as patch:
        patch.setattr(Component, "to_ical", to_ical)
        yield encoded


async def test_a_fans_first_request_after_a_catalog_change_is_served_from_what_the_change_rendered(make_story, monkeypatch):
    story, fan, _, _ = await calendar_story(make_story)
    owner = story.chat("telegram", "1")
    ahead = story.sim.process.feeds_ahead
    url = link_in(await fan.say("/calendar"))
    await ahead.settled()  # the fan's subscriptions were rendered when they were made

    with counting_encodes(monkeypatch) as encoded:
        status, _, body = await get(url)
    assert status == 200 and encoded == []  # the fan's first request: nothing left to render
    assert (events_of(body)["lovestory#2@dramabot"]["DTSTART"].dt, events_of(body)["lovestory#2@dramabot"]["SEQUENCE"]) == (
        at("2022-12-22T13:30:00Z"), 0)

    assert (await owner.say("/show move Love Story 2 2022-12-23 21:00")).startswith("Done")
    await ahead.settled()
    with counting_encodes(monkeypatch) as encoded:
        status, _, body = await get(url)
    assert status == 200 and encoded == []  # the move was rendered when the catalog changed
    moved = events_of(body)["lovestory#2@dramabot"]
    assert (moved["DTSTART"].dt, moved["SEQUENCE"]) == (at("2022-12-23T12:00:00Z"), 1)
    assert sorted(a["TRIGGER"].to_ical().decode() for a in moved.walk("VALARM")) == ["-PT10M", "-PT1H"]
    # what was rendered for the episode's old time is forgotten: only what the two fans' feeds hold is kept
    other_feed = (await get(link_in(await story.chat("telegram", "200").say("/calendar"))))[2]
    assert len(story.sim.process.core.calendars.blocks) == len(events_of(body)) + len(events_of(other_feed))


async def test_after_a_restart_the_fans_first_request_finds_the_feed_rendered(tmp_path, monkeypatch):
    db, port = str(tmp_path / "bot.sqlite3"), free_port()
    airs = (NOW() + timedelta(days=2)).replace(second=0, microsecond=0)
    await seed(db, "showa", ["777000111"])  # a fan who follows Show A, on the real clock
    process = await start(db, soon_catalog(a=airs), {"telegram": mock("telegram")}, web={"listen": f"127.0.0.1:{port}"})
    try:
        url = (await process.core.calendars.link(ChatRef("telegram", "777000111"))).url
    finally:
        await process.stop()

    process = await start(db, soon_catalog(a=airs), {"telegram": mock("telegram")}, web={"listen": f"127.0.0.1:{port}"})
    try:
        with counting_encodes(monkeypatch) as encoded:
            status, _, body = await get(url)
        assert status == 200 and encoded == []  # rendered at start-up, before the server listened
        assert [event["DTSTART"].dt for event in events_of(body).values()] == [airs, airs + timedelta(days=7)]
    finally:
        await process.stop()
