"""The catalog: weekly slots in a show's own zone become concrete airings, and a malformed file
stops start-up with the file, the entry and the field named."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import cache
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import event, example, given, settings
from hypothesis import strategies as st

import bot.domain.catalog.model as catalog_model
import bot.domain.catalog.schedule as catalog_schedule
from bot.domain.catalog import (
    WEEKDAYS,
    Airing,
    Catalog,
    CatalogError,
    Show,
    expand_airings,
    load_catalog,
    parse_catalog,
)
from tests.fixtures.catalogs import night_owl

SEOUL = ZoneInfo("Asia/Seoul")
KST = timezone(timedelta(hours=9))


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text)


def weekly(title: str = "Weekly", **fields) -> dict:
    return {"shows": [{"title": title, **fields}]}


# ---- the bundled catalog --------------------------------------------------------------------


def test_interest_of_love_has_sixteen_airings_from_21_december_to_9_february():
    airings = load_catalog().by_show["interestoflove"]
    assert [a.episode for a in airings] == list(range(1, 17))
    assert airings[0].start == utc("2022-12-21T13:30:00Z")
    assert airings[-1].start == utc("2023-02-09T13:30:00Z")
    assert all(a.start.tzinfo is UTC for a in airings)


def test_interest_of_love_airs_wednesdays_and_thursdays_at_2230_in_seoul():
    for airing in load_catalog().by_show["interestoflove"]:
        local = airing.start.astimezone(SEOUL)
        assert local.strftime("%a") in {"Wed", "Thu"}
        assert local.time() == time(22, 30)


def test_airing_key_names_show_episode_and_utc_start():
    first = load_catalog().by_show["interestoflove"][0]
    assert first.key == "interestoflove#1@20221221T1330Z"


def test_bundled_catalog_airings_are_in_start_order():
    catalog = load_catalog()
    starts = [a.start for a in catalog.airings]
    assert starts == sorted(starts)
    assert len(catalog.airings) == sum(s.episodes for s in catalog.shows.values()) == 64


def test_a_cast_member_leads_to_the_show():
    catalog = load_catalog()
    assert catalog.shows_followed([("actor", "yooyeonseok")]) == {"interestoflove"}
    assert catalog.shows_followed([("actor", "nobody"), ("show", "queenoftears")]) == {"queenoftears"}


# ---- skips, daylight saving, explicit airings -----------------------------------------------


def test_skipped_sunday_pushes_later_episodes_to_the_next_slots():
    catalog = parse_catalog(night_owl(airings=None))
    local_dates = [a.start.astimezone(SEOUL).date() for a in catalog.by_show["nightowltest"]]
    assert local_dates == [date(2026, 3, 1), date(2026, 3, 15), date(2026, 3, 22), date(2026, 3, 29)]
    assert catalog.by_show["nightowltest"][0].start == utc("2026-03-01T14:50:00Z")


def test_skipping_the_premiere_moves_episode_one():
    catalog = parse_catalog(night_owl(skip=[date(2026, 3, 1)]))
    starts = [a.start for a in catalog.by_show["nightowltest"]]
    assert starts[0] == utc("2026-03-08T14:50:00Z")
    assert starts[-1] == utc("2026-03-29T14:50:00Z")


def test_new_york_show_moves_an_hour_later_in_utc_after_the_november_change():
    catalog = parse_catalog(
        weekly(timezone="America/New_York", days=["tue"], time="21:00", premiere=date(2026, 10, 27), episodes=3)
    )
    assert [a.start for a in catalog.airings] == [
        utc("2026-10-28T01:00:00Z"),
        utc("2026-11-04T02:00:00Z"),
        utc("2026-11-11T02:00:00Z"),
    ]


def test_slot_in_the_spring_forward_gap_airs_at_the_fold_0_instant():
    # 2026-03-08 02:30 does not exist in New York (02:00 EST jumps to 03:00 EDT). As documented in
    # expand_airings, fold=0 reads it with the offset before the jump: 02:30 EST = 07:30Z = 03:30 EDT.
    catalog = parse_catalog(
        weekly(timezone="America/New_York", days=["sun"], time="02:30", premiere=date(2026, 3, 1), episodes=3)
    )
    starts = [a.start for a in catalog.airings]
    assert starts == [utc("2026-03-01T07:30:00Z"), utc("2026-03-08T07:30:00Z"), utc("2026-03-15T06:30:00Z")]
    gap_day = starts[1].astimezone(ZoneInfo("America/New_York"))
    assert (gap_day.date(), gap_day.time()) == (date(2026, 3, 8), time(3, 30))


def test_repeated_fall_back_hour_takes_its_first_occurrence():
    catalog = parse_catalog(
        weekly(timezone="America/New_York", days=["sun"], time="01:30", premiere=date(2026, 11, 1), episodes=1)
    )
    assert catalog.airings[0].start == utc("2026-11-01T05:30:00Z")  # 01:30 EDT, not 01:30 EST (06:30Z)


def test_explicit_airing_adds_an_episode_after_the_weekly_run():
    catalog = parse_catalog(night_owl(airings=[{"episode": 5, "at": datetime(2026, 4, 1, 23, 50, tzinfo=KST)}]))
    airings = catalog.by_show["nightowltest"]
    assert [a.episode for a in airings] == [1, 2, 3, 4, 5]
    assert airings[-1].start == utc("2026-04-01T14:50:00Z")
    assert airings[-1].start.tzinfo is UTC


def test_explicit_airing_replaces_one_episode_and_leaves_the_others():
    catalog = parse_catalog(night_owl(airings=[{"episode": 2, "at": datetime(2026, 3, 16, 20, 0, tzinfo=KST)}]))
    assert [(a.episode, a.start) for a in catalog.by_show["nightowltest"]] == [
        (1, utc("2026-03-01T14:50:00Z")),
        (2, utc("2026-03-16T11:00:00Z")),
        (3, utc("2026-03-22T14:50:00Z")),
        (4, utc("2026-03-29T14:50:00Z")),
    ]


def test_show_with_only_explicit_airings():
    catalog = parse_catalog(
        weekly(
            "Special",
            airings=[
                {"episode": 2, "at": datetime(2026, 5, 2, 20, 0, tzinfo=KST)},
                {"episode": 1, "at": datetime(2026, 5, 1, 20, 0, tzinfo=KST)},
            ],
        )
    )
    assert [(a.episode, a.start) for a in catalog.airings] == [
        (1, utc("2026-05-01T11:00:00Z")),
        (2, utc("2026-05-02T11:00:00Z")),
    ]


def test_cast_member_missing_from_actors_is_added():
    catalog = parse_catalog(night_owl(cast=["Some Actor", "New Face"]))
    assert set(catalog.actors) == {"someactor", "newface"}
    assert catalog.shows["nightowltest"].cast == ("someactor", "newface")


def test_cast_named_by_an_actor_alias_is_that_actor_not_a_new_one():
    catalog = parse_catalog(night_owl(cast=["썸액터"]))
    assert set(catalog.actors) == {"someactor"}
    assert catalog.shows["nightowltest"].cast == ("someactor",)
    assert catalog.names.lookup("썸액터").target.name == "Some Actor"


def test_cast_name_that_is_an_alias_of_two_actors_is_refused():
    raw = night_owl(cast=["Jay"])
    raw["actors"] += [{"name": "Jay Park", "aliases": ["Jay"]}, {"name": "Jay Kim", "aliases": ["Jay"]}]
    with pytest.raises(CatalogError) as refused:
        parse_catalog(raw, "shows.toml")
    assert "field 'cast'" in str(refused.value)
    assert "'Jay' is an alias of several actors (Jay Kim, Jay Park)" in str(refused.value)


# ---- property: expansion --------------------------------------------------------------------

ZONES = [
    "UTC",
    "Asia/Seoul",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "America/New_York",
    "America/Los_Angeles",
    "America/Santiago",
    "America/St_Johns",
    "America/Havana",
    "Europe/London",
    "Europe/Dublin",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Asia/Tehran",
]

slot_times = st.one_of(
    st.builds(time, st.integers(0, 23), st.integers(0, 59)),
    # Times near the usual daylight-saving transitions, so gaps and repeats come up often.
    st.sampled_from([time(0, 0), time(0, 30), time(1, 30), time(2, 0), time(2, 30), time(2, 45), time(3, 15), time(23, 30)]),
)


@cache
def spring_forward_gaps(zone_name: str, year: int) -> tuple[tuple[date, tuple[time, ...]], ...]:
    """Days of `year` on which the zone's clocks jump forward, with the wall-clock minutes that do not exist."""
    zone = ZoneInfo(zone_name)
    found = []
    day = date(year, 1, 1)
    while day.year == year:
        offsets = {zone.utcoffset(datetime.combine(day, t)) for t in (time(0), time(12), time(23, 59))}
        if len(offsets) > 1:
            missing = []
            for minute in range(24 * 60):
                wall = datetime.combine(day, time(minute // 60, minute % 60))
                if wall.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall:
                    missing.append(wall.time())
            if missing:
                found.append((day, tuple(missing)))
        day += timedelta(days=1)
    return tuple(found)


@st.composite
def slot_shows(draw):
    zone = draw(st.sampled_from(ZONES))
    premiere = draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2035, 12, 31)))
    slot = draw(slot_times)
    gaps = spring_forward_gaps(zone, premiere.year)
    if gaps and draw(st.booleans()):
        # Put a slot inside a spring-forward gap, on the premiere or a few weeks after it.
        gap_day, missing = draw(st.sampled_from(gaps))
        premiere = gap_day - timedelta(weeks=draw(st.integers(0, 3)))
        slot = draw(st.sampled_from(missing))
    days = draw(st.sets(st.integers(0, 6), max_size=6)) | {premiere.weekday()}
    episodes = draw(st.integers(1, 40))
    skip = {premiere + timedelta(days=n) for n in draw(st.sets(st.integers(0, 400), max_size=30))}
    raw = {
        "title": "Property Show",
        "timezone": zone,
        "days": [WEEKDAYS[d].capitalize() if d % 2 else WEEKDAYS[d] for d in sorted(days)],
        "time": f"{slot:%H:%M}",
        "premiere": premiere,
        "episodes": episodes,
        "skip": sorted(skip),
    }
    return raw, ZoneInfo(zone), days, slot, premiere, episodes, skip


@settings(max_examples=300, deadline=None)
@given(slot_shows())
@example(  # spring-forward gap in New York on the premiere
    ({"title": "Gap", "timezone": "America/New_York", "days": ["sun"], "time": "02:30", "premiere": date(2026, 3, 8),
      "episodes": 2, "skip": []}, ZoneInfo("America/New_York"), {6}, time(2, 30), date(2026, 3, 8), 2, set())
)
@example(  # Santiago springs forward at midnight
    ({"title": "Gap", "timezone": "America/Santiago", "days": ["sun"], "time": "00:30", "premiere": date(2024, 9, 8),
      "episodes": 2, "skip": []}, ZoneInfo("America/Santiago"), {6}, time(0, 30), date(2024, 9, 8), 2, set())
)
def test_expansion_follows_the_slots_in_the_shows_own_zone(case):
    raw, zone, days, slot, premiere, episodes, skip = case
    airings = parse_catalog({"shows": [raw]}).airings

    assert [a.episode for a in airings] == list(range(1, episodes + 1))
    starts = [a.start for a in airings]
    assert all(s.tzinfo is UTC for s in starts)
    assert all(earlier < later for earlier, later in pairwise(starts))

    aired_on = []
    for start in starts:
        local = start.astimezone(zone)
        day = local.date()
        aired_on.append(day)
        assert day >= premiere
        assert day.weekday() in days
        assert day not in skip
        assert local.fold == 0  # a repeated wall-clock time takes its first occurrence
        if local.time() != slot:
            event("slot time fell in a daylight-saving gap")
            # Only a slot time that does not exist that day (clocks jump over it) may differ.
            wall = datetime.combine(day, slot)
            before = wall.replace(tzinfo=zone, fold=0).utcoffset()
            after = wall.replace(tzinfo=zone, fold=1).utcoffset()
            assert before < after, f"{local} is not the slot {slot} and {wall} is not in a gap"
            for offset in (before, after):
                assert (wall - offset).replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None) != wall
            assert start == (wall - before).replace(tzinfo=UTC)
            assert local.replace(tzinfo=None) == wall + (after - before)

    # No slot is left out: every slot day from the premiere to the last airing airs, unless skipped.
    expected, day = [], premiere
    while day <= aired_on[-1]:
        if day.weekday() in days and day not in skip:
            expected.append(day)
        day += timedelta(days=1)
    assert aired_on == expected


@settings(max_examples=100, deadline=None)
@given(slot_shows(), st.integers(1, 45), st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2036, 1, 1),
                                                     timezones=st.sampled_from([UTC, KST])))
def test_explicit_airing_wins_over_the_slot_for_its_episode_only(case, episode, at):
    raw, *_ = case
    plain = parse_catalog({"shows": [raw]}).by_show["propertyshow"]
    with_explicit = parse_catalog({"shows": [{**raw, "airings": [{"episode": episode, "at": at}]}]}).by_show["propertyshow"]
    expected = {a.episode: a.start for a in plain}
    expected[episode] = at.astimezone(UTC)
    assert {a.episode: a.start for a in with_explicit} == expected
    assert [a.episode for a in with_explicit] == sorted(expected)  # a show's airings are in episode order


# ---- property: arithmetic expansion and windows against a day-by-day walk ----------------------


def walked_airings(show: Show) -> list[Airing]:
    """The reference: walk day by day from the premiere, giving each slot day not skipped the next
    episode, then let explicit airings replace or add episodes (expand_airings' semantics)."""
    starts: dict[int, datetime] = {}
    if show.days and show.slot_time is not None and show.premiere is not None and show.episodes > 0:
        day, episode = show.premiere, 1
        while episode <= show.episodes:
            if day.weekday() in show.days and day not in show.skip:
                starts[episode] = datetime.combine(day, show.slot_time, tzinfo=show.zone).astimezone(UTC)
                episode += 1
            day += timedelta(days=1)
    for episode, start in show.explicit:
        starts[episode] = start.astimezone(UTC)
    return [Airing(show.key, episode, start) for episode, start in sorted(starts.items())]


def by_start(airing: Airing) -> tuple:
    return airing.start, airing.show_key, airing.episode


# New York springs forward at 02:00 and falls back at 02:00 (01:00-01:59 repeats); London
# springs forward at 01:00 and falls back at 02:00 (01:00-01:59 repeats). Weekly Sunday slots
# at these times run into every transition of a long show.
DST_ZONES = ["America/New_York", "Europe/London"]
DST_TIMES = [time(0, 59), time(1, 0), time(1, 30), time(1, 59), time(2, 0), time(2, 30), time(2, 59), time(3, 0)]
OFFSETS = [UTC, KST, timezone(timedelta(hours=-5)), timezone(timedelta(hours=5, minutes=45))]


@st.composite
def any_shows(draw, key: str = "show"):
    """A Show built directly (so the premiere need not be a slot day), up to 1,000 episodes, with
    skipped dates (on and off slot days, before the premiere, in runs) and explicit airings."""
    zone = ZoneInfo(draw(st.one_of(st.sampled_from(DST_ZONES), st.sampled_from([*ZONES, "Pacific/Apia"]))))
    explicit_only = draw(st.integers(0, 9)) == 0
    days = draw(st.one_of(st.just({6}), st.sets(st.integers(0, 6), min_size=1, max_size=7)))
    slot = draw(st.one_of(st.sampled_from(DST_TIMES), st.builds(time, st.integers(0, 23), st.integers(0, 59))))
    premiere = draw(st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31)))
    if draw(st.booleans()):
        days = days | {premiere.weekday()}  # as the catalog file requires
    episodes = draw(st.one_of(st.integers(1, 30), st.integers(1, 1000)))
    span = episodes * 7 // len(days) + 60  # days from the premiere to past the last episode, with skips
    offsets = draw(st.sets(st.integers(-10, span), max_size=40))
    run_start, run_length = draw(st.integers(-3, span)), draw(st.integers(0, 12))
    skip = frozenset(premiere + timedelta(days=n) for n in offsets | set(range(run_start, run_start + run_length)))
    explicit = draw(st.dictionaries(
        st.integers(1, episodes + 3),
        st.builds(
            lambda day, minute, offset: datetime.combine(premiere + timedelta(days=day), time(), tzinfo=UTC).astimezone(offset)
            + timedelta(minutes=minute),
            st.integers(-30, span), st.integers(0, 24 * 60 - 1), st.sampled_from(OFFSETS),
        ),
        min_size=1 if explicit_only else 0, max_size=6,
    ))
    if explicit_only:
        days, slot, premiere, episodes = set(), None, None, 0
    return Show(key, key, zone=zone, days=tuple(sorted(days)), slot_time=slot, premiere=premiere, episodes=episodes,
                skip=skip, explicit=tuple(sorted(explicit.items())))


@st.composite
def catalogs(draw):
    shows = [draw(any_shows(f"show{i}")) for i in range(draw(st.integers(1, 4)))]
    return Catalog({show.key: show for show in shows}, {})


def walked_catalog(catalog: Catalog) -> list[Airing]:
    return sorted((a for show in catalog.shows.values() for a in walked_airings(show)), key=by_start)


@st.composite
def instants_near(draw, airings: list[Airing]):
    """An aware instant, in UTC or another offset, often exactly on or a minute beside an airing."""
    if airings and draw(st.integers(0, 3)):
        base = draw(st.sampled_from(airings)).start
    else:
        base = draw(st.datetimes(min_value=datetime(1985, 1, 1), max_value=datetime(2070, 1, 1), timezones=st.just(UTC)))
    nudge = draw(st.one_of(st.sampled_from([0, 0, -1, 1]), st.integers(-6 * 24 * 60, 6 * 24 * 60)))
    return (base + timedelta(minutes=nudge)).astimezone(draw(st.sampled_from(OFFSETS)))


def ny_sunday(time_: time, *, skip=(), explicit=(), episodes=1000) -> Show:
    return Show("ny", "NY", zone=ZoneInfo("America/New_York"), days=(6,), slot_time=time_, premiere=date(2000, 1, 2),
                episodes=episodes, skip=frozenset(skip), explicit=explicit)


@settings(max_examples=300, deadline=None)
@given(any_shows())
@example(ny_sunday(time(2, 30)))  # 1,000 Sundays from 2000: every spring-forward gap of 19 years
@example(ny_sunday(time(1, 30), skip=[date(2000, 1, 2), date(2000, 1, 5), date(2010, 3, 14), date(2010, 3, 21)]))
@example(Show("london", "London", zone=ZoneInfo("Europe/London"), days=(2, 6), slot_time=time(1, 30),
              premiere=date(2001, 3, 21), episodes=1000, skip=frozenset({date(2001, 3, 25), date(2003, 10, 26)}),
              explicit=((3, datetime(2001, 3, 1, tzinfo=UTC)), (1001, datetime(2020, 1, 1, tzinfo=UTC)))))
def test_arithmetic_expansion_equals_the_day_by_day_walk(show):
    expanded = expand_airings(show)
    if show.slot_time is not None:
        local_times = {a.start.astimezone(show.zone).time() for a in expanded if a.episode not in dict(show.explicit)}
        if local_times - {show.slot_time}:
            event("a slot fell in a spring-forward gap")
        if show.skip & {a.start.astimezone(show.zone).date() + timedelta(days=1) for a in expanded}:
            event("a skipped slot day pushed an episode")
    assert expanded == walked_airings(show)
    assert all(a.start.tzinfo is UTC for a in expanded)


@settings(max_examples=100, deadline=None)
@given(catalogs(), st.data())
def test_windows_are_the_full_expansion_filtered(catalog, data):
    full = walked_catalog(catalog)
    assert list(catalog.airings) == full
    for _ in range(6):
        start = data.draw(instants_near(full))
        end = data.draw(st.one_of(
            st.integers(0, 40 * 24 * 60).map(lambda minutes, start=start: start + timedelta(minutes=minutes)),
            instants_near(full),  # sometimes before start: an empty window
        ))
        assert catalog.airings_between(start, end) == [a for a in full if start <= a.start < end]


@settings(max_examples=100, deadline=None)
@given(catalogs())
def test_by_show_holds_each_shows_walked_airings(catalog):
    assert set(catalog.by_show) == set(catalog.shows) and len(catalog.by_show) == len(catalog.shows)
    for key, show in catalog.shows.items():
        assert key in catalog.by_show
        assert catalog.by_show[key] == tuple(walked_airings(show))
        assert catalog.by_show.get(key, ()) is catalog.by_show[key]  # cached
    assert "nosuchshow" not in catalog.by_show
    assert catalog.by_show.get("nosuchshow", ()) == ()
    with pytest.raises(KeyError):
        catalog.by_show["nosuchshow"]


@settings(max_examples=100, deadline=None)
@given(catalogs())
def test_every_airing_key_leads_back_to_its_airing_and_a_moved_key_to_none(catalog):
    full = walked_catalog(catalog)
    for airing in full:
        assert catalog.airing(airing.key) == airing
    for airing in full[:50]:
        moved = Airing(airing.show_key, airing.episode, airing.start + timedelta(minutes=1))
        assert catalog.airing(moved.key) is None
        assert catalog.airing(Airing("nosuchshow", airing.episode, airing.start).key) is None
        assert catalog.airing(Airing(airing.show_key, 2000, airing.start).key) is None


@settings(max_examples=100, deadline=None)
@given(catalogs(), st.data())
def test_next_and_last_airing_and_finished_agree_with_the_walk(catalog, data):
    full = walked_catalog(catalog)
    keys = list(catalog.shows)
    for _ in range(6):
        after = data.draw(instants_near(full))
        chosen = data.draw(st.lists(st.sampled_from([*keys, "nosuchshow"]), max_size=6))
        expected = min((a for a in full if a.show_key in chosen and a.start > after), key=by_start, default=None)
        assert catalog.next_airing(chosen, after) == expected
        for key in keys:
            assert catalog.is_finished(key, after) == (not any(a.show_key == key and a.start > after for a in full))
    for key in keys:
        own = [a for a in full if a.show_key == key]
        assert catalog.last_airing(key) == max(own, key=lambda a: (a.start, a.episode), default=None)


# ---- the catalog's lookups, by example ----------------------------------------------------------


def test_airing_key_of_the_bundled_catalog_finds_episode_one():
    catalog = load_catalog()
    found = catalog.airing("interestoflove#1@20221221T1330Z")
    assert found == Airing("interestoflove", 1, utc("2022-12-21T13:30:00Z"))


@pytest.mark.parametrize("key", [
    "interestoflove#1@20221221T1331Z",  # episode 1 is not at that minute
    "interestoflove#17@20230215T1330Z",  # there is no episode 17
    "interestoflove#0@20221221T1330Z",
    "interestoflove#01@20221221T1330Z",  # not how a key writes an episode
    "interestoflove#1",
    "interestoflove",
    "nosuchshow#1@20221221T1330Z",
    "",
    "interestoflove#١@20221221T1330Z",  # an Arabic-Indic digit one
])
def test_a_key_that_is_no_airing_of_the_catalog_finds_none(key):
    assert load_catalog().airing(key) is None


def test_next_airing_can_be_an_explicit_airing_before_a_lower_episode():
    # Episode 4 moved to Monday 2 March, before episode 2 (15 March).
    catalog = parse_catalog(night_owl(airings=[{"episode": 4, "at": datetime(2026, 3, 2, 20, 0, tzinfo=KST)}]))
    first = utc("2026-03-01T14:50:00Z")
    assert catalog.next_airing(["nightowltest"], first) == Airing("nightowltest", 4, utc("2026-03-02T11:00:00Z"))
    assert catalog.next_airing(["nightowltest"], first - timedelta(seconds=1)).episode == 1
    assert catalog.next_airing(["nightowltest"], utc("2026-03-02T11:00:00Z")).episode == 2
    assert catalog.next_airing(["nightowltest"], utc("2026-03-22T14:50:00Z")) is None  # episode 3 was the last slot
    assert catalog.last_airing("nightowltest") == Airing("nightowltest", 3, utc("2026-03-22T14:50:00Z"))


def test_finished_is_after_the_last_airing_starts():
    catalog = parse_catalog(night_owl())
    last = catalog.last_airing("nightowltest")
    assert last == Airing("nightowltest", 4, utc("2026-03-29T14:50:00Z"))
    assert not catalog.is_finished("nightowltest", last.start - timedelta(seconds=1))
    assert catalog.is_finished("nightowltest", last.start)
    assert catalog.is_finished("nosuchshow", last.start)
    assert catalog.last_airing("nosuchshow") is None
    assert catalog.next_airing(["nosuchshow"], last.start) is None


def test_window_around_new_yorks_spring_forward_gap():
    show = ny_sunday(time(2, 30), episodes=20)
    catalog = Catalog({"ny": show}, {})
    gap_airing = Airing("ny", 14, utc("2000-04-02T07:30:00Z"))  # 02:30 EST, clocks read 03:30 EDT
    assert catalog.airings_between(utc("2000-04-02T07:30:00Z"), utc("2000-04-02T07:31:00Z")) == [gap_airing]
    assert catalog.airings_between(utc("2000-04-01T00:00:00Z"), utc("2000-04-10T00:00:00Z")) == [
        gap_airing, Airing("ny", 15, utc("2000-04-09T06:30:00Z"))]
    assert catalog.airings_between(utc("2000-04-02T07:30:00Z"), utc("2000-04-02T07:30:00Z")) == []


def count_airings(monkeypatch) -> list[Airing]:
    """From now on, every Airing the catalog creates (all in its schedule) is also appended to the list returned."""
    created: list[Airing] = []

    class CountedAiring(Airing):
        def __init__(self, *args) -> None:
            super().__init__(*args)
            created.append(self)

    monkeypatch.setattr(catalog_schedule, "Airing", CountedAiring)
    return created


@pytest.mark.parametrize("days", [(3, 4, 5, 6), (4, 5)])
def test_samoas_missing_day_gives_two_slots_one_instant_and_windows_still_agree(days):
    # Samoa jumped from UTC-10 to UTC+14 over Friday 30 December 2011, which it never had: read at
    # fold 0, 12:00 that day is 22:00Z, the same instant as 12:00 on the 31st.
    show = Show("apia", "Apia", zone=ZoneInfo("Pacific/Apia"), days=days, slot_time=time(12, 0),
                premiere=date(2011, 12, 21), episodes=10)
    catalog = Catalog({"apia": show}, {})
    full = walked_airings(show)
    assert [a.start for a in full].count(utc("2011-12-30T22:00:00Z")) == 2
    for airing in full:
        for start in (airing.start - timedelta(minutes=1), airing.start, airing.start + timedelta(minutes=1)):
            for length in (timedelta(0), timedelta(minutes=1), timedelta(days=1)):
                expected = [a for a in full if start <= a.start < start + length]
                assert catalog.airings_between(start, start + length) == expected
            expected_next = min((a for a in full if a.start > start), key=by_start, default=None)
            assert catalog.next_airing(["apia"], start) == expected_next


def test_windows_and_lookups_expand_no_show_whole(monkeypatch):
    """Parsing 200 shows of 1,000 episodes and asking for an 8-day window, a next airing, a last
    airing and one key creates a few airings per show, not 200,000."""
    created = count_airings(monkeypatch)
    shows = [{"title": f"Long {i}", "days": ["mon", "thu"], "time": "21:00", "premiere": date(2020, 1, 6) + timedelta(weeks=i),
              "episodes": 1000, "skip": [date(2021, 1, 4)]} for i in range(200)]
    catalog = parse_catalog({"shows": shows})
    assert created == []
    now = utc("2026-06-01T00:00:00Z")
    window = catalog.airings_between(now, now + timedelta(days=8))
    assert len(window) == 3 * 200  # 21:00 in Seoul is 12:00Z: Monday 1, Thursday 4 and Monday 8 June
    catalog.next_airing(catalog.shows, now)
    catalog.last_airing("long199")
    catalog.airing(window[0].key)
    assert len(window) <= len(created) < 10 * 200


def test_by_show_keeps_only_the_latest_histories(monkeypatch):
    created = count_airings(monkeypatch)
    monkeypatch.setattr(catalog_model, "BY_SHOW_CACHE", 2)
    catalog = Catalog({f"s{i}": replace(ny_sunday(time(21, 0), episodes=10), key=f"s{i}") for i in range(3)}, {})
    for key in ("s0", "s0", "s1", "s0", "s2"):  # s2 pushes out s1, the least recently used
        assert len(catalog.by_show[key]) == 10
    made = len(created)
    assert catalog.by_show["s0"] is catalog.by_show["s0"] and len(created) == made
    again = [(a.show_key, a.episode, a.start) for a in catalog.by_show["s1"]]
    assert again == [(a.show_key, a.episode, a.start) for a in walked_airings(catalog.shows["s1"])]
    assert len(created) == made + 10  # s1 was computed again


# ---- malformed catalogs ---------------------------------------------------------------------


def broken(field: str, value) -> dict:
    return night_owl(**{field: value})


@pytest.mark.parametrize(
    "field, value, problem",
    [
        ("time", "2230", "HH:MM"),
        ("time", 22.5, "HH:MM"),
        ("time", "25:00", "HH:MM"),
        ("time", "22:30:00", "HH:MM"),
        ("days", ["sun", "funday"], "weekdays"),
        ("days", "sun", "weekdays"),
        ("days", [], "missing"),
        ("timezone", "Asia/Narnia", "unknown IANA zone"),
        ("timezone", "America", "unknown IANA zone"),  # a folder of zones, not a zone
        ("timezone", "KST", "unknown IANA zone"),
        ("premiere", date(2026, 3, 2), "is a mon, not one of the slot days"),
        ("premiere", "2026-03-01", "expected a date"),
        ("premiere", datetime(2026, 3, 1, 23, 50), "expected a date"),
        ("premiere", date(9999, 12, 26), "expected a year from 1970 to 8000"),  # a sunday
        ("premiere", date(1, 1, 7), "expected a year from 1970 to 8000"),
        ("episodes", 0, "at least 1"),
        ("episodes", -1, "whole number"),
        ("episodes", "4", "whole number"),
        ("episodes", True, "whole number"),
        ("runtime", 0, "whole number"),
        ("skip", ["2026-03-08"], "list of dates"),
        ("aliases", "NOT", "list of non-empty strings"),
        ("aliases", ["NOT", ""], "list of non-empty strings"),
        ("cast", ["!!!"], "no letters or digits"),
        ("network", "", "non-empty string"),
        ("airings", {"episode": 5}, "expected a list"),
    ],
)
def test_malformed_show_field_is_named_with_file_and_entry(field, value, problem):
    with pytest.raises(CatalogError) as refused:
        parse_catalog(broken(field, value), "shows.toml")
    message = str(refused.value)
    assert message.startswith("shows.toml: shows[0] 'Night Owl Test': ")
    assert f"field {field!r}" in message
    assert problem in message


@pytest.mark.parametrize("missing", ["time", "premiere", "episodes"])
def test_weekly_slots_need_every_part(missing):
    with pytest.raises(CatalogError) as refused:
        parse_catalog(broken(missing, None), "shows.toml")
    assert str(refused.value).startswith(f"shows.toml: shows[0] 'Night Owl Test': field {missing!r}: ")
    assert "missing" in str(refused.value)


def test_show_without_slots_or_airings_is_refused():
    with pytest.raises(CatalogError, match=r"^shows.toml: shows\[0\] 'Empty': field 'days': a show needs weekly slots"):
        parse_catalog(weekly("Empty", network="KBS"), "shows.toml")


def test_unknown_field_is_named():
    with pytest.raises(CatalogError) as refused:
        parse_catalog(broken("channel", "JTBC"), "shows.toml")
    message = str(refused.value)
    assert message.startswith("shows.toml: shows[0] 'Night Owl Test': field 'channel': unknown field")
    assert "network" in message  # lists what is allowed


def test_second_entry_is_named_by_its_index_and_title():
    raw = night_owl()
    raw["shows"].append({**copy.deepcopy(raw["shows"][0]), "title": "Day Owl", "time": "7pm"})
    with pytest.raises(CatalogError, match=r"^shows.toml: shows\[1\] 'Day Owl': field 'time': "):
        parse_catalog(raw, "shows.toml")


def test_entry_without_title_is_named_by_index():
    with pytest.raises(CatalogError, match=r"^shows.toml: shows\[0\]: field 'title': expected a non-empty string \(missing\)"):
        parse_catalog(broken("title", None), "shows.toml")


def test_duplicate_show_is_refused_even_when_spelt_differently():
    raw = night_owl()
    raw["shows"].append({**copy.deepcopy(raw["shows"][0]), "title": "NIGHT-OWL test"})
    with pytest.raises(CatalogError) as refused:
        parse_catalog(raw, "shows.toml")
    assert str(refused.value) == "shows.toml: shows[1] 'NIGHT-OWL test': field 'title': show is listed twice"


def test_duplicate_actor_is_refused():
    raw = night_owl()
    raw["actors"].append({"name": "some actor"})
    with pytest.raises(CatalogError, match=r"^shows.toml: actors\[1\] 'some actor': field 'name': .*listed twice"):
        parse_catalog(raw, "shows.toml")


def test_unknown_actor_field_is_named():
    raw = night_owl()
    raw["actors"][0]["birthday"] = date(1990, 1, 1)
    with pytest.raises(CatalogError, match=r"^shows.toml: actors\[0\] 'Some Actor': field 'birthday': unknown field"):
        parse_catalog(raw, "shows.toml")


@pytest.mark.parametrize(
    "airing, field, problem",
    [
        ({"episode": 5, "at": datetime(2026, 4, 1, 23, 50)}, "airings[0].at", "with a UTC offset"),
        ({"episode": 5, "at": date(2026, 4, 1)}, "airings[0].at", "with a UTC offset"),
        ({"episode": 5, "at": datetime(1, 1, 1, 0, 0, tzinfo=KST)}, "airings[0].at", "a year from 1971 to 7999"),
        ({"episode": 0, "at": datetime(2026, 4, 1, 23, 50, tzinfo=KST)}, "airings[0].episode", "whole number"),
        ({"episode": 5}, "airings[0]", "expected {episode = N"),
        ({"episode": 5, "at": datetime(2026, 4, 1, 23, 50, tzinfo=KST), "note": "x"}, "airings[0]", "expected {episode"),
    ],
)
def test_malformed_explicit_airing_is_named(airing, field, problem):
    with pytest.raises(CatalogError) as refused:
        parse_catalog(broken("airings", [airing]), "shows.toml")
    message = str(refused.value)
    assert message.startswith(f"shows.toml: shows[0] 'Night Owl Test': field {field!r}: ")
    assert problem in message


def test_explicit_episode_listed_twice_is_refused():
    at = datetime(2026, 4, 1, 23, 50, tzinfo=KST)
    with pytest.raises(CatalogError, match=r"field 'airings\[1\].episode': episode 5 is listed twice"):
        parse_catalog(broken("airings", [{"episode": 5, "at": at}, {"episode": 5, "at": at}]), "shows.toml")


def test_unknown_top_level_key_is_named():
    with pytest.raises(CatalogError, match=r"^shows.toml: unknown top-level key 'movies'"):
        parse_catalog({**night_owl(), "movies": []}, "shows.toml")


def test_shows_must_be_an_array_of_tables():
    with pytest.raises(CatalogError, match=r"^shows.toml: 'shows' must be an array of tables"):
        parse_catalog({"shows": {"title": "Night Owl Test"}}, "shows.toml")


NIGHT_OWL_TOML = """\
[[shows]]
title = "Night Owl Test"
aliases = ["NOT"]
network = "JTBC"
timezone = "Asia/Seoul"
days = ["sun"]
time = "23:50"
premiere = 2026-03-01
episodes = 4
runtime = 70
skip = [2026-03-08]
cast = ["Some Actor"]
airings = [{episode = 5, at = 2026-04-01T23:50:00+09:00}]

[[actors]]
name = "Some Actor"
aliases = ["Some-actor", "썸액터"]
"""


def test_readme_example_loads_from_a_file(tmp_path):
    path = tmp_path / "catalog.toml"
    path.write_text(NIGHT_OWL_TOML, encoding="utf-8")
    catalog = load_catalog(path)
    assert catalog.source == str(path)
    assert [a.start for a in catalog.airings] == [
        utc("2026-03-01T14:50:00Z"),
        utc("2026-03-15T14:50:00Z"),
        utc("2026-03-22T14:50:00Z"),
        utc("2026-03-29T14:50:00Z"),
        utc("2026-04-01T14:50:00Z"),
    ]


def test_bad_field_in_a_file_names_the_file(tmp_path):
    path = tmp_path / "catalog.toml"
    path.write_text(NIGHT_OWL_TOML.replace('time = "23:50"', "time = 2350"), encoding="utf-8")
    with pytest.raises(CatalogError) as refused:
        load_catalog(path)
    assert str(refused.value).startswith(f"{path}: shows[0] 'Night Owl Test': field 'time': ")


def test_invalid_toml_names_the_file(tmp_path):
    path = tmp_path / "catalog.toml"
    path.write_text(NIGHT_OWL_TOML.replace('time = "23:50"', "time = 23:50 KST"), encoding="utf-8")
    with pytest.raises(CatalogError) as refused:
        load_catalog(path)
    assert str(refused.value).startswith(f"{path}: not valid TOML: ")


def test_missing_catalog_file_names_the_file(tmp_path):
    path = tmp_path / "nowhere.toml"
    with pytest.raises(CatalogError) as refused:
        load_catalog(path)
    assert str(refused.value) == f"{path}: catalog file not found"


def test_catalog_path_that_is_a_folder_is_refused(tmp_path):
    with pytest.raises(CatalogError, match=r"cannot read catalog"):
        load_catalog(tmp_path)


def test_catalog_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes(NIGHT_OWL_TOML.replace("썸액터", "café").encode("latin-1", errors="replace"))
    with pytest.raises(CatalogError, match=r"cannot read catalog"):
        load_catalog(path)


def test_weekday_names_must_be_real_days():
    show = {"title": "W", "days": ["wedding"], "time": "22:00", "premiere": date(2026, 3, 4), "episodes": 1}
    with pytest.raises(CatalogError, match="field 'days'"):
        parse_catalog({"shows": [show]})
    show["days"] = ["Wednesday"]
    assert len(parse_catalog({"shows": [show]}).airings) == 1


def test_a_show_id_keeps_its_identity_when_the_title_changes():
    from bot.domain.catalog import CatalogError, parse_catalog
    from tests.fixtures.catalogs import night_owl

    assert list(parse_catalog(night_owl()).shows) == ["nightowltest"]  # no id: the normalised title
    assert list(parse_catalog(night_owl(id="night-owl")).shows) == ["night-owl"]
    assert list(parse_catalog(night_owl(id="night-owl", title="Night Owl Returns")).shows) == ["night-owl"]
    with pytest.raises(CatalogError, match="field 'id': expected lowercase letters"):
        parse_catalog(night_owl(id="tvmaze:1"))  # imported shows' keys are never a bundled show's
