"""The catalog: weekly slots in a show's own zone become concrete airings, and a malformed file
stops start-up with the file, the entry and the field named."""

from __future__ import annotations

import copy
from functools import lru_cache
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import event, example, given, settings
from hypothesis import strategies as st

from bot.catalog import WEEKDAYS, CatalogError, load_catalog, parse_catalog
from tests.fixtures.catalogs import night_owl

UTC = timezone.utc
SEOUL = ZoneInfo("Asia/Seoul")
KST = timezone(timedelta(hours=9))


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


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


@lru_cache(maxsize=None)
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
    assert all(earlier < later for earlier, later in zip(starts, starts[1:]))

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
