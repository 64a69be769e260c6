"""The pure planner: one job per (airing, lead in use), in due order, never per subscriber."""

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.catalog import Airing
from scheduler.planner import ReminderPlan

UTC = UTC
T0 = datetime(2022, 12, 21, 13, 30, tzinfo=UTC)


def airing(ep: int, start: datetime, show: str = "interestoflove") -> Airing:
    return Airing(show, ep, start)


def test_jobs_fall_due_at_airing_minus_lead_in_order():
    plan = ReminderPlan([airing(1, T0), airing(2, T0 + timedelta(days=1))], [30, 60])
    assert [(j.due, j.airing.episode, j.lead_minutes) for j in plan.jobs] == [
        (T0 - timedelta(minutes=60), 1, 60),
        (T0 - timedelta(minutes=30), 1, 30),
        (T0 + timedelta(days=1, minutes=-60), 2, 60),
        (T0 + timedelta(days=1, minutes=-30), 2, 30),
    ]


def test_due_between_is_open_on_the_left_and_closed_on_the_right():
    plan = ReminderPlan([airing(1, T0)], [0, 30])
    due30 = T0 - timedelta(minutes=30)
    assert [j.lead_minutes for j in plan.due_between(due30 - timedelta(seconds=1), due30)] == [30]
    assert plan.due_between(due30, due30) == []
    assert [j.lead_minutes for j in plan.due_between(due30, T0)] == [0]
    assert plan.next_after(due30) == T0
    assert plan.next_after(T0) is None


def test_airings_before_the_watermark_are_left_out():
    plan = ReminderPlan([airing(1, T0), airing(2, T0 + timedelta(days=7))], [30], not_before=T0)
    assert [j.airing.episode for j in plan.jobs] == [2]


@settings(deadline=None)
@given(
    starts=st.lists(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)), max_size=30),
    leads=st.sets(st.integers(min_value=0, max_value=7 * 24 * 60), max_size=5),
    cut=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)),
)
def test_every_job_is_planned_once_and_split_exactly_by_any_instant(starts, leads, cut):
    airings = [airing(i, s) for i, s in enumerate(starts, start=1)]
    plan = ReminderPlan(airings, leads)
    assert len(plan) == len(airings) * len(leads)
    assert [j.due for j in plan.jobs] == sorted(j.due for j in plan.jobs)
    low = datetime(1999, 1, 1, tzinfo=UTC)
    before = plan.due_between(low, cut)
    after = plan.due_between(cut, datetime(2041, 1, 1, tzinfo=UTC))
    assert before + after == plan.jobs
    assert all(j.due <= cut for j in before) and all(j.due > cut for j in after)
    nxt = plan.next_after(cut)
    assert nxt == (after[0].due if after else None)
