"""Refreshing imported shows and people from TVmaze: a job on the bot's scheduler.

Each import has its next refresh time in the database (set by `LiveCatalog.apply`: followed
shows airing within 48 hours every `[tvmaze] refresh`, others daily, ended shows never).
`run_due` reads every due one that someone follows, in one batch, and applies them as one
change, so a refresh of 500 shows rebuilds the snapshot and the plan once; what nobody follows
is looked at again in a day without a request. A fetch that fails is tried again after
`refresh`. On the real clock `attach` adds an APScheduler interval job that starts `run_due`
(never two at once); on the virtual clock the tests call `run_due` themselves.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.app.live import LiveCatalog
from bot.integrations.sources import Change
from bot.integrations.tvmaze import PERSON_PREFIX, ImportedPerson, ImportedShow, TvmazeError, keep_known_air_times, tvmaze_id
from bot.storage.values import ImportKind

log = logging.getLogger(__name__)

JOB_ID = "tvmaze-refresh"
TICK = timedelta(minutes=1)  # how often the scheduler looks for due refreshes


class Refresher:
    def __init__(self, live: LiveCatalog):
        self.live = live
        self._task: asyncio.Task | None = None
        self.may_run: Callable[[], bool] = lambda: True  # False: the process no longer holds the scheduler role

    async def run_due(self) -> int:
        """Refresh every due import someone follows; returns how many were read from TVmaze."""
        live, store = self.live, self.live.core.store
        client = live.client
        if client is None:
            return 0
        now = live.core.clock.now()
        due = await store.due_imports(now=int(now.timestamp()))
        if not due:
            return 0
        followed_targets = await store.followed_targets()
        followed = live.core.catalog.shows_followed(sorted(followed_targets))
        shows: list[ImportedShow] = []
        people: list[ImportedPerson] = []
        for kind, key in due:
            is_followed = key in followed if kind == "show" else ("actor", key) in followed_targets
            if not is_followed:
                await live.refresh_schedule(kind, key, followed=False)
                continue
            try:
                if kind == "show":
                    show_id = tvmaze_id(key)
                    show = await client.show(show_id, cached=False) if show_id is not None else None
                    if show is not None and not show.episodes and (known := live.sources.shows.get(show.id)) and known.episodes:
                        log.warning("TVmaze listed no episodes for %s, which had %d; keeping them", key, len(known.episodes))
                        show = replace(show, episodes=known.episodes)
                    if show is not None:
                        show = keep_known_air_times(show, live.sources.shows.get(show.id))
                    shows += [show] if show is not None else []
                else:
                    person_id = tvmaze_id(key, PERSON_PREFIX)
                    fetched = await live.fetch_person(person_id, cached=False) if person_id is not None else None
                    if fetched is not None:
                        people.append(fetched[0])
                        shows += fetched[1]
            except TvmazeError as exc:
                log.warning("refreshing %s from TVmaze failed (%s); trying again later", key, exc)
                await live.refresh_schedule(kind, key, followed=True)
            except Exception:  # one import's bad data must not end the round for the others
                log.exception("refreshing %s from TVmaze failed; trying again later", key)
                await live.refresh_schedule(kind, key, followed=True)
        if shows or people:
            await self._apply(shows, people)
        return len(shows) + len(people)

    async def _apply(self, shows: list[ImportedShow], people: list[ImportedPerson]) -> None:
        """Apply the round as one change; should that fail, each show and person on its own, so
        one that cannot be applied holds no other back (it is tried again after `refresh`)."""
        live = self.live
        try:
            await live.apply(Change(shows=tuple(shows), people=tuple(people)))
            return
        except Exception:
            log.exception("a refresh of %d shows and %d people failed as a whole; applying them one by one",
                          len(shows), len(people))
        one_by_one: list[tuple[Change, ImportKind, str]] = [(Change(shows=(s,)), "show", s.key) for s in shows]
        one_by_one += [(Change(people=(p,)), "person", p.key) for p in people]
        for change, kind, key in one_by_one:
            try:
                await live.apply(change)
            except Exception:
                log.exception("refreshing %s from TVmaze failed; trying again later", key)
                await live.refresh_schedule(kind, key, followed=True)

    def attach(self, scheduler: AsyncIOScheduler) -> None:
        """Look for due refreshes every minute on the bot's APScheduler."""
        scheduler.add_job(self.tick, IntervalTrigger(seconds=TICK.total_seconds()), id=JOB_ID, replace_existing=True,
                          misfire_grace_time=None, coalesce=True)

    async def tick(self) -> None:
        """APScheduler's job: start a refresh round unless one is under way, and return."""
        if self.may_run() and (self._task is None or self._task.done()):
            self._task = asyncio.get_running_loop().create_task(self._round(), name=JOB_ID)

    async def _round(self) -> None:
        try:
            await self.run_due()
        except Exception:
            log.exception("refreshing shows from TVmaze failed")

    async def stop(self) -> None:
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)
