"""Fans subscribe, the clock moves, reminders arrive in each fan's own zone, exactly once."""

from tests.conftest import at
from tests.fixtures.catalogs import night_owl

NIGHT_OWL = night_owl()


async def test_new_york_fan_gets_all_sixteen_reminders_at_0830_or_0930_local(make_story):
    story = await make_story(start="2022-12-20T00:00:00Z")
    fan = story.chat("telegram", "100")
    assert "America/New_York" in await fan.say("/timezone New York")
    assert "30m before" in await fan.say("/remind 30m")
    assert "Subscribed to <b>The Interest of Love</b>" in await fan.say("/subscribe The Interest of Love")

    await story.advance("2023-02-10T00:00:00Z")

    reminders = fan.received("reminder")
    assert len(reminders) == 16
    assert [r.at for r in reminders[:3]] == [
        at("2022-12-21T13:00:00Z"), at("2022-12-22T13:00:00Z"), at("2022-12-28T13:00:00Z"),
    ]
    assert reminders[0].text == (
        "⏰ <b>The Interest of Love</b>, episode 1, starts in 30 minutes: "
        "Wed 08:30 (America/New_York), 21 Dec 2022 (JTBC)."
    )
    assert "episode 16, starts in 30 minutes: Thu 08:30 (America/New_York), 9 Feb 2023" in reminders[-1].text
    for number, reminder in enumerate(reminders, start=1):
        assert f"episode {number}," in reminder.text
        assert ("Wed 08:30" in reminder.text) or ("Thu 08:30" in reminder.text)


async def test_sydney_fan_sees_thursday_and_friday_0030(make_story):
    story = await make_story(start="2022-12-20T00:00:00Z")
    fan = story.chat("telegram", "200")
    await fan.say("/timezone Australia/Sydney")
    await fan.say("/subscribe 사랑의 이해")

    await story.advance("2023-02-10T00:00:00Z")

    reminders = fan.received("reminder")
    assert len(reminders) == 16
    assert "starts in 30 minutes: Thu 00:30 (Australia/Sydney), 22 Dec 2022" in reminders[0].text
    assert "Fri 00:30 (Australia/Sydney), 23 Dec 2022" in reminders[1].text
    assert all(("Thu 00:30" in r.text) or ("Fri 00:30" in r.text) for r in reminders)


async def test_discord_reminder_uses_timestamp_markup(make_story):
    story = await make_story(start="2022-12-20T00:00:00Z")
    fan = story.chat("discord", "300")
    await fan.say("/subscribe The Interest of Love")
    await story.advance("2022-12-21T13:00:00Z")
    [reminder] = fan.received("reminder")
    stamp = int(at("2022-12-21T13:30:00Z").timestamp())
    assert reminder.text == f"⏰ **The Interest of Love**, episode 1, starts <t:{stamp}:R>: <t:{stamp}:F> (JTBC)."


async def test_two_leads_give_two_reminders_per_episode(make_story):
    story = await make_story(start="2022-12-20T00:00:00Z")
    fan = story.chat("telegram", "100")
    await fan.say("/timezone America/New_York")
    assert "1h and 10m before" in await fan.say("/remind 10m 1h")
    await fan.say("/subscribe The Interest of Love")

    await story.advance("2022-12-22T00:00:00Z")

    reminders = fan.received("reminder")
    assert [(r.at, r.text.split("starts ")[1].split(":")[0]) for r in reminders] == [
        (at("2022-12-21T12:30:00Z"), "in 1 hour"),
        (at("2022-12-21T13:20:00Z"), "in 10 minutes"),
    ]


async def test_show_and_actor_subscription_give_one_reminder(make_story):
    story = await make_story(start="2022-12-20T00:00:00Z")
    fan = story.chat("telegram", "100")
    await fan.say("/subscribe The Interest of Love")
    reply = await fan.say("/subscribe Moon Ka-young")
    assert "Following <b>Moon Ga Young</b>" in reply
    assert "reminders for The Interest of Love" in reply
    await fan.say("/subscribe 유연석")

    await story.advance("2022-12-21T14:00:00Z")

    assert len(fan.received("reminder")) == 1


async def test_actor_subscription_alone_brings_reminders_for_their_show(make_story):
    story = await make_story(start="2022-12-20T00:00:00Z")
    fan = story.chat("telegram", "100")
    await fan.say("/subscribe Keum Sae-rok")
    await story.advance("2022-12-21T14:00:00Z")
    [reminder] = fan.received("reminder")
    assert "The Interest of Love" in reminder.text


async def test_skip_date_moves_later_episodes_to_the_next_slot(make_story):
    story = await make_story(start="2026-02-27T00:00:00Z", catalog=NIGHT_OWL)
    fan = story.chat("telegram", "100")
    await fan.say("/timezone Asia/Seoul")
    await fan.say("/remind 0m")
    await fan.say("/subscribe night owl test")

    await story.advance("2026-04-01T00:00:00Z")

    reminders = fan.received("reminder")
    assert [r.at for r in reminders] == [
        at("2026-03-01T14:50:00Z"), at("2026-03-15T14:50:00Z"), at("2026-03-22T14:50:00Z"), at("2026-03-29T14:50:00Z"),
    ]
    assert "episode 2, starts now: Sun 23:50 (Asia/Seoul), 15 Mar 2026" in reminders[1].text


async def test_late_slot_falls_on_the_next_day_for_viewers_east_of_seoul(make_story):
    story = await make_story(start="2026-02-27T00:00:00Z", catalog=NIGHT_OWL)
    fan = story.chat("telegram", "9")
    await fan.say("/timezone Pacific/Auckland")
    await fan.say("/subscribe Some Actor")
    reply = await fan.say("/next")
    assert reply.startswith("Next: <b>Night Owl Test</b> episode 1, Mon 03:50 (Pacific/Auckland), 2 Mar 2026, in 2 days")
    await story.advance("2026-03-02T00:00:00Z")
    [reminder] = fan.received("reminder")
    assert reminder.at == at("2026-03-01T14:20:00Z")
    assert "Mon 03:50 (Pacific/Auckland), 2 Mar 2026" in reminder.text


async def test_daylight_saving_change_in_the_shows_own_zone(make_story):
    catalog = {
        "shows": [{
            "title": "Manhattan Nights", "network": "ABC", "timezone": "America/New_York", "days": ["tue"],
            "time": "21:00", "premiere": at("2026-10-27T00:00:00+00:00").date(), "episodes": 2,
        }],
    }
    story = await make_story(start="2026-10-20T00:00:00Z", catalog=catalog)
    seoul = story.chat("telegram", "1")
    await seoul.say("/timezone Seoul")
    await seoul.say("/remind 0m")
    await seoul.say("/subscribe manhattan nights")

    await story.advance("2026-11-10T00:00:00Z")

    reminders = seoul.received("reminder")
    assert [r.at for r in reminders] == [at("2026-10-28T01:00:00Z"), at("2026-11-04T02:00:00Z")]
    assert "Wed 10:00 (Asia/Seoul), 28 Oct 2026" in reminders[0].text
    assert "Wed 11:00 (Asia/Seoul), 4 Nov 2026" in reminders[1].text


async def test_group_channel_gets_reminders_in_its_zone_and_each_fan_too(make_story):
    story = await make_story(start="2022-12-20T00:00:00Z")
    admin = story.chat("telegram", "-500", user="7", admin=True)
    assert "Subscribed to" in await admin.say("/channel subscribe The Interest of Love")
    assert "Europe/London" in await admin.say("/channel timezone London")
    await admin.say("/channel remind 1h")
    fan = story.chat("telegram", "7")
    await fan.say("/subscribe The Interest of Love")

    await story.advance("2022-12-21T14:00:00Z")

    [group_reminder] = admin.received("reminder")
    assert group_reminder.at == at("2022-12-21T12:30:00Z")
    assert "Wed 13:30 (Europe/London)" in group_reminder.text
    [fan_reminder] = fan.received("reminder")
    assert fan_reminder.at == at("2022-12-21T13:00:00Z")
    assert "Wed 13:30 (UTC)" in fan_reminder.text


async def test_unsubscribe_stops_reminders(make_story):
    story = await make_story(start="2022-12-20T00:00:00Z")
    fan = story.chat("telegram", "100")
    await fan.say("/subscribe The Interest of Love")
    await story.advance("2022-12-21T14:00:00Z")
    assert "Unsubscribed from <b>The Interest of Love</b>" in await fan.say("/unsubscribe the interest of love")
    await story.advance("2022-12-30T00:00:00Z")
    assert len(fan.received("reminder")) == 1


async def test_a_new_lead_fires_from_its_next_due_instant_not_for_the_past(make_story):
    story = await make_story(start="2022-12-20T00:00:00Z")
    fan = story.chat("telegram", "100")
    await fan.say("/subscribe The Interest of Love")
    await story.advance("2022-12-21T14:00:00Z")
    # episode 2's one-day reminder was due at 13:30, before the fan asked for it: not sent late
    await fan.say("/remind 1d")
    await story.advance("2022-12-28T00:00:00Z")
    reminders = fan.received("reminder")
    assert [r.at for r in reminders] == [at("2022-12-21T13:00:00Z"), at("2022-12-27T13:30:00Z")]
    assert "episode 3, starts in 1 day:" in reminders[1].text


async def test_new_subscriber_gets_no_reminder_for_a_job_already_fired(make_story):
    story = await make_story(start="2022-12-20T00:00:00Z")
    early = story.chat("telegram", "1")
    late = story.chat("telegram", "2")
    await early.say("/subscribe The Interest of Love")
    await story.advance("2022-12-21T13:10:00Z")
    await late.say("/subscribe The Interest of Love")
    await story.advance("2022-12-21T14:00:00Z")
    assert len(early.received("reminder")) == 1
    assert late.received("reminder") == []
