"""Calendar feeds rendered ahead: what a fan's request serves is built when the catalog changes.

Every fan of a show shares its events' text (bot.domain.ical.EventBlocks), which depends only on
the catalog snapshot and each broadcast's revision. So the web step starts a `FeedPreparer` once
the catalog has loaded: it renders the events of every followed show in the feeds' window, and
the alarm of every lead in use, in a worker thread; then, each time the live catalog (or a
subscription, or a lead) changes, it does so again: only events that are new or moved (a moved
one under the same UID with its SEQUENCE raised) are rendered. Its runs follow one another in one
task: changes that arrive during a run make one more run. A fan's request then encodes nothing
(a broadcast that entered the window since the last run, at a new day, is rendered on request).
"""

from __future__ import annotations

import asyncio
import logging

from ..domain.catalog import Airing
from .calendars import FEED_NAME, Calendars
from .chats import ChatOwner

log = logging.getLogger(__name__)

SHOWS_PER_QUERY = 200  # the revisions of this many shows' broadcasts are read in one query


class FeedPreparer:
    def __init__(self, calendars: Calendars, chats: ChatOwner):
        self.calendars, self.chats = calendars, chats
        self._task: asyncio.Task[None] | None = None
        self._again = False
        self._stopped = False

    async def start(self) -> None:
        """Render what today's feeds hold, then again after every change; call once the catalog has loaded."""
        self.calendars.state.on_change(self.changed)
        self._task = asyncio.get_running_loop().create_task(self._run())
        await self.settled()

    def changed(self) -> None:
        """Something that feeds show may have changed (the catalog, a subscription, a lead): run
        again, after the run under way if there is one."""
        if self._stopped:
            return
        if self._task is not None and not self._task.done():
            self._again = True
            return
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        self._again = True  # (`changed` sets it again while a run is under way: one more run)
        while self._again:
            self._again = False
            try:
                await self.prepare()
            except Exception:  # a failed run leaves rendering to the requests, as before
                log.exception("rendering calendar feeds ahead failed")

    async def settled(self) -> None:
        """Wait for the run under way (and those it makes), if any."""
        while self._task is not None and not self._task.done():
            await asyncio.shield(self._task)

    async def stop(self) -> None:
        self._stopped = True
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def prepare(self) -> int:
        """Render the events of every followed show in today's window, and each lead's alarm, that
        are not rendered yet (in a worker thread); returns how many events were. The window's
        airings are read from the catalog once (not show by show: its per-show histories are a
        small cache the planner uses too)."""
        calendars, state = self.calendars, self.calendars.state
        catalog = state.catalog
        followed = catalog.shows_followed(list(await state.store.followed_targets()))
        start, until, _day = calendars.window()
        leads = await self.chats.leads_in_use() | set(state.config.lead_minutes)
        by_show: dict[str, list[Airing]] = {}
        for airing in catalog.airings_between(start, until):
            if airing.show_key in followed:
                by_show.setdefault(airing.show_key, []).append(airing)
        groups = list(by_show.values())
        rendered, current = 0, []
        for first in range(0, max(len(groups), 1), SHOWS_PER_QUERY):
            events = await calendars.events_from(a for group in groups[first:first + SHOWS_PER_QUERY] for a in group)
            rendered += await asyncio.to_thread(calendars.blocks.warm, events, leads=leads, name=FEED_NAME)
            current += events
        await asyncio.to_thread(calendars.blocks.retain, current)  # moved, past and unfollowed broadcasts go
        log.debug("calendar feeds: %d events of %d followed shows rendered ahead", rendered, len(followed))
        return rendered
