"""A database written by an older process: its pending deliveries of every kind, keyed as the
ledger has always keyed them, are retried by a new process; a key nobody can read is logged and
skipped without holding back the others."""

import logging
from dataclasses import replace
from datetime import date

from bot.domain.catalog import Catalog
from bot.domain.changes import Notice
from bot.storage import open_storage
from bot.storage.values import CatalogChange, LedgerJob, StoredNotice
from tests.conftest import at, bundled_catalog

FAN = [("telegram", "100")]


def catalog_with_a_release() -> Catalog:
    """The bundled catalog, with episode 99 of The Interest of Love streaming on 21 Dec 2022."""
    catalog = bundled_catalog()
    shows = dict(catalog.shows)
    shows["interestoflove"] = replace(shows["interestoflove"], dated=((99, date(2022, 12, 21)),))
    return Catalog(shows, catalog.actors)


async def test_pending_deliveries_of_every_kind_stored_by_an_older_process_are_retried_at_start(make_story, caplog):
    story = await make_story(start="2022-12-21T12:00:00Z", catalog=catalog_with_a_release())
    fan = story.chat("telegram", "100")
    await fan.say("/timezone America/New_York")
    await fan.say("/remind 30m")
    await fan.say("/subscribe The Interest of Love")
    await story.stop()

    # what an older process left in the database: claimed, not confirmed, when it stopped
    store = await open_storage(story.sim.db_path)
    now, expires = int(at("2022-12-21T12:00:00Z").timestamp()), int(at("2022-12-23T00:00:00Z").timestamp())
    hour = int(at("2022-12-21T11:00:00Z").timestamp())
    for article_id, title in (("a|1", "The Interest of Love wins big"), ("a|2", "The Interest of Love cast reunites")):
        await store.save_article(feed="Soompi", article_id=article_id, title=title, link=f"https://news.example.test/{article_id[-1]}",
                                 summary="", published=None, now=now)
        await store.save_article_targets(feed="Soompi", article_id=article_id, targets=[("show", "interestoflove")])
    await store.hold_for_digest(hour=hour, feed="Soompi", article_id="a|2", chats=FAN)
    moved = Notice("moved:interestoflove:0123456789abcdef", "moved", "interestoflove", "The Interest of Love", "KBS2",
                   ((2, int(at("2022-12-22T13:30:00Z").timestamp()), int(at("2022-12-22T14:30:00Z").timestamp())),), expires)
    await store.save_catalog_change(CatalogChange(notices=[StoredNotice(moved.key, moved.show, moved.to_json(), moved.expires)]), now=now)
    await store.notice_announced(notice=moved.key, now=now)
    stored = [
        ("reminder", "interestoflove#1@20221221T1330Z|30"),
        ("news", "Soompi|a|1"),
        ("news", f"|digest|{hour}"),
        ("release", "interestoflove#99@20221221"),
        ("notice", "moved:interestoflove:0123456789abcdef"),
        ("reminder", "interestoflove#1@20221221T1330Z|soon"),  # garbled: nobody can read these
        ("news", "|digest|yesterday"),
        ("release", "interestoflove"),
        ("notice", "moved"),
    ]
    for kind, job in stored:
        await store.claim(LedgerJob(kind, job, expires), recipients=FAN)
    await store.close()

    with caplog.at_level(logging.WARNING, logger="bot.domain.jobkeys"):
        await story.start()
        await story.advance("2022-12-21T12:05:00Z")

    texts = [to_text(s) for s in fan.received() if s.kind != "reply"]
    assert len(texts) == 5
    assert any("The Interest of Love</b>, episode 1, starts in 1 hour 30 minutes" in t for t in texts), texts
    assert any(t.startswith("📰") and "The Interest of Love wins big" in t and "cast reunites" not in t for t in texts)
    assert any("1 more article about what you follow" in t and "cast reunites" in t for t in texts)
    assert any("episode 99, is out today" in t for t in texts)
    assert any(t.startswith("📺 Schedule change") and "episode 2 now airs" in t for t in texts)
    garbled = [r.getMessage() for r in caplog.records if r.name == "bot.domain.jobkeys"]
    assert len(garbled) == 4 and all("cannot be read" in line for line in garbled), garbled


def to_text(sent) -> str:
    return sent.text
