"""Articles that name what a chat follows arrive once; others do not arrive at all."""

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.app.news import news_message
from bot.domain.article import Article
from bot.domain.interfaces import DeliveryError
from bot.domain.names import Target
from bot.domain.render import to_discord_markdown, to_plain, to_telegram_html
from tests.conftest import at

RATINGS = dict(
    feed="soompi",
    id="https://news.example.test/?p=101",
    title="“The Interest of Love” Climbs in Ratings as Yoo Yeon Seok’s Character Makes a Choice",
    link="https://news.example.test/ratings-climb/",
    summary="The JTBC drama starring Moon Ga Young & Yoo Yeon Seok rose again this week.",  # text, as bot.integrations.feeds makes it
)


async def test_article_reaches_show_and_actor_followers_once(make_story):
    story = await make_story(start="2022-12-20T00:00:00Z")
    show_fan = story.chat("telegram", "1")
    await show_fan.say("/subscribe The Interest of Love")
    await show_fan.say("/subscribe Yoo Yeon-seok")
    actor_fan = story.chat("discord", "2")
    await actor_fan.say("/subscribe Moon Ka-young")
    stranger = story.chat("telegram", "3")
    await stranger.say("/subscribe Queen of Tears")

    await story.advance("2022-12-23T09:00:00Z")
    await story.publish(**RATINGS)

    [telegram_news] = show_fan.received("news")
    assert telegram_news.at == at("2022-12-23T09:00:00Z")
    assert telegram_news.text == (
        '📰 <a href="https://news.example.test/ratings-climb/">“The Interest of Love” Climbs in Ratings as '
        "Yoo Yeon Seok’s Character Makes a Choice</a>\n"
        "The JTBC drama starring Moon Ga Young &amp; Yoo Yeon Seok rose again this week.\n"
        "From soompi · You follow: The Interest of Love, Yoo Yeon Seok"
    )
    [discord_news] = actor_fan.received("news")
    assert discord_news.text.startswith("📰 [“The Interest of Love” Climbs in Ratings")
    assert discord_news.text.endswith("\nFrom soompi · You follow: Moon Ga Young")  # its own subscription only
    assert "(<https://news.example.test/ratings-climb/>)" in discord_news.text
    assert stranger.received("news") == []


async def test_the_same_article_fetched_again_is_not_sent_again(make_story):
    story = await make_story(start="2022-12-20T00:00:00Z")
    fan = story.chat("telegram", "1")
    await fan.say("/subscribe The Interest of Love")
    await story.publish(**RATINGS)
    await story.stop()
    await story.start()
    await story.publish(**RATINGS)
    assert len(fan.received("news")) == 1


async def test_article_about_someone_else_is_not_sent(make_story):
    story = await make_story(start="2022-12-20T00:00:00Z")
    fan = story.chat("telegram", "1")
    await fan.say("/subscribe Moon Ga Young")
    await story.publish(
        feed="soompi", id="7", title="Moonlight drama tops the charts", link="https://news.example.test/moonlight/",
        summary="A new series about the moon, with Gayoung and others.",
    )
    assert fan.received("news") == []


async def test_hangul_article_matches_with_a_particle(make_story):
    story = await make_story(start="2022-12-20T00:00:00Z")
    fan = story.chat("telegram", "1")
    await fan.say("/subscribe Geum Sae Rok")
    await story.publish(
        feed="kr", id="55", title="금새록이 새 드라마에 출연한다", link="https://news.example.test/kr/55",
    )
    [news] = fan.received("news")
    assert "금새록이 새 드라마에 출연한다" in news.text
    assert news.text.endswith("\nFrom kr · You follow: Geum Sae Rok")


async def test_news_that_fails_is_retried_until_it_goes_stale(make_story):
    story = await make_story(start="2022-12-20T00:00:00Z")
    fan = story.chat("telegram", "1")
    await fan.say("/subscribe The Interest of Love")
    story.sim.adapter("telegram").failures["1"] = DeliveryError("timeout")
    await story.publish(**RATINGS)
    del story.sim.adapter("telegram").failures["1"]
    await story.advance(story.now + timedelta(minutes=5))
    [news] = fan.received("news")
    assert news.at == at("2022-12-20T00:00:30Z")


async def test_a_retried_article_names_what_it_named_when_it_arrived(make_story):
    """The stored summary is cut to 2,000 characters; a retry still knows what the article named,
    even when the name came later in the summary."""
    story = await make_story(start="2022-12-20T00:00:00Z")
    fan = story.chat("telegram", "1")
    await fan.say("/subscribe The Interest of Love")
    story.sim.adapter("telegram").failures["1"] = DeliveryError("timeout")
    await story.publish(feed="soompi", id="long-1", title="This week's ratings", link="https://news.example.test/long-1/",
                        summary="Numbers for every channel. " * 100 + "The Interest of Love rose again.")
    del story.sim.adapter("telegram").failures["1"]
    await story.advance(story.now + timedelta(minutes=5))
    [news] = fan.received("news")
    assert news.text.endswith("You follow: The Interest of Love")


async def test_huge_article_arrives_cut_to_fit_one_message(make_story):
    story = await make_story(start="2022-12-20T00:00:00Z")
    fan = story.chat("discord", "1")
    await fan.say("/subscribe The Interest of Love")
    await story.publish(
        feed="spam", id="1", title="The Interest of Love " + "very " * 2000 + "long title",
        link="https://news.example.test/" + "x" * 5000, summary="Yoo Yeon Seok " + "and more " * 5000,
    )
    [news] = fan.received("news")
    assert len(news.text) <= 2000
    first_line, summary, about = news.text.split("\n")
    assert first_line.startswith("📰 The Interest of Love very very") and first_line.endswith("very…")
    assert "https://" not in news.text  # a link no message could hold is left out, the title kept
    assert summary.startswith("Yoo Yeon Seok and more") and summary.endswith("…") and len(summary) <= 300
    assert about == "From spam · You follow: The Interest of Love"  # the chat's own subscriptions, not all it names


async def test_article_with_a_link_that_is_not_a_web_address_is_sent_without_it(make_story):
    story = await make_story(start="2022-12-20T00:00:00Z")
    fan = story.chat("telegram", "1")
    await fan.say("/subscribe The Interest of Love")
    await story.publish(feed="f", id="1", title="The Interest of Love wins", link="javascript:alert(1)")
    [news] = fan.received("news")
    assert news.text == "📰 The Interest of Love wins\nFrom f · You follow: The Interest of Love"


ANY_TARGETS = st.lists(
    st.builds(Target, st.sampled_from(["show", "actor"]), st.text(min_size=1, max_size=5), st.text(max_size=40)),
    max_size=30,
)


@given(st.text(max_size=3000), st.text(max_size=3000), st.text(max_size=3000), ANY_TARGETS, st.text(min_size=1, max_size=300))
@settings(max_examples=200, deadline=None)
def test_any_article_renders_within_one_discord_message(title, link, summary, about, feed):
    message = news_message(Article(feed, "id", title, "https://x.test/" + link, summary), about)
    assert len(to_discord_markdown(message)) <= 2000
    assert len(to_telegram_html(message)) <= 4096
    assert to_plain(message).startswith("📰 ")
