"""Time helpers a fan meets through /timezone and /remind, and the way reminders write air times."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.zones import (
    LeadError,
    ZoneError,
    describe_duration,
    format_lead,
    format_local,
    format_local_date,
    local_time,
    parse_lead,
    parse_leads,
    resolve_zone,
    to_utc_iso,
)

UTC = UTC
EPISODE_1 = datetime(2022, 12, 21, 13, 30, tzinfo=UTC)  # The Interest of Love, 22:30 in Seoul

# Zones with and without daylight saving, odd offsets, both hemispheres, midnight transitions.
ZONES = [
    "UTC",
    "Asia/Seoul",
    "Asia/Tokyo",
    "Asia/Manila",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "America/New_York",
    "America/Los_Angeles",
    "America/Santiago",
    "America/St_Johns",
    "Europe/London",
    "Europe/Berlin",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Pacific/Kiritimati",
]


# ---- resolve_zone ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, key",
    [
        ("Asia/Seoul", "Asia/Seoul"),
        ("asia/seoul", "Asia/Seoul"),
        ("ASIA/SEOUL", "Asia/Seoul"),
        ("  Asia/Seoul\n", "Asia/Seoul"),
        ("america/new_york", "America/New_York"),
        ("America/New York", "America/New_York"),
        ("Seoul", "Asia/Seoul"),
        ("seoul", "Asia/Seoul"),
        ("New York", "America/New_York"),
        ("new-york", "America/New_York"),
        ("NYC", "America/New_York"),
        ("london", "Europe/London"),
        ("Los Angeles", "America/Los_Angeles"),
        ("Sydney", "Australia/Sydney"),
        ("Manila", "Asia/Manila"),
        ("Mumbai", "Asia/Kolkata"),
        ("서울", "Asia/Seoul"),
        ("UTC", "UTC"),
        ("utc", "UTC"),
        ("São Paulo", "America/Sao_Paulo"),  # accents folded
        ("sao paulo", "America/Sao_Paulo"),
        ("Zürich", "Europe/Zurich"),
        ("Japan", "Japan"),  # every IANA name works, legacy ones too
        ("etc/gmt-9", "Etc/GMT-9"),
        ("EST5EDT", "EST5EDT"),
        ("US/Pacific", "US/Pacific"),
    ],
)
def test_fan_types_a_zone_or_a_city_in_any_case(typed, key):
    assert resolve_zone(typed).key == key


@pytest.mark.parametrize("abbreviation", ["PST", "KST", "EST", "pst", "kst", "Est", "IST", "CEST", "HST", "MST", "XYZ"])
def test_abbreviations_are_refused_because_zones_share_them(abbreviation):
    with pytest.raises(ZoneError) as refused:
        resolve_zone(abbreviation)
    message = str(refused.value)
    assert f'"{abbreviation}" is an abbreviation' in message
    assert "several zones share" in message
    assert "America/Los_Angeles" in message  # says what to type instead


@pytest.mark.parametrize("typed", ["Narnia", "Asia/Narnia", "Seoulx", "Etc/GMT+15", "12345", "Pacific", "Eastern"])
def test_unknown_zone_names_the_input_and_suggests_a_form(typed):
    with pytest.raises(ZoneError) as refused:
        resolve_zone(typed)
    message = str(refused.value)
    assert message.startswith(f'Unknown time zone "{typed}"')
    assert "Asia/Seoul" in message


@pytest.mark.parametrize("typed", ["", "   ", "\n\t"])
def test_empty_zone_asks_for_one(typed):
    with pytest.raises(ZoneError, match=r"^Give a time zone"):
        resolve_zone(typed)


@pytest.mark.parametrize("typed", ["x" * 65, "New York " * 1200, "A/" * 5000])
def test_very_long_zone_is_refused_without_echoing_it(typed):
    with pytest.raises(ZoneError) as refused:
        resolve_zone(typed)
    message = str(refused.value)
    assert message.startswith("That is too long for a time zone")
    assert len(message) < 120


# ---- lead times -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, minutes",
    [
        ("30m", 30),
        ("1h", 60),
        ("1h30m", 90),
        ("1d", 24 * 60),
        ("0m", 0),
        ("90m", 90),
        ("2d3h4m", 2 * 24 * 60 + 3 * 60 + 4),
        ("1H30M", 90),
        ("1D", 24 * 60),
        ("  2h ", 120),
        ("7d", 7 * 24 * 60),
        ("168h", 7 * 24 * 60),
        ("10080m", 7 * 24 * 60),
    ],
)
def test_lead_forms_a_fan_can_type(typed, minutes):
    assert parse_lead(typed) == timedelta(minutes=minutes)


@pytest.mark.parametrize("typed, shown", [("8d", "8d"), ("7d1m", "7d1m"), ("169h", "7d1h"), ("10081m", "7d1m")])
def test_lead_longer_than_a_week_is_refused(typed, shown):
    with pytest.raises(LeadError) as refused:
        parse_lead(typed)
    assert str(refused.value) == f"{shown} is too early: a lead time can be at most 7 days (7d)."


@pytest.mark.parametrize("typed", ["abc", "", "1x", "h", "1h 30m", "-1h", "1.5h", "1m1h", "30", "m30", "1w"])
def test_garbage_lead_is_refused_with_examples(typed):
    with pytest.raises(LeadError) as refused:
        parse_lead(typed)
    message = str(refused.value)
    assert message.startswith(f'"{typed.strip()}" is not a lead time.')
    assert "30m, 1h, 1h30m, 1d or 0m" in message


def test_long_garbage_lead_is_quoted_only_in_part():
    with pytest.raises(LeadError) as refused:
        parse_lead("9" * 10_000 + "m")
    assert str(refused.value).startswith('"' + "9" * 20 + '" is not a lead time.')
    assert len(str(refused.value)) < 150


def test_leads_are_sorted_longest_first():
    assert parse_leads(["30m", "1d", "1h"]) == (timedelta(days=1), timedelta(hours=1), timedelta(minutes=30))


def test_duplicate_leads_are_merged_even_when_written_differently():
    assert parse_leads(["30m", "30M", "0h30m"]) == (timedelta(minutes=30),)
    assert parse_leads(["1h", "60m"]) == (timedelta(hours=1),)


def test_more_than_three_leads_are_refused():
    with pytest.raises(LeadError, match=r"^At most 3 lead times"):
        parse_leads(["1d", "1h", "30m", "0m"])


def test_no_leads_at_all_is_refused():
    with pytest.raises(LeadError, match=r"^Give one to three lead times"):
        parse_leads([])


def test_one_bad_lead_spoils_the_list():
    with pytest.raises(LeadError, match=r'^"soon" is not a lead time'):
        parse_leads(["1h", "soon"])


@pytest.mark.parametrize(
    "minutes, compact",
    [(0, "0m"), (30, "30m"), (60, "1h"), (90, "1h30m"), (24 * 60, "1d"), (24 * 60 + 1, "1d1m"), (7 * 24 * 60, "7d")],
)
def test_format_lead_writes_the_compact_form(minutes, compact):
    assert format_lead(timedelta(minutes=minutes)) == compact
    assert parse_lead(compact) == timedelta(minutes=minutes)


@given(st.integers(min_value=0, max_value=7 * 24 * 60))
def test_every_whole_minute_lead_up_to_a_week_round_trips(minutes):
    lead = timedelta(minutes=minutes)
    assert parse_lead(format_lead(lead)) == lead


@given(st.lists(st.integers(min_value=0, max_value=7 * 24 * 60), min_size=1, max_size=3))
def test_parse_leads_is_a_sorted_set_of_what_was_typed(minutes):
    typed = [format_lead(timedelta(minutes=m)) for m in minutes]
    assert parse_leads(typed) == tuple(timedelta(minutes=m) for m in sorted(set(minutes), reverse=True))


# ---- words for durations --------------------------------------------------------------------


@pytest.mark.parametrize(
    "span, words",
    [
        (timedelta(0), "less than a minute"),
        (timedelta(seconds=29), "less than a minute"),
        (timedelta(seconds=31), "1 minute"),  # to the nearest minute
        (timedelta(minutes=-5), "less than a minute"),
        (timedelta(minutes=1), "1 minute"),
        (timedelta(minutes=5), "5 minutes"),
        (timedelta(hours=1), "1 hour"),
        (timedelta(hours=1, minutes=30), "1 hour 30 minutes"),
        (timedelta(days=1), "1 day"),
        (timedelta(days=1, minutes=5), "1 day 5 minutes"),
        (timedelta(days=2, hours=3, minutes=4), "2 days 3 hours 4 minutes"),  # no unit dropped
        (timedelta(days=1, hours=1, minutes=30), "1 day 1 hour 30 minutes"),
        (timedelta(minutes=90, seconds=59), "1 hour 31 minutes"),
        (timedelta(minutes=29, seconds=59, milliseconds=500), "30 minutes"),  # a job fired half a second late
    ],
)
def test_describe_duration_names_every_unit_to_the_nearest_minute(span, words):
    assert describe_duration(span) == words


# ---- writing instants for people ------------------------------------------------------------


def test_new_york_viewer_sees_wednesday_0830():
    assert format_local(EPISODE_1, ZoneInfo("America/New_York")) == "Wed 08:30 (America/New_York)"
    assert format_local_date(EPISODE_1, ZoneInfo("America/New_York")) == "21 Dec 2022"


def test_sydney_viewer_sees_thursday_0030_the_next_day():
    assert format_local(EPISODE_1, ZoneInfo("Australia/Sydney")) == "Thu 00:30 (Australia/Sydney)"
    assert format_local_date(EPISODE_1, ZoneInfo("Australia/Sydney")) == "22 Dec 2022"


def test_seoul_viewer_sees_the_broadcast_slot():
    assert format_local(EPISODE_1, ZoneInfo("Asia/Seoul")) == "Wed 22:30 (Asia/Seoul)"


def test_summer_new_york_is_an_hour_later_on_the_same_utc_time():
    summer = datetime(2022, 7, 13, 13, 30, tzinfo=UTC)
    assert format_local(summer, ZoneInfo("America/New_York")) == "Wed 09:30 (America/New_York)"


@pytest.mark.parametrize(
    "zone, shown",
    [("Asia/Manila", "Wed 21:30 (Asia/Manila)"), ("America/Los_Angeles", "Wed 05:30 (America/Los_Angeles)")],
)
def test_zones_are_named_by_iana_key_never_by_abbreviation(zone, shown):
    text = format_local(EPISODE_1, ZoneInfo(zone))
    assert text == shown
    assert "PST" not in text and "PHT" not in text


def test_resolved_city_is_shown_by_its_key():
    assert format_local(EPISODE_1, resolve_zone("new york")) == "Wed 08:30 (America/New_York)"


def test_naive_instants_are_rejected():
    with pytest.raises(ValueError, match="naive datetime"):
        local_time(datetime(2022, 12, 21, 13, 30), ZoneInfo("Asia/Seoul"))
    with pytest.raises(ValueError, match="naive datetime"):
        format_local(datetime(2022, 12, 21, 13, 30), ZoneInfo("Asia/Seoul"))


def test_to_utc_iso_writes_z():
    seoul_slot = datetime(2022, 12, 21, 22, 30, tzinfo=ZoneInfo("Asia/Seoul"))
    assert to_utc_iso(seoul_slot) == "2022-12-21T13:30:00Z"


instants = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2037, 12, 31), timezones=st.just(UTC)
)
WEEKDAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


@settings(max_examples=300, deadline=None)
@given(instant=instants, zone_name=st.sampled_from(ZONES))
def test_format_local_shows_the_wall_clock_of_the_instant_in_the_zone(instant, zone_name):
    zone = ZoneInfo(zone_name)
    shown = format_local(instant, zone)
    match = re.fullmatch(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (\d\d):(\d\d) \(([^,]+)(, UTC[+-]\d\d:\d\d)?\)", shown)
    assert match, shown
    weekday, hour, minute, key, offset_shown = match.groups()
    local = instant.astimezone(zone)
    assert key == zone_name
    assert (offset_shown is not None) == (local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset())
    assert WEEKDAY_NAMES.index(weekday) == local.weekday()
    assert (int(hour), int(minute)) == (local.hour, local.minute)
    # The wall clock is the UTC clock moved by the zone's offset at that instant.
    offset = local.replace(tzinfo=None) - instant.replace(tzinfo=None)
    assert offset == zone.utcoffset(local)
    assert timedelta(hours=-12) <= offset <= timedelta(hours=14)
    assert format_local_date(instant, zone) == f"{local.day} {local:%b %Y}"


@settings(max_examples=300, deadline=None)
@given(instant=instants, zone_name=st.sampled_from(ZONES))
def test_local_time_round_trips_to_the_same_instant(instant, zone_name):
    zone = ZoneInfo(zone_name)
    local = local_time(instant, zone)
    assert local.tzinfo is zone
    assert local.astimezone(UTC) == instant
    # Wall clock plus fold identifies the instant even in the repeated hour of a fall-back.
    rebuilt = datetime.combine(local.date(), local.time(), tzinfo=zone).replace(fold=local.fold)
    assert rebuilt.astimezone(UTC) == instant


def test_every_iana_zone_is_accepted_by_its_name_unless_it_is_an_abbreviation():
    from zoneinfo import available_timezones

    refused = set()
    for name in sorted(available_timezones()):
        try:
            assert resolve_zone(name.lower()).key == name
        except ZoneError:
            refused.add(name)
    assert refused == {"CET", "EET", "EST", "HST", "MST", "WET"}  # abbreviations shared by many places


def test_the_repeated_hour_of_a_fall_back_reads_differently_each_time():
    zone = ZoneInfo("America/New_York")
    first = datetime(2026, 11, 1, 5, 30, tzinfo=timezone.utc)  # 01:30 EDT
    second = datetime(2026, 11, 1, 6, 30, tzinfo=timezone.utc)  # 01:30 EST, an hour later
    assert format_local(first, zone) == "Sun 01:30 (America/New_York, UTC-04:00)"
    assert format_local(second, zone) == "Sun 01:30 (America/New_York, UTC-05:00)"
    assert format_local(datetime(2026, 11, 1, 8, 30, tzinfo=timezone.utc), zone) == "Sun 03:30 (America/New_York)"
    assert format_local(datetime(2026, 11, 1, 8, 30, tzinfo=timezone.utc), ZoneInfo("Asia/Kolkata")) == "Sun 14:00 (Asia/Kolkata)"
