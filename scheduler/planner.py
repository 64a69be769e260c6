"""Reminder planning, pure: which reminder jobs exist and when each falls due.

A job is (due instant, airing, lead): "remind everyone who follows this airing's show and
wants this lead". Jobs come from the catalog's airings and the set of leads in use, never
from subscribers, so a million followers of one show still make one job per airing and lead.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, Protocol, TypeVar

from bot.domain.catalog import Airing


class _Due(Protocol):
    @property
    def due(self) -> datetime: ...


J = TypeVar("J", bound=_Due)


class DuePlan(Generic[J]):
    """Jobs in due order, with fast "what is due in (after, until]" queries (reminders, releases)."""

    def __init__(self, jobs: list[J]):
        self.jobs = jobs  # in due order
        self._dues = [j.due for j in jobs]

    def __len__(self) -> int:
        return len(self.jobs)

    def due_between(self, after: datetime, until: datetime) -> list[J]:
        """Jobs with after < due <= until, in due order."""
        return self.jobs[bisect_right(self._dues, after) : bisect_right(self._dues, until)]

    def next_after(self, after: datetime) -> datetime | None:
        """The first due instant strictly after `after`."""
        i = bisect_right(self._dues, after)
        return self._dues[i] if i < len(self._dues) else None


@dataclass(frozen=True)
class ReminderJob:
    due: datetime
    airing: Airing
    lead_minutes: int


class ReminderPlan(DuePlan[ReminderJob]):
    """All reminder jobs in due order, with fast "what is due in (after, until]" queries."""

    def __init__(self, airings: Iterable[Airing], lead_minutes: Iterable[int], *, not_before: datetime | None = None):
        leads = sorted(set(lead_minutes))
        jobs = [
            ReminderJob(airing.start - timedelta(minutes=lead), airing, lead)
            for airing in airings
            if not_before is None or airing.start > not_before
            for lead in leads
        ]
        jobs.sort(key=lambda j: (j.due, j.airing.start, j.airing.show_key, j.airing.episode, j.lead_minutes))
        super().__init__(jobs)
        self.leads = tuple(leads)
