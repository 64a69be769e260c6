"""Planning streaming releases, pure: one job per (release, zone in use), due at the streaming
hour on the release date in that zone (see bot/releases.py)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.catalog import Catalog
from bot.domain.release_dates import Release, releases_between

from .planner import DuePlan


@dataclass(frozen=True)
class ReleaseJob:
    due: datetime
    release: Release
    zone: str


class ReleasePlan(DuePlan[ReleaseJob]):
    """Release jobs due after `not_before` and up to `until`, in due order."""

    def __init__(self, jobs: Iterable[ReleaseJob] = ()):
        super().__init__(sorted(jobs, key=lambda j: (j.due, j.release.key, j.zone)))

    @classmethod
    def of(cls, catalog: Catalog, zones: Iterable[str], hour: time, *, not_before: datetime, until: datetime) -> ReleasePlan:
        # a local date is at most a day and a bit from its UTC date, either way
        releases = releases_between(catalog, (not_before - timedelta(days=2)).date(), (until + timedelta(days=2)).date())
        jobs = [
            ReleaseJob(due, release, zone)
            for zone in sorted(set(zones))
            for release in releases
            if not_before < (due := release.due(ZoneInfo(zone), hour)) <= until
        ]
        return cls(jobs)
