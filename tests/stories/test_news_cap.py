"""The hourly news cap per chat, the digest at the end of the hour, and /news."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.app.news import digest_message
from bot.domain.interfaces import ChatMoved
from bot.domain.render import to_discord_markdown, to_telegram_html
from bot.storage.values import StoredArticle
from tests.conftest import at


def recap(n: int, about: str = "The Interest of Love") -> dict:
    return dict(
        feed="soompi", id=f"recap-{n}", title=f"{about} episode {n} recap",
        link=f"https://news.example.test/recap-{n}/", summary=f"What happened in episode {n}.",
    )


async def test_21_articles_in_an_hour_make_20_posts_and_one_digest_of_the_rest(make_story):
    story = await make_story(start="2022-12-23T09:00:00Z")
    fan = story.chat("telegram", "1")
    await fan.say("/subscribe The Interest of Love")
    other = story.chat("discord", "2")
    await other.say("/subscribe Moon Ga Young")
    for n in range(1, 24):  # 23 articles between 09:00 and 09:44
        await story.advance(at("2022-12-23T09:00:00Z") + timedelta(minutes=2 * n))
        await story.publish(**recap(n))
    await story.publish(**recap(99, "Moon Ga Young"))
    posts = fan.received("news")
    assert len(posts) == 20
    assert [p.text.split("\n")[0] for p in posts][-1].endswith("episode 20 recap</a>")
    assert len(other.received("news")) == 1  # another chat's cap is its own

    await story.advance("2022-12-23T09:59:59Z")
    assert len(fan.received("news")) == 20  # nothing more before the hour ends
    await story.advance("2022-12-23T10:30:00Z")
    *_, digest = fan.received("news")
    assert len(fan.received("news")) == 21
    assert digest.at == at("2022-12-23T10:00:00Z")
    assert digest.text.split("\n") == [
        "📰 3 more articles about what you follow came in the last hour, beyond this chat's 20 an hour:",
        *(f'• <a href="https://news.example.test/recap-{n}/">The Interest of Love episode {n} recap</a> (soompi)'
          for n in (21, 22, 23)),
    ]
    assert len(other.received("news")) == 1  # no digest for a chat under its cap

    # the next hour starts a new count
    await story.publish(**recap(24))
    assert len(fan.received("news")) == 22
    await story.advance("2022-12-23T12:00:00Z")
    assert len(fan.received("news")) == 22  # and one digest per hour, only for an hour over the cap


async def test_the_digest_survives_a_restart_and_is_sent_once(make_story):
    story = await make_story(start="2022-12-23T09:00:00Z", news={"max_per_hour": 2})
    fan = story.chat("telegram", "1")
    await fan.say("/subscribe The Interest of Love")
    for n in range(1, 6):
        await story.publish(**recap(n))
    assert len(fan.received("news")) == 2
    await story.advance("2022-12-23T09:30:00Z")
    await story.stop()
    await story.advance("2022-12-23T11:00:00Z")  # stopped when the hour ended
    await story.start()
    [_, _, digest] = fan.received("news")
    assert digest.at == at("2022-12-23T11:00:00Z")
    assert digest.text.startswith("📰 3 more articles about what you follow came in the last hour, beyond this chat's 2 an hour:")
    assert "recap-3/" in digest.text and "recap-4/" in digest.text and "recap-5/" in digest.text
    await story.stop()
    await story.start()
    await story.advance("2022-12-23T14:00:00Z")
    assert len(fan.received("news")) == 3


async def test_a_digest_leaves_out_what_the_chat_stopped_following(make_story):
    story = await make_story(start="2022-12-23T09:00:00Z", news={"max_per_hour": 1})
    fan = story.chat("telegram", "1")
    await fan.say("/subscribe The Interest of Love")
    await fan.say("/subscribe Queen of Tears")
    await story.publish(**recap(1))
    await story.publish(**recap(2))
    await story.publish(**recap(3, "Queen of Tears"))
    await fan.say("/unsubscribe The Interest of Love")
    await story.advance("2022-12-23T10:00:00Z")
    [_, digest] = fan.received("news")
    assert digest.text.split("\n")[0].startswith("📰 1 more article about what you follow")
    assert "Queen of Tears episode 3" in digest.text and "episode 2" not in digest.text
    # a chat that follows none of its held articles any more gets no digest at all
    story2 = await make_story(start="2022-12-23T09:00:00Z", news={"max_per_hour": 1})
    quitter = story2.chat("telegram", "5")
    await quitter.say("/subscribe The Interest of Love")
    await story2.publish(**recap(1))
    await story2.publish(**recap(2))
    await quitter.say("/unsubscribe The Interest of Love")
    await story2.advance("2022-12-23T11:00:00Z")
    assert len(quitter.received("news")) == 1


async def test_the_cap_counts_across_feeds_and_the_ledger_holds_one_row_per_article(make_story, tmp_path):
    story = await make_story(start="2022-12-23T09:00:00Z", news={"max_per_hour": 3}, db=str(tmp_path / "cap.sqlite3"))
    fan = story.chat("telegram", "1")
    await fan.say("/subscribe The Interest of Love")
    for n in range(4):
        await story.publish(**{**recap(n), "feed": f"feed{n % 2}"})
    await story.advance("2022-12-23T10:00:01Z")
    assert len(fan.received("news")) == 4  # 3 posts and the digest
    with sqlite3.connect(tmp_path / "cap.sqlite3") as db:
        jobs = sorted(job for (job,) in db.execute("SELECT job FROM deliveries WHERE state = 'sent'"))
        held = db.execute("SELECT feed, article_id, queued FROM news_digest").fetchall()
    assert jobs == sorted([f"|digest|{int(at('2022-12-23T09:00:00Z').timestamp())}", "feed0|recap-0", "feed0|recap-2", "feed1|recap-1"])
    assert held == [("feed1", "recap-3", 1)]


ANY_ARTICLES = st.lists(
    st.builds(StoredArticle, st.text(min_size=1, max_size=80), st.text(max_size=20), st.text(max_size=400),
              st.text(max_size=600).map(lambda s: "https://x.test/" + s), st.just(""), st.none(), st.integers(0, 2**31)),
    min_size=1, max_size=120,
)


@given(ANY_ARTICLES, st.integers(1, 1000))
@settings(max_examples=100, deadline=None)
def test_any_digest_fits_one_message_and_counts_every_article(articles, cap):
    message = digest_message(articles, cap)
    discord, telegram = to_discord_markdown(message), to_telegram_html(message)
    assert len(discord) <= 2000 and len(telegram) <= 4096
    lines = discord.split("\n")
    assert lines[0].startswith(f"📰 {len(articles)} more")
    listed = sum(1 for line in lines if line.startswith("• "))
    assert listed == len(articles) or lines[-1] == f"…and {len(articles) - listed} more. /news shows the latest."


# ---- /news ------------------------------------------------------------------------------------------


async def test_news_shows_the_five_latest_for_the_chat_or_for_a_name(make_story):
    story = await make_story(start="2022-12-23T09:00:00Z", timezone="Asia/Seoul")
    fan = story.chat("telegram", "1")
    assert await fan.say("/news") == (
        "This chat follows nothing yet, so it has no news. Try /news The Interest of Love, or /subscribe to a show or actor first."
    )
    await fan.say("/subscribe The Interest of Love")
    assert await fan.say("/news") == "No news about what this chat follows has come in yet."
    for n in range(1, 8):
        await story.advance(at("2022-12-23T09:00:00Z") + timedelta(minutes=n))
        await story.publish(**recap(n))
    await story.publish(**recap(50, "Queen of Tears"))
    await story.publish(feed="soompi", id="x", title="Weather today", link="https://news.example.test/weather/")

    reply = await fan.say("/news")
    lines = reply.split("\n")
    assert lines[0] == "The latest news about what this chat follows:"
    assert lines[1:] == [
        f'• <a href="https://news.example.test/recap-{n}/">The Interest of Love episode {n} recap</a> (soompi, 23 Dec 2022)'
        for n in (7, 6, 5, 4, 3)
    ]
    queen = await fan.say("/news Queen of Tears")  # any name, followed or not
    assert queen.split("\n") == [
        "The latest news about Queen of Tears:",
        '• <a href="https://news.example.test/recap-50/">Queen of Tears episode 50 recap</a> (soompi, 23 Dec 2022)',
    ]
    assert await fan.say("/news Moon Ga Young") == "No news about Moon Ga Young has come in yet."
    assert "I know no show or actor called" in await fan.say("/news Nobody At All")
    # stored across restarts
    await story.stop()
    await story.start()
    assert await fan.say("/news") == reply


async def test_a_group_that_moves_mid_hour_keeps_its_count_and_gets_its_digest_at_the_new_id(make_story):
    story = await make_story(start="2022-12-23T10:00:00Z", news={"max_per_hour": 2})
    group = story.chat("telegram", "-100", user="7", admin=True)
    await group.say("/channel subscribe The Interest of Love")
    await story.publish(**recap(1))
    assert len(group.received("news")) == 1
    story.sim.adapter("telegram").failures["-100"] = ChatMoved("-1009")  # upgraded to a supergroup
    await story.advance("2022-12-23T10:10:00Z")
    await story.publish(**recap(2))  # its second article of the hour goes to the new id
    moved = story.chat("telegram", "-1009", user="7", admin=True)
    assert [p.text.split("\n")[0].endswith("episode 2 recap</a>") for p in moved.received("news")] == [True]
    await story.advance("2022-12-23T10:20:00Z")
    await story.publish(**recap(3))  # the third is over the hour's cap of 2, counted across the move
    assert len(moved.received("news")) == 1
    await story.advance("2022-12-23T11:00:01Z")
    [_, digest] = moved.received("news")
    assert digest.text.startswith("📰 1 more article about what you follow came in the last hour, beyond this chat's 2 an hour:")
    assert "episode 3 recap" in digest.text
    assert len(group.received("news")) == 1
