from tests.conftest import at


async def test_new_york_fan_gets_sixteen_reminders_at_0830_local(make_story):
    story = await make_story(start="2022-12-20T00:00:00Z")
    fan = story.chat("telegram", "100")
    assert "America/New_York" in await fan.say("/timezone New York")
    assert "30m" in await fan.say("/remind 30m")
    reply = await fan.say("/subscribe The Interest of Love")
    assert "Subscribed to <b>The Interest of Love</b>" in reply

    await story.advance("2023-02-10T00:00:00Z")

    reminders = fan.received("reminder")
    assert len(reminders) == 16
    assert [r.at for r in reminders][:2] == [at("2022-12-21T13:00:00Z"), at("2022-12-22T13:00:00Z")]
    assert "episode 1, starts in 30 minutes: Wed 08:30 (America/New_York), 21 Dec 2022" in reminders[0].text
    assert "episode 16, starts in 30 minutes: Thu 08:30 (America/New_York), 9 Feb 2023" in reminders[-1].text
