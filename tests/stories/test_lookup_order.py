"""The show a fan names is the show they get, whatever other fans imported before: an exact title
or alias (after normalisation), in the catalog or on TVmaze, wins over any fuzzy or prefix match;
a catalog match that is not exact also asks TVmaze, and the plausible candidates of both are
offered as choices, nothing subscribed until one is picked. TVmaze is tests/fakes/tvmaze_api.py."""

from datetime import date

from tests.fakes.tvmaze_api import korean_network, show, weekly_episodes
from tests.stories.test_tvmaze import START, subscriptions, tvmaze_story


def add_river_shows(fake) -> None:
    """Two shows a letter apart: "River Lantern" (KBS2) and "River Lanterns" (tvN)."""
    fake.shows[7020] = show(7020, "River Lantern", network=korean_network("KBS2"),
                            episodes=weekly_episodes(702000, date(2027, 1, 6), 8))
    fake.shows[7021] = show(7021, "River Lanterns", network=korean_network("tvN"), premiered="2027-01-07",
                            episodes=weekly_episodes(702100, date(2027, 1, 7), 8, days=(3, 4)))


async def test_an_exact_title_on_tvmaze_wins_over_a_near_title_another_fan_imported(make_story, fake_tvmaze):
    add_river_shows(fake_tvmaze)
    story = await tvmaze_story(make_story, fake_tvmaze, start=START)
    first, second = story.chat("telegram", "100"), story.chat("telegram", "200")
    assert (await first.say("/subscribe River Lantern")).startswith("Subscribed to <b>River Lantern</b>")
    reply = await second.say("/subscribe River Lanterns")
    assert reply.startswith("Subscribed to <b>River Lanterns</b>: reminders before every episode")
    assert subscriptions(story) == [("telegram", "100", "show", "tvmaze:7020"), ("telegram", "200", "show", "tvmaze:7021")]


async def test_a_part_of_a_title_another_fan_imported_offers_tvmazes_shows_too(make_story, fake_tvmaze):
    add_river_shows(fake_tvmaze)
    story = await tvmaze_story(make_story, fake_tvmaze, start=START)
    await story.chat("telegram", "100").say("/subscribe River Lantern")
    fan = story.chat("telegram", "300")
    reply = await fan.say("/subscribe River")
    lines = reply.split("\n")
    assert lines[0] == '"River" could be several shows or people; pick one:'
    assert lines[1] == "• River Lantern: /subscribe River Lantern"  # the catalog's own first
    assert "• River Lanterns (tvN, KR, 2027): /subscribe tvmaze:7021" in lines
    assert "• The River Runs Test (JTBC, KR, 2027): /subscribe tvmaze:7001" in lines
    assert not any("tvmaze:7020" in line for line in lines)  # River Lantern is listed once, by its name
    assert [c.label for c in fan.received("reply")[-1].choices][:2] == ["River Lantern", "River Lanterns (tvN, KR, 2027)"]
    assert subscriptions(story) == [("telegram", "100", "show", "tvmaze:7020")]  # nothing for fan 300 yet


async def test_an_exact_catalog_title_asks_tvmaze_nothing(make_story, fake_tvmaze):
    add_river_shows(fake_tvmaze)
    story = await tvmaze_story(make_story, fake_tvmaze, start=START)
    await story.chat("telegram", "100").say("/subscribe River Lantern")
    asked = len(fake_tvmaze.requests)
    assert (await story.chat("telegram", "200").say("/subscribe river-lantern")).startswith("Subscribed to <b>River Lantern</b>")
    assert len(fake_tvmaze.requests) == asked


async def test_a_misspelling_only_the_catalog_knows_is_still_accepted_when_tvmaze_finds_nothing(make_story, fake_tvmaze):
    story = await tvmaze_story(make_story, fake_tvmaze, start=START, catalog=None)
    reply = await story.chat().say("/subscribe intrest of love")
    assert reply.startswith("Subscribed to <b>The Interest of Love</b>")


async def test_a_misspelling_is_accepted_when_tvmaze_cannot_be_asked(make_story):
    story = await make_story(start=START, tvmaze={"base_url": "http://127.0.0.1:9"})  # nothing listens there
    assert (await story.chat().say("/subscribe intrest of love")).startswith("Subscribed to <b>The Interest of Love</b>")
