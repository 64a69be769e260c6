"""A fan's own calendar feed: the link /calendar gives serves exactly what the fan follows, with
the fan's lead times as alarms; a moved episode keeps its UID with a raised SEQUENCE; a reset
link and an unknown one answer 404; an unchanged feed answers 304."""

from __future__ import annotations

from datetime import date

from bot.domain.interfaces import ChatRef
from tests.conftest import at
from tests.web.helpers import events_of, free_port, get, link_in

OWNER = {"owners": ["telegram:1"]}


def show(title: str, network: str, days: list[str], time: str, premiere: date, episodes: int, cast: list[str]) -> dict:
    return {"title": title, "network": network, "timezone": "Asia/Seoul", "days": days, "time": time,
            "premiere": premiere, "episodes": episodes, "runtime": 70, "cast": cast}


CATALOG = {
    "shows": [
        show("Love Story", "JTBC", ["wed", "thu"], "22:30", date(2022, 12, 21), 8, []),  # 13:30 UTC
        show("Actor Show", "KBS", ["mon"], "20:00", date(2022, 12, 19), 4, ["Park Actor"]),  # 11:00 UTC
        show("Rival Show", "tvN", ["sat"], "21:00", date(2022, 12, 17), 6, []),
    ],
    "actors": [{"name": "Park Actor"}],
}


async def calendar_story(make_story):
    port = free_port()
    story = await make_story(start="2022-12-20T00:00:00Z", catalog=CATALOG, web={"listen": f"127.0.0.1:{port}"}, **OWNER)
    fan, other = story.chat("telegram", "100"), story.chat("telegram", "200")
    await fan.say("/timezone America/New_York")
    await fan.say("/remind 1h 10m")
    await fan.say("/subscribe Love Story")
    await fan.say("/subscribe Park Actor")  # Actor Show, through its cast
    await other.say("/subscribe Rival Show")
    return story, fan, other, port


async def test_the_link_serves_the_fans_own_broadcasts_with_their_alarms(make_story):
    story, fan, other, port = await calendar_story(make_story)
    reply = await fan.say("/calendar")
    url = link_in(reply)
    assert url.startswith(f"http://127.0.0.1:{port}/cal/") and len(url.rsplit("/", 1)[1]) >= 40  # >= 128 bits
    assert f"webcal://127.0.0.1:{port}/cal/" in reply and "Google Calendar" in reply
    assert "may ignore" in reply and "up to a day" in reply  # the caveat, plainly
    assert link_in(await fan.say("/calendar")) == url  # the same link when asked again

    status, headers, body = await get(url)
    assert status == 200 and headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert b"\r\nX-PUBLISHED-TTL:PT1H\r\n" in body and b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in body
    events = events_of(body)
    # a week back to a month ahead: every episode of both, and nothing of Rival Show (the other fan's)
    assert set(events) == {f"lovestory#{n}@dramabot" for n in range(1, 9)} | {f"actorshow#{n}@dramabot" for n in range(1, 5)}
    first = events["lovestory#1@dramabot"]
    assert first["DTSTART"].dt == at("2022-12-21T13:30:00Z") and first["DTEND"].dt == at("2022-12-21T14:40:00Z")
    assert str(first["SUMMARY"]) == "Love Story — episode 1" and str(first["LOCATION"]) == "JTBC"
    assert events["actorshow#1@dramabot"]["DTSTART"].dt == at("2022-12-19T11:00:00Z")  # a day back: still listed
    assert first["SEQUENCE"] == 0
    alarms = first.walk("VALARM")
    assert sorted(a["TRIGGER"].to_ical().decode() for a in alarms) == ["-PT10M", "-PT1H"]
    assert {str(a["ACTION"]) for a in alarms} == {"DISPLAY"}

    other_status, _, other_body = await get(link_in(await other.say("/calendar")))
    assert other_status == 200
    assert set(events_of(other_body)) == {f"rivalshow#{n}@dramabot" for n in range(1, 6)}  # the sixth is past the month


async def test_an_unchanged_feed_answers_304_to_its_etag(make_story):
    story, fan, _, _ = await calendar_story(make_story)
    url = link_in(await fan.say("/calendar"))
    _, headers, _ = await get(url)
    status, again, body = await get(url, {"If-None-Match": headers["ETag"]})
    assert (status, body, again["ETag"]) == (304, b"", headers["ETag"])
    assert (await get(url, {"If-None-Match": '"something else"'}))[0] == 200


async def test_a_moved_episode_keeps_its_uid_with_a_new_time_and_a_raised_sequence(make_story):
    story, fan, _, _ = await calendar_story(make_story)
    owner = story.chat("telegram", "1")
    url = link_in(await fan.say("/calendar"))
    before = events_of((await get(url))[2])["lovestory#2@dramabot"]
    assert (before["DTSTART"].dt, before["SEQUENCE"]) == (at("2022-12-22T13:30:00Z"), 0)
    assert (await owner.say("/show move Love Story 2 2022-12-23 21:00")).startswith("Done")
    after = events_of((await get(url))[2])["lovestory#2@dramabot"]
    assert (after["DTSTART"].dt, after["SEQUENCE"]) == (at("2022-12-23T12:00:00Z"), 1)
    assert events_of((await get(url))[2])["lovestory#2@dramabot"]["SEQUENCE"] == 1  # raised once per move


async def test_a_reset_link_and_an_unknown_one_answer_404(make_story):
    story, fan, _, port = await calendar_story(make_story)
    old = link_in(await fan.say("/calendar"))
    reply = await fan.say("/calendar reset")
    new = link_in(reply)
    assert new != old and "old one no longer works" in reply
    assert (await get(old))[0] == 404
    assert (await get(new))[0] == 200
    assert (await get(f"http://127.0.0.1:{port}/cal/{'A' * 43}.ics"))[0] == 404
    assert (await get(f"http://127.0.0.1:{port}/cal/nothing"))[0] == 404


async def test_a_paused_chat_keeps_its_feed_and_a_group_gets_its_own_from_its_admins(make_story):
    story, fan, _, _ = await calendar_story(make_story)
    url = link_in(await fan.say("/calendar"))
    await story.sim.process.core.chats.chat_unreachable(ChatRef("telegram", "100"), "blocked the bot")  # the fan blocked the bot
    assert (await get(url))[0] == 200
    group = story.chat("telegram", "-5", user="7", admin=True)
    assert "/channel calendar" in await group.say("/calendar")  # a group's link is its admins' to give
    await group.say("/channel subscribe Rival Show")
    reply = await group.say("/channel calendar")
    assert reply.startswith("This chat's calendar link")
    assert all(uid.startswith("rivalshow#") for uid in events_of((await get(link_in(reply)))[2]))
    member = story.chat("telegram", "-5", user="8", admin=False)
    assert "/cal/" not in await member.say("/channel calendar")  # not an admin: no link


async def test_calendar_says_plainly_when_the_operator_has_not_turned_it_on(make_story):
    story = await make_story(start="2022-12-20T00:00:00Z")
    fan = story.chat("telegram", "100")
    assert await fan.say("/calendar") == (
        "Calendar feeds are not turned on: the bot's operator has not set up its web server ([web] listen)."
    )
