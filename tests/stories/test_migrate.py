"""Moving a running bot from SQLite to PostgreSQL: fans, owners and the ledger see the same bot after
`dramabot migrate` (bot.storage.move) as before, on a bot started on the PostgreSQL database."""

from __future__ import annotations

from pathlib import Path

from bot.domain.interfaces import DeliveryError
from bot.storage.move import move
from tests.conftest import at
from tests.fakes.feeds_server import FeedServer
from tests.web.helpers import free_port, link_in

OWNER = "telegram:9"
NEWS = {"allow_hosts": ["127.0.0.1"]}
NOW = at("2022-12-22T13:01:00Z")  # the move: episode 2's reminders went at 13:00, one of them failed
A_WEEK = 7 * 86_400


async def test_a_bot_moved_to_postgresql_keeps_its_fans_feeds_links_and_ledger(make_story, postgres_url, feed_server: FeedServer,
                                                                                 tmp_path: Path):
    sqlite = str(tmp_path / "bot.sqlite3")
    web = {"listen": f"127.0.0.1:{free_port()}"}
    before = await make_story(start="2022-12-20T00:00:00Z", db=sqlite, owners=[OWNER], news=NEWS, web=web, poll_feeds=True)
    fan, late, owner = before.chat("telegram", "100"), before.chat("telegram", "200"), before.chat("telegram", "9")
    for chat in (fan, late):
        await chat.say("/timezone America/New_York")
        await chat.say("/remind 30m")
        await chat.say("/subscribe The Interest of Love")
    feeds_added = await owner.say(f"/feeds add {feed_server.url('/atom.xml')} Drama Wire")
    assert feeds_added.startswith("Added the feed <b>Drama Wire</b>")
    link = link_in(await fan.say("/calendar"))
    await before.publish(feed="soompi", id="recap-1", title="The Interest of Love episode 1 recap",
                         link="https://news.example.test/recap-1/", summary="What happened.")
    await before.advance("2022-12-22T12:00:00Z")
    before.sim.adapter("telegram").failures["200"] = DeliveryError("429 Too Many Requests", retry_after=120)
    await before.advance(NOW)
    assert [r.at for r in fan.received("reminder")] == [at("2022-12-21T13:00:00Z"), at("2022-12-22T13:00:00Z")]
    assert [r.at for r in late.received("reminder")] == [at("2022-12-21T13:00:00Z")]  # episode 2's is to be retried at 13:02
    assert len(fan.received("news")) == 1
    subscriptions, feeds = await fan.say("/subscriptions"), await owner.say("/feeds")
    await before.stop()

    report = await move(source=sqlite, target=postgres_url, expired_before=int(NOW.timestamp()) - A_WEEK)
    copied = {c.table: c.rows for c in report.copied}
    assert copied["chats"] == 2 and copied["subscriptions"] == 2 and copied["feeds"] == 1 and copied["calendar_links"] == 1
    assert copied["articles"] == 1 and copied["deliveries"] == 6  # each fan: two reminders (one of them pending) and the news

    after = await make_story(start=NOW.isoformat(), db=postgres_url, owners=[OWNER], news=NEWS, poll_feeds=True,
                             web={**web, "calendar_key_file": f"{sqlite}.calendar-key"})
    fan2, late2, owner2 = after.chat("telegram", "100"), after.chat("telegram", "200"), after.chat("telegram", "9")
    assert await fan2.say("/subscriptions") == subscriptions
    assert await owner2.say("/feeds") == feeds and "Drama Wire" in feeds
    assert link_in(await fan2.say("/calendar")) == link  # the same link: the same nonce, the same key
    assert "recap-1" in await fan2.say("/news")
    await after.advance("2022-12-22T14:00:00Z")
    [retried] = late2.received("reminder")  # the retry was still pending, and went at its time
    assert retried.at == at("2022-12-22T13:02:00Z") and "episode 2, starts in 28 minutes" in retried.text
    assert fan2.received("reminder") == [] and fan2.received("news") == []  # nothing sent twice
