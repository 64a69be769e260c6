"""Comparing two catalogs: moved, removed, added episodes and an ended show, from now on."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.catalog import Catalog, Show
from bot.domain.changes import Notice, diff_catalogs, diff_show, notice_message
from bot.domain.render import to_plain

NOW = datetime(2027, 1, 7, 14, 0, tzinfo=UTC)
SEOUL = ZoneInfo("Asia/Seoul")


def weekly(n: int) -> datetime:
    return datetime(2027, 1, 6, 13, 30, tzinfo=UTC) + timedelta(days=7 * (n - 1))


def catalog(airings: dict[int, datetime], key: str = "tvmaze:1") -> Catalog:
    return Catalog({key: Show(key, "River", network="JTBC", zone=SEOUL, explicit=tuple(sorted(airings.items())))}, {})


BEFORE = {n: weekly(n) for n in range(1, 6)}


def test_nothing_changed_gives_nothing():
    assert diff_show(catalog(BEFORE), catalog(dict(BEFORE)), "tvmaze:1", NOW) == []


def test_moved_removed_and_added_episodes_each_make_one_notice():
    after = dict(BEFORE)
    del after[3]
    after[4] = weekly(4) + timedelta(days=1)
    after[5] = weekly(5) + timedelta(hours=1)
    after[6] = weekly(6)
    notices = diff_show(catalog(BEFORE), catalog(after), "tvmaze:1", NOW)
    assert [(n.kind, n.episodes) for n in notices] == [
        ("moved", ((4, int(weekly(4).timestamp()), int(after[4].timestamp())),
                   (5, int(weekly(5).timestamp()), int(after[5].timestamp())))),
        ("removed", ((3, int(weekly(3).timestamp()), None),)),
        ("added", ((6, None, int(weekly(6).timestamp())),)),
    ]
    assert notices[0].expires == int(after[5].timestamp())
    # the same change always has the same identity: it is announced once
    assert diff_show(catalog(BEFORE), catalog(after), "tvmaze:1", NOW) == notices
    assert Notice.from_json(notices[0].to_json()) == notices[0]


def test_what_is_already_past_is_history_not_news():
    after = {n: at for n, at in BEFORE.items() if n != 1}  # episode 1 aired yesterday and left the list
    after[2] = weekly(2) - timedelta(days=1)  # ...and episode 2 aired earlier than planned, also before now
    assert diff_show(catalog(BEFORE), catalog(after), "tvmaze:1", NOW + timedelta(days=7)) == []


def test_a_first_import_announces_nothing_and_an_ending_is_announced():
    assert diff_catalogs(Catalog({}, {}), catalog(BEFORE), ["tvmaze:1"], NOW) == []
    [ended] = diff_catalogs(catalog(BEFORE), catalog(BEFORE), ["tvmaze:1"], NOW, ended=["tvmaze:1"])
    assert ended.kind == "ended" and ended.expires == int((NOW + timedelta(days=2)).timestamp())


def test_a_notice_is_written_in_the_readers_zone_and_names_at_most_four_episodes():
    after = {n: at + timedelta(days=1) for n, at in BEFORE.items()}
    after.update({n: weekly(n) + timedelta(days=1) for n in range(6, 9)})
    before = {**BEFORE, **{n: weekly(n) for n in range(6, 9)}}
    [moved] = diff_show(catalog(before), catalog(after), "tvmaze:1", NOW)  # episode 1 moved within the past: left out
    text = to_plain(notice_message(moved, ZoneInfo("America/New_York")))
    assert text.startswith("📺 Schedule change: River (JTBC): episode 2 now airs Thu 08:30 (America/New_York), 14 Jan 2027 "
                           "instead of Wed 08:30 (America/New_York), 13 Jan 2027; episode 3 now airs")
    assert text.endswith("; and 3 more. Reminders follow the new time.")


def test_a_notice_is_written_in_korean_for_a_korean_reader_under_the_korean_title():
    after = {n: at + timedelta(days=1) for n, at in BEFORE.items()}
    after.update({n: weekly(n) + timedelta(days=1) for n in range(6, 9)})
    before = {**BEFORE, **{n: weekly(n) for n in range(6, 9)}}
    [moved] = diff_show(catalog(before), catalog(after), "tvmaze:1", NOW)
    text = to_plain(notice_message(moved, ZoneInfo("Asia/Seoul"), "ko", "강"))
    assert text.startswith("📺 일정 변경: 강 (JTBC): 2회가 1월 13일 (수) 오후 10:30 (Asia/Seoul) 대신 "
                           "1월 14일 (목) 오후 10:30 (Asia/Seoul)에 방송돼요; 3회가")
    assert text.endswith("; 외 3개. 알림도 새 시간에 맞춰 와요.")
    assert "episode" not in text and "instead" not in text
