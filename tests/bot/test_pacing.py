"""Pacing arithmetic: even spacing under a rate, and when a fan-out must start to finish before air."""

from datetime import datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.interfaces import Rate
from bot.domain.pacing import DEADLINE_MARGIN, SAFETY, Spacing, Window, fanout_start

DUE = datetime(2030, 3, 6, 13, 0, tzinfo=timezone.utc)
AIR = DUE + timedelta(minutes=30)


def test_a_small_audience_starts_at_its_due_instant():
    plan = fanout_start(due=DUE, air=AIR, audience={"telegram": 3000}, rates={"telegram": 30.0})
    assert plan.start == DUE and plan.early_by == timedelta(0) and plan.needs == timedelta(seconds=100)


def test_a_big_audience_starts_early_enough_to_finish_a_minute_before_air():
    plan = fanout_start(due=DUE, air=AIR, audience={"telegram": 100_000}, rates={"telegram": 30.0})
    assert plan.needs == timedelta(seconds=3334)  # 55 min 34 s at 30/s
    assert plan.start == AIR - DEADLINE_MARGIN - plan.needs
    assert plan.early_by == timedelta(minutes=26, seconds=34)


def test_paid_broadcast_rates_need_no_early_start_and_platforms_send_side_by_side():
    paid = fanout_start(due=DUE, air=AIR, audience={"telegram": 100_000}, rates={"telegram": 1000.0})
    assert paid.start == DUE and paid.needs == timedelta(seconds=100)
    both = fanout_start(due=DUE, air=AIR, audience={"telegram": 100_000, "discord": 30_000},
                        rates={"telegram": 1000.0, "discord": 10.0})
    assert both.needs == timedelta(seconds=3000)  # the slower platform decides
    unlimited = fanout_start(due=DUE, air=AIR, audience={"console": 10**9}, rates={"console": None})
    assert unlimited.start == DUE


@given(st.integers(min_value=0, max_value=10**7), st.floats(min_value=0.5, max_value=5000), st.integers(min_value=0, max_value=7 * 24 * 60))
def test_the_last_message_always_leaves_before_air_if_it_can(audience, rate, lead_minutes):
    due = AIR - timedelta(minutes=lead_minutes)
    plan = fanout_start(due=due, air=AIR, audience={"telegram": audience}, rates={"telegram": rate})
    assert plan.start <= due
    assert plan.start + timedelta(seconds=audience / rate) <= AIR - DEADLINE_MARGIN + timedelta(seconds=1)


def test_spacing_sends_evenly_a_little_under_the_rate_and_holds_when_asked():
    spacing = Spacing(Rate(30))
    slots = [spacing.reserve("bot", 100.0) for _ in range(4)]
    gap = 1 / (30 * SAFETY)
    assert [round(s - 100.0, 6) for s in slots] == [round(n * gap, 6) for n in range(4)]
    spacing.hold("chat", 150.0)
    assert spacing.ready_at("chat", 120.0) == 150.0 and spacing.ready_at("other", 120.0) == 120.0


def test_a_window_never_lets_more_than_the_count_leave_within_its_span():
    window = Window(Rate(3, 1.0), margin=0.1)
    departures = []
    now = 0.0
    for _ in range(10):  # a stalled loop asks for everything at once
        now = window.ready_at(now)
        window.depart(now)
        departures.append(now)
    assert departures[:3] == [0.0, 0.0, 0.0] and departures[3] == 1.1
    assert all(departures[i + 3] - departures[i] >= 1.1 for i in range(len(departures) - 3))
