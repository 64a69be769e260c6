"""Stories through the simulator with the bot's state on PostgreSQL (the other stories use
SQLite; the storage contract suite checks both backends alike): fans on both platforms, a stop
while a reminder falls due, news under the hourly cap."""

from datetime import timedelta

from tests.conftest import at


async def test_fans_on_postgresql_get_each_reminder_once_across_a_stop_and_a_start(make_story, postgres_url):
    story = await make_story(start="2022-12-20T00:00:00Z", db=postgres_url)
    fan, server = story.chat("telegram", "100"), story.chat("discord", "7", user="70", admin=True)
    for chat, prefix in ((fan, "/"), (server, "/channel ")):
        await chat.say(f"{prefix}timezone America/New_York")
        await chat.say(f"{prefix}remind 30m")
        await chat.say(f"{prefix}subscribe The Interest of Love")
    await story.advance("2022-12-21T12:50:00Z")
    await story.stop()
    await story.advance("2022-12-21T13:20:00Z")  # the 13:00 reminder fell due while stopped
    await story.start()
    await story.advance("2022-12-22T14:00:00Z")
    for chat in (fan, server):
        reminders = chat.received("reminder")
        assert [r.at for r in reminders] == [at("2022-12-21T13:20:00Z"), at("2022-12-22T13:00:00Z")]
        assert "episode 1, starts" in reminders[0].text and "episode 2, starts" in reminders[1].text
    assert "episode 1, starts in 10 minutes: Wed 08:30 (America/New_York)" in fan.received("reminder")[0].text
    assert "The Interest of Love" in await fan.say("/subscriptions")


async def test_on_postgresql_21_articles_in_an_hour_make_20_posts_and_a_digest(make_story, postgres_url):
    story = await make_story(start="2022-12-23T09:00:00Z", db=postgres_url)
    fan = story.chat("telegram", "1")
    await fan.say("/subscribe The Interest of Love")
    for n in range(1, 24):  # 23 articles between 09:00 and 09:46
        await story.advance(at("2022-12-23T09:00:00Z") + timedelta(minutes=2 * n))
        await story.publish(feed="soompi", id=f"recap-{n}", title=f"The Interest of Love episode {n} recap",
                            link=f"https://news.example.test/recap-{n}/", summary=f"What happened in episode {n}.")
    assert len(fan.received("news")) == 20
    await story.advance("2022-12-23T10:30:00Z")
    *_, digest = fan.received("news")
    assert len(fan.received("news")) == 21 and digest.at == at("2022-12-23T10:00:00Z")
    assert digest.text.startswith("📰 3 more articles about what you follow came in the last hour")
    assert "/recap-23/" in (await fan.say("/news"))
