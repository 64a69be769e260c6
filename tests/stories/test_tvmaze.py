"""Fans and shows only TVmaze knows: import on /subscribe, reminders at the episodes' instants,
moved and pre-empted broadcasts announced once (also across restarts), ambiguous searches,
TVmaze unreachable. TVmaze is the fake in tests/fakes/tvmaze_api.py."""

import sqlite3
import time
from datetime import datetime, timedelta

from tests.conftest import at

START = "2027-01-04T00:00:00Z"  # the Monday before "The River Runs Test" premieres (Wed 6 Jan, 22:30 KST)


def airstamps(fake, show_id=7001) -> list[datetime]:
    return [at(e["airstamp"]) for e in fake.episodes(show_id)]


def subscriptions(story) -> list[tuple]:
    with sqlite3.connect(story.sim.db_path) as db:
        return db.execute("SELECT platform, chat_id, kind, target FROM subscriptions ORDER BY chat_id").fetchall()


async def tvmaze_story(make_story, fake, start=START, **config):
    return await make_story(start=start, tvmaze={"base_url": fake.url}, **config)


async def test_a_fan_in_new_york_gets_every_reminder_of_a_show_only_tvmaze_knows(make_story, fake_tvmaze):
    story = await tvmaze_story(make_story, fake_tvmaze)
    fan = story.chat("telegram", "100")
    await fan.say("/timezone America/New_York")
    reply = await fan.say("/subscribe the river runs test")
    assert reply.startswith("Subscribed to <b>The River Runs Test</b>: reminders before every episode, and its news.\n"
                            "Next: The River Runs Test episode 1, Wed 08:30 (America/New_York), 6 Jan 2027, in 2 days")
    assert "Schedule from TVmaze (tvmaze.com, CC BY-SA)" in reply
    assert subscriptions(story) == [("telegram", "100", "show", "tvmaze:7001")]
    await story.advance("2027-03-01T00:00:00Z")
    reminders = fan.received("reminder")
    assert [r.at for r in reminders] == [stamp - timedelta(minutes=30) for stamp in airstamps(fake_tvmaze)]
    assert reminders[0].text == ("⏰ <b>The River Runs Test</b>, episode 1, starts in 30 minutes: "
                                 "Wed 08:30 (America/New_York), 6 Jan 2027 (JTBC).")
    assert "episode 16" in reminders[-1].text


async def test_a_korean_fan_sees_a_tvmaze_show_under_its_korean_alternative_title(make_story, fake_tvmaze):
    story = await tvmaze_story(make_story, fake_tvmaze)
    fan = story.chat("telegram", "100", language="ko")
    await fan.say("/timezone Seoul")
    reply = await fan.say("/subscribe the river runs test")
    assert reply.startswith("<b>강은 흐른다</b>를 구독했어요.")
    assert "TVmaze" in reply and "Schedule from" not in reply
    await story.advance("2027-01-06T13:00:00Z")
    [reminder] = fan.received("reminder")
    assert reminder.text == "⏰ <b>강은 흐른다</b> 1회, 30분 후 시작: 1월 6일 (수) 오후 10:30 (Asia/Seoul) (JTBC)."
    english = story.chat("telegram", "200")
    assert (await english.say("/next 강은 흐른다")).startswith("Next: <b>The River Runs Test</b> episode 1")


async def test_next_and_schedule_see_the_imported_show(make_story, fake_tvmaze):
    story = await tvmaze_story(make_story, fake_tvmaze)
    fan = story.chat()
    await fan.say("/subscribe The River Runs Test")
    assert (await fan.say("/next")).startswith("Next: <b>The River Runs Test</b> episode 1, Wed 13:30 (UTC), 6 Jan 2027")
    schedule = await fan.say("/schedule")
    assert "Wed 13:30 (UTC), 6 Jan 2027: <b>The River Runs Test</b> episode 1" in schedule
    assert "Thu 13:30 (UTC), 7 Jan 2027: <b>The River Runs Test</b> episode 2" in schedule
    # a second chat finds it by name in the catalog now, without asking TVmaze again
    asked = len(fake_tvmaze.requests)
    assert "Subscribed to <b>The River Runs Test</b>" in await story.chat("telegram", "200").say("/subscribe river runs test")
    assert len(fake_tvmaze.requests) == asked


async def refreshed_with_changes(make_story, fake, *, restart=None, prepare=None):
    """Two chats follow the show; after episode 2, TVmaze drops episode 3 and moves episode 4
    a day later; the refresh job runs (`prepare` runs first and `restart` right after the
    refresh, if given)."""
    story = await tvmaze_story(make_story, fake)
    if prepare is not None:
        prepare(story)
    ny, seoul = story.chat("telegram", "100"), story.chat("discord", "200")
    await ny.say("/timezone America/New_York")
    await seoul.say("/timezone Asia/Seoul")
    await ny.say("/subscribe The River Runs Test")
    await seoul.say("/subscribe The River Runs Test")
    await story.advance("2027-01-07T14:00:00Z")
    episodes = fake.episodes(7001)
    episodes.pop(2)  # episode 3, Wed 13 Jan: pre-empted
    episodes[2]["airstamp"] = "2027-01-15T13:30:00+00:00"  # episode 4: Thu 14 Jan -> Fri 15 Jan
    episodes[2]["airdate"] = "2027-01-15"
    assert await story.refresh() == 1
    if restart is not None:
        await restart(story)
    return story, ny, seoul


async def check_alerts_and_reminders(story, ny, seoul):
    assert [n.text for n in ny.received("notice")] == [
        "📺 Schedule change: <b>The River Runs Test</b> (JTBC): episode 4 now airs Fri 08:30 (America/New_York), 15 Jan 2027 "
        "instead of Thu 08:30 (America/New_York), 14 Jan 2027. Reminders follow the new time.",
        "⚠️ Not airing as planned: <b>The River Runs Test</b> (JTBC): episode 3 (Wed 08:30 (America/New_York), 13 Jan 2027). "
        "The broadcast was pre-empted or cancelled; I will tell you when it is rescheduled.",
    ]
    assert len(seoul.received("notice")) == 2
    assert "<t:1800019800:F>" in seoul.received("notice")[0].text  # Discord shows each reader their own time
    await story.refresh()  # nothing new: nothing announced again
    await story.advance("2027-01-16T00:00:00Z")
    for chat in (ny, seoul):
        assert len(chat.received("notice")) == 2
        assert [r.at for r in chat.received("reminder")] == [
            at("2027-01-06T13:00:00Z"), at("2027-01-07T13:00:00Z"), at("2027-01-15T13:00:00Z"),
        ]
        assert "episode 4" in chat.received("reminder")[-1].text


async def test_a_refresh_that_drops_and_moves_episodes_alerts_once_per_chat_and_replans(make_story, fake_tvmaze):
    story, ny, seoul = await refreshed_with_changes(make_story, fake_tvmaze)
    await check_alerts_and_reminders(story, ny, seoul)


async def test_a_restart_after_the_refresh_changes_nothing(make_story, fake_tvmaze):
    async def restart(story):
        await story.stop()
        await story.start()
    story, ny, seoul = await refreshed_with_changes(make_story, fake_tvmaze, restart=restart)
    await check_alerts_and_reminders(story, ny, seoul)


async def test_a_crash_after_the_change_was_stored_announces_it_at_the_next_start(make_story, fake_tvmaze):
    async def nothing() -> int:
        return 0

    def crash_before_announcing(story):
        story.sim.process.live.announce_pending = nothing  # dies between storing the change and announcing it

    story, ny, seoul = await refreshed_with_changes(make_story, fake_tvmaze, prepare=crash_before_announcing)
    assert ny.received("notice") == []
    await story.sim.kill()
    await story.start()
    await story.sim.process.core.idle()
    await check_alerts_and_reminders(story, ny, seoul)


async def test_an_ambiguous_search_subscribes_nothing_until_a_choice_is_made(make_story, fake_tvmaze):
    story = await tvmaze_story(make_story, fake_tvmaze)
    fan = story.chat()
    reply = await fan.say("/subscribe Star River")
    assert reply == (
        '"Star River" could be several shows or people on TVmaze; pick one:\n'
        "• Star River Lights (KBS2, KR, 2027): /subscribe tvmaze:7010\n"
        "• Star River Lights (MBC, KR, 2019): /subscribe tvmaze:7011\n"
        "• Star River Lanterns (SBS, KR, 2023): /subscribe tvmaze:7012"
    )
    choices = fan.received("reply")[-1].choices
    assert [c.label for c in choices] == ["Star River Lights (KBS2, KR, 2027)", "Star River Lights (MBC, KR, 2019)",
                                          "Star River Lanterns (SBS, KR, 2023)"]
    assert subscriptions(story) == []
    picked = await story.sim.adapter("telegram").choose("100", "100", choices[1])
    assert picked is not None and picked.text.startswith("Subscribed to <b>Star River Lights</b>")
    assert subscriptions(story) == [("telegram", "100", "show", "tvmaze:7011")]
    # typed, the same works; and an exact title needs no choice
    assert (await fan.say("/subscribe tvmaze:7012")).startswith("Subscribed to <b>Star River Lanterns</b>")


async def test_an_actor_brings_their_current_shows(make_story, fake_tvmaze):
    story = await tvmaze_story(make_story, fake_tvmaze)
    fan = story.chat()
    reply = await fan.say("/subscribe Han Seo Jin Test")
    assert reply.startswith("Following <b>Han Seo Jin Test</b>: news that mentions them and reminders for The River Runs Test.")
    assert subscriptions(story) == [("telegram", "100", "actor", "tvmaze:person:9001")]
    await story.advance("2027-01-08T00:00:00Z")
    assert [r.at for r in fan.received("reminder")] == [at("2027-01-06T13:00:00Z"), at("2027-01-07T13:00:00Z")]


async def test_tvmaze_unreachable_or_slow_gets_a_clear_reply_within_5_seconds(make_story, fake_tvmaze):
    story = await make_story(start=START, tvmaze={"base_url": "http://127.0.0.1:9"})  # nothing listens there
    began = time.monotonic()
    reply = await story.chat().say("/subscribe Some Drama Airing Now")
    assert time.monotonic() - began < 5
    assert reply.startswith('I know no show or actor called "Some Drama Airing Now" in my catalog, and could not ask TVmaze: '
                            "TVmaze cannot be reached")
    slow = await tvmaze_story(make_story, fake_tvmaze)
    fake_tvmaze.fail = ["slow", "slow"]
    began = time.monotonic()
    reply = await slow.chat().say("/subscribe The River Runs Test")
    assert time.monotonic() - began < 5
    assert reply.endswith("could not ask TVmaze: TVmaze did not answer in time; try again later.")
    assert subscriptions(slow) == []


async def test_tvmaze_errors_and_nothing_found_are_said_plainly(make_story, fake_tvmaze):
    story = await tvmaze_story(make_story, fake_tvmaze)
    fan = story.chat()
    fake_tvmaze.fail = ["500", "500"]
    assert (await fan.say("/subscribe Anything")).endswith("TVmaze answered with an error (500); try again later.")
    fake_tvmaze.fail = ["garbage", "garbage"]
    assert (await fan.say("/subscribe Anything")).endswith("TVmaze sent something that is not valid JSON; try again later.")
    assert await fan.say("/subscribe Zzyzx Nowhere") == (
        'I know no show or actor called "Zzyzx Nowhere", and TVmaze knows none either. Check the spelling, '
        "or try the English or Korean title or an actor's name."
    )
    assert subscriptions(story) == []


async def test_an_ended_show_is_announced_once_and_refreshed_no_more(make_story, fake_tvmaze):
    story = await tvmaze_story(make_story, fake_tvmaze, start="2027-02-20T00:00:00Z")
    fan = story.chat()
    await fan.say("/subscribe The River Runs Test")
    fake_tvmaze.shows[7001]["status"] = "Ended"
    await story.advance("2027-02-22T00:00:00Z")
    assert await story.refresh() == 1
    assert [n.text for n in fan.received("notice")] == [
        "🏁 <b>The River Runs Test</b> (JTBC) has ended: no more episodes are planned, so no more reminders for it."
    ]
    await story.advance("2027-03-10T00:00:00Z")
    assert await story.refresh() == 0
    assert len(fan.received("notice")) == 1


async def test_with_tvmaze_off_unknown_names_are_not_looked_up(make_story):
    story = await make_story(start=START)
    began = time.monotonic()
    assert "I know no show or actor called" in await story.chat().say("/subscribe The River Runs Test")
    assert time.monotonic() - began < 1



async def test_streaming_releases_are_dates_told_at_the_streaming_hour_in_each_chats_zone(make_story, fake_tvmaze):
    story = await tvmaze_story(make_story, fake_tvmaze)
    ny, seoul, utc = story.chat("telegram", "100"), story.chat("telegram", "200"), story.chat("telegram", "300")
    await ny.say("/timezone America/New_York")
    await seoul.say("/timezone Asia/Seoul")
    reply = await ny.say("/subscribe Midnight Stream Test")
    assert reply.startswith(
        "Subscribed to <b>Midnight Stream Test</b>: reminders before every episode, and its news.\n"
        "Next: <b>Midnight Stream Test</b> episode 1 comes out on Fri 8 Jan 2027 (streaming, no set time); "
        "I tell you at 09:00 your time that day."
    )
    await seoul.say("/subscribe Midnight Stream Test")
    await utc.say("/subscribe Midnight Stream Test")
    assert "• Fri 8 Jan 2027 (streaming release): <b>Midnight Stream Test</b> episode 1" in await ny.say("/schedule")
    await story.advance("2027-01-09T00:00:00Z")
    expected = "📺 <b>Midnight Stream Test</b>, episode 1, is out today on Netflix (Fri 8 Jan 2027)."
    for chat, instant in ((seoul, "2027-01-08T00:00:00Z"), (utc, "2027-01-08T09:00:00Z"), (ny, "2027-01-08T14:00:00Z")):
        assert [(r.at, r.text) for r in chat.received("reminder")] == [(at(instant), expected)]
    # a fan who moves from Seoul to New York after being told is not told again that day
    await story.advance("2027-01-15T01:00:00Z")
    assert len(seoul.received("reminder")) == 2
    await seoul.say("/timezone America/New_York")
    await story.advance("2027-01-16T00:00:00Z")
    assert [r.at for r in seoul.received("reminder")] == [at("2027-01-08T00:00:00Z"), at("2027-01-15T00:00:00Z")]
    assert [r.at for r in ny.received("reminder")] == [at("2027-01-08T14:00:00Z"), at("2027-01-15T14:00:00Z")]
    await story.stop()
    await story.start()
    await story.advance("2027-01-23T00:00:00Z")
    assert [r.at for r in seoul.received("reminder")][-1] == at("2027-01-22T14:00:00Z")  # now New York's 09:00


async def test_news_about_an_imported_show_or_person_reaches_their_followers(make_story, fake_tvmaze):
    story = await tvmaze_story(make_story, fake_tvmaze)
    show_fan, actor_fan = story.chat("telegram", "100"), story.chat("telegram", "200")
    await show_fan.say("/subscribe The River Runs Test")
    await actor_fan.say("/subscribe Han Seo Jin Test")
    await story.publish(feed="soompi", id="1", title="“The River Runs Test” Tops Ratings In Its Second Week",
                        link="https://example.test/1")
    await story.publish(feed="soompi", id="2", title="Han Seo Jin Test Talks About Her Next Role", link="https://example.test/2")
    assert [n.text.splitlines()[-1] for n in show_fan.received("news")] == ["From soompi · You follow: The River Runs Test"]
    assert [n.text.splitlines()[-1] for n in actor_fan.received("news")] == ["From soompi · You follow: Han Seo Jin Test"]


async def test_a_name_the_catalog_finds_ambiguous_also_offers_tvmazes_candidates(make_story, fake_tvmaze):
    story = await tvmaze_story(make_story, fake_tvmaze, catalog={"shows": [
        {"title": "Star Rivers", "network": "KBS", "airings": [{"episode": 1, "at": at("2027-02-01T12:00:00Z")}]},
        {"title": "Star Riverside", "network": "KBS", "airings": [{"episode": 1, "at": at("2027-02-02T12:00:00Z")}]},
    ]})
    fan = story.chat()
    reply = await fan.say("/subscribe Star River")
    assert reply == (
        '"Star River" could be several shows or people; pick one:\n'
        "• Star Rivers: /subscribe Star Rivers\n"
        "• Star Riverside: /subscribe Star Riverside\n"
        "• Star River Lights (KBS2, KR, 2027): /subscribe tvmaze:7010\n"
        "• Star River Lights (MBC, KR, 2019): /subscribe tvmaze:7011\n"
        "• Star River Lanterns (SBS, KR, 2023): /subscribe tvmaze:7012"
    )
    assert subscriptions(story) == [] and story.sim.process.core.catalog.target("show", "tvmaze:7010") is None
    assert (await fan.say("/subscribe tvmaze:7010")).startswith("Subscribed to <b>Star River Lights</b>")


async def test_a_refresh_that_lists_no_episodes_at_all_removes_none(make_story, fake_tvmaze):
    story = await tvmaze_story(make_story, fake_tvmaze)
    fan = story.chat()
    await fan.say("/subscribe The River Runs Test")
    fake_tvmaze.episodes(7001).clear()  # a glitch, not sixteen pre-emptions
    await story.advance("2027-01-05T01:00:00Z")
    assert await story.refresh() == 1
    assert fan.received("notice") == []
    await story.advance("2027-01-08T00:00:00Z")
    assert len(fan.received("reminder")) == 2


async def test_an_episode_with_an_impossible_air_time_is_skipped_and_the_rest_of_the_show_works(make_story, fake_tvmaze):
    episodes = fake_tvmaze.episodes(7001)
    episodes[14]["airstamp"] = "0001-01-01T00:00:00+09:00"  # episode 15
    episodes[15]["airstamp"] = "9999-12-31T23:30:00-05:00"  # episode 16
    story = await tvmaze_story(make_story, fake_tvmaze)
    fan = story.chat("telegram", "100")
    reply = await fan.say("/subscribe the river runs test")
    assert reply.startswith("Subscribed to <b>The River Runs Test</b>")
    assert "Next: The River Runs Test episode 1, Wed 13:30 (UTC), 6 Jan 2027" in reply
    await story.advance("2027-03-01T00:00:00Z")
    reminders = fan.received("reminder")
    assert [r.at for r in reminders] == [stamp - timedelta(minutes=30) for stamp in airstamps(fake_tvmaze)[:14]]


async def test_one_show_with_a_bad_air_time_does_not_stop_another_shows_move_in_the_same_refresh(make_story, fake_tvmaze):
    from tests.fakes.tvmaze_api import weekly_episodes

    fake_tvmaze.shows[7010]["_embedded"]["episodes"] = weekly_episodes(701000, datetime(2027, 1, 4).date(), 8, days=(0, 1))
    story = await tvmaze_story(make_story, fake_tvmaze)
    fan = story.chat("telegram", "100")
    assert "Subscribed to" in await fan.say("/subscribe tvmaze:7001")
    assert "Subscribed to" in await fan.say("/subscribe tvmaze:7010")
    await story.advance("2027-01-07T14:00:00Z")
    fake_tvmaze.episodes(7010)[5]["airstamp"] = "9999-12-31T23:30:00-05:00"  # broken upstream
    fake_tvmaze.episodes(7001)[2]["airstamp"] = "2027-01-13T14:30:00+00:00"  # episode 3 really moves an hour later
    assert await story.refresh() == 2
    [notice] = fan.received("notice")
    assert "<b>The River Runs Test</b> (JTBC): episode 3 now airs Wed 14:30 (UTC), 13 Jan 2027" in notice.text
    asked = len(fake_tvmaze.requests)
    await story.advance("2027-01-07T16:00:00Z")
    await story.refresh()
    assert len(fake_tvmaze.requests) - asked <= 2  # the round completed: no show is read again at once
    await story.advance("2027-01-14T00:00:00Z")
    assert at("2027-01-13T14:00:00Z") in [r.at for r in fan.received("reminder")]


async def test_a_show_that_cannot_be_applied_holds_no_other_show_back(make_story, fake_tvmaze, monkeypatch, caplog):
    """Whatever else breaks on one show's new data, the round still applies the others."""
    import bot.integrations.sources
    from tests.fakes.tvmaze_api import weekly_episodes

    fake_tvmaze.shows[7010]["_embedded"]["episodes"] = weekly_episodes(701000, datetime(2027, 1, 4).date(), 8, days=(0, 1))
    story = await tvmaze_story(make_story, fake_tvmaze)
    fan = story.chat("telegram", "100")
    assert "Subscribed to" in await fan.say("/subscribe tvmaze:7001")
    assert "Subscribed to" in await fan.say("/subscribe tvmaze:7010")
    building = bot.integrations.sources.imported_show

    def fragile(imported, *args, **kwargs):
        if any(e.name == "Unbuildable" for e in imported.episodes):
            raise RuntimeError("a bug this data finds")
        return building(imported, *args, **kwargs)

    monkeypatch.setattr(bot.integrations.sources, "imported_show", fragile)
    await story.advance("2027-01-07T14:00:00Z")
    fake_tvmaze.episodes(7010)[5]["name"] = "Unbuildable"
    fake_tvmaze.episodes(7001)[2]["airstamp"] = "2027-01-13T14:30:00+00:00"  # episode 3 moves an hour later
    await story.refresh()
    [notice] = fan.received("notice")
    assert "<b>The River Runs Test</b> (JTBC): episode 3 now airs Wed 14:30 (UTC), 13 Jan 2027" in notice.text
    assert "refreshing tvmaze:7010 from TVmaze failed; trying again later" in caplog.text
