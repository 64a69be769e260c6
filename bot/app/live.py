"""The live catalog: the one owner of the catalog while the bot runs.

It holds the bundled catalog (TOML), the shows and people imported from TVmaze (kept in the
database), and owners' corrections, and makes one immutable `Catalog` snapshot of them for the
core. `apply(change)` is the only way to change it: import or refresh shows and people, an
owner's edit, a reloaded catalog file. Everything derived follows from that one call: the new
snapshot (airings lazily, the name index and news matcher rebuilt) goes into `core.catalog`,
the planner is told (`core.changed()`), and the shows' followers are told what changed, once:
each notice is stored in the same transaction as the change and fanned out through the ledger
(kind "notice"), so a restart announces what a crash left unannounced and nothing twice.

Identities are stable: `tvmaze:123` for an imported show, `tvmaze:person:45` for a person, the
catalog's own keys for bundled ones; titles and aliases are data that can change.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Literal

from ..config import TvmazeConfig
from ..delivery import Item
from ..domain.catalog import Catalog
from ..domain.changes import Notice, diff_catalogs, notice_message
from ..domain.i18n import Said, choose, said, title_in
from ..domain.interfaces import Outgoing
from ..domain.jobkeys import NoticeKey, ReleaseKey
from ..domain.names import Target, normalise
from ..domain.quota import LookupQuota
from ..domain.zones import UTC, unix_time
from ..integrations.sources import Change, Edit, Sources
from ..integrations.tvmaze import (
    PERSON_PREFIX,
    Found,
    ImportedPerson,
    ImportedShow,
    Imports,
    TvmazeClient,
    TvmazeError,
    tvmaze_id,
)
from ..storage.values import CatalogChange, Import, ImportKind, StoredEdit, StoredNotice
from .host import CatalogHost
from .releases import release_finder

log = logging.getLogger(__name__)

LOOKUP_DEADLINE = 4.5  # seconds a command may wait for TVmaze: it answers within 5 s
FAR_AHEAD = 1.5  # a search result this many times the next one's score is the clear best
PLAUSIBLE = 0.5  # results scoring at least this share of the best are offered as choices
MAX_CHOICES = 5
MAX_CURRENT_SHOWS = 8  # an actor's current shows imported with them
CURRENT = frozenset({"Running", "To Be Determined", "In Development"})
SOON = timedelta(hours=48)  # followed shows airing this soon are refreshed every `refresh`
DAILY = timedelta(days=1)


def best_match(query: str, found: Sequence[Found]) -> Found | list[Found]:
    """The clear best search result (one exact title or name after normalisation, or one score
    far ahead of the rest), else the plausible ones to choose from (empty: nothing found)."""
    exact = exact_matches(query, found)
    if len(exact) == 1:
        return exact[0]
    if exact:
        return exact[:MAX_CHOICES]
    ranked = sorted(found, key=lambda f: -f.score)
    if len(ranked) == 1 or (ranked and ranked[0].score >= FAR_AHEAD * ranked[1].score and ranked[0].score > 0):
        return ranked[0]
    return plausible(ranked)


def exact_matches(query: str, found: Sequence[Found]) -> list[Found]:
    """The results whose title or name is `query` after normalisation."""
    wanted = normalise(query)
    return [f for f in found if normalise(f.name) == wanted]


def plausible(found: Sequence[Found]) -> list[Found]:
    """The results scoring at least PLAUSIBLE of the best, best first, at most MAX_CHOICES."""
    ranked = sorted(found, key=lambda f: -f.score)
    return [f for f in ranked if f.score >= PLAUSIBLE * ranked[0].score][:MAX_CHOICES] if ranked else []


class NoticeDelivery:
    """One notice to every follower of its show; written in each chat's zone when sent."""

    kind: Literal["notice"] = "notice"

    def __init__(self, core: CatalogHost, notice: Notice):
        self.core, self.notice = core, notice
        self.key = notice.key
        self.expires = self.retry_until = datetime.fromtimestamp(notice.expires, UTC)

    async def message_for(self, item: Item) -> Outgoing | str:
        core = self.core
        if core.clock.now() > self.expires:
            return "too late: the change is past"
        settings = await core.recheck(item, self.notice.show)
        if isinstance(settings, str):
            return settings
        zone = item.zone if settings is None else settings.timezone
        lang = choose(saved=item.language if settings is None else settings.language, platform=None, default=core.config.language)
        show = core.catalog.shows.get(self.notice.show)
        title = title_in(lang, self.notice.title, show.aliases if show is not None else ())
        return Outgoing("notice", notice_message(self.notice, core.zone_of(zone), lang, title))


class LiveCatalog:
    """The catalog's one owner; `core.catalog` is always its latest snapshot."""

    def __init__(self, core: CatalogHost, bundled: Catalog, *, settings: TvmazeConfig, client: TvmazeClient | None = None):
        self.core, self.settings = core, settings
        self.client = client if settings.enabled else None
        self.sources = Sources(bundled)
        self.version = 0
        self.quota = LookupQuota()  # TVmaze lookups per person
        self._lock = asyncio.Lock()
        core.live = self
        core.rebuilders.register(NoticeKey, self._notice_job)
        core.rebuilders.register(ReleaseKey, release_finder(core))

    # ---- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        """Load what was imported and edited before. (What a stop left unannounced is announced
        by `announce_pending`, called once the ledger has requeued interrupted sends.)"""
        store = self.core.store
        shows = [ImportedShow.from_json(data) for data in await store.imports("show")]
        people = [ImportedPerson.from_json(data) for data in await store.imports("person")]
        edits = [Edit.from_row(row) for row in await store.edits()]
        self.sources = Sources(self.sources.bundled, {s.id: s for s in shows}, {p.id: p for p in people}, edits)
        self._swap(self.sources.build())

    def _swap(self, catalog: Catalog) -> None:
        self.core.catalog = catalog
        self.version += 1
        self.core.changed()

    # ---- the one way to change the catalog ------------------------------------------------------

    async def apply(self, change: Change) -> list[Notice]:
        """Apply a change: store it with the notices it produces, swap the snapshot, tell the
        planner, announce. Returns the notices (already announced ones included)."""
        async with self._lock:
            now = self.core.clock.now()
            old, sources = self.core.catalog, self.sources.with_change(change)
            new = sources.build()
            touched = [s.key for s in change.shows] + [e.show_key for e in change.edits]
            if change.bundled is not None:
                touched += [*old.shows.keys() & self.sources.bundled.shows.keys(), *change.bundled.shows]
            ended = [s.key for s in change.shows if s.ended and s.id in self.sources.shows and not self.sources.shows[s.id].ended]
            notices = diff_catalogs(old, new, touched, now, ended)
            imports = [Import("show", s.key, s.to_json(), s.ended, self._next_refresh(s, new, now)) for s in change.shows]
            imports += [Import("person", p.key, p.to_json(), False, unix_time(now + DAILY)) for p in change.people]
            await self.core.store.save_catalog_change(CatalogChange(
                imports=imports, edits=[StoredEdit(*e.row()) for e in change.edits],
                notices=[StoredNotice(n.key, n.show, n.to_json(), n.expires) for n in notices],
            ), now=unix_time(now))
            self.sources = sources
            self._swap(new)
        if notices:
            log.info("catalog change: %s", ", ".join(f"{n.kind} {n.show}" for n in notices))
        await self.announce_pending()
        return notices

    def _next_refresh(self, show: ImportedShow, catalog: Catalog, now: datetime) -> int | None:
        """Shows airing within 48 hours: every `refresh`; others daily; ended: never. (When it
        falls due, the refresher reads only what someone follows.)"""
        if show.ended:
            return None
        airing = catalog.next_airing([show.key], now)
        soon = airing is not None and airing.start <= now + SOON
        return unix_time(now + (self.settings.refresh if soon else DAILY))

    async def reload(self, bundled: Catalog) -> list[Notice]:
        """The catalog file was edited and read again (SIGHUP)."""
        return await self.apply(Change(bundled=bundled))

    async def edit(self, edit: Edit) -> list[Notice]:
        return await self.apply(Change(edits=(edit,)))

    async def refresh_schedule(self, kind: ImportKind, key: str, followed: bool) -> None:
        """A due import that is not fetched now (nobody follows it, or TVmaze failed) is looked at
        again later: in a day, or after `refresh` when the fetch failed."""
        wait = DAILY if not followed else self.settings.refresh
        await self.core.store.schedule_refresh(kind=kind, key=key, at=unix_time(self.core.clock.now() + wait))

    # ---- announcing ---------------------------------------------------------------------------

    async def announce_pending(self) -> int:
        """Fan every stored, unannounced, still timely notice out to its show's followers."""
        store, count = self.core.store, 0
        now = unix_time(self.core.clock.now())
        for data in await store.pending_notices(now=now):
            notice = Notice.from_json(data)
            show = self.core.catalog.shows.get(notice.show)
            if show is not None:
                count += await self.core.fan_out(NoticeDelivery(self.core, notice), self.core.targets(show))
            await store.notice_announced(notice=notice.key, now=now)
        return count

    async def _notice_job(self, key: NoticeKey, _expires: datetime) -> NoticeDelivery | None:
        data = await self.core.store.notice(key.encode())
        return NoticeDelivery(self.core, Notice.from_json(data)) if data else None

    # ---- TVmaze lookups -----------------------------------------------------------------------

    @property
    def searchable(self) -> bool:
        return self.client is not None

    async def lookup(self, text: str, *, imports: Imports = "best", who: str | None = None) -> Target | list[Found] | Said:
        """What `/subscribe text` means on TVmaze: a target (imported now, or before), choices, or
        a plain reason. Answers within LOOKUP_DEADLINE seconds whatever TVmaze does.
        `imports`: "best" imports the clear best match (`best_match`); "exact" only a single
        result whose title or name is the text (the catalog matched it only in part or
        misspelt); "none" nothing (the catalog has several of that exact name): otherwise the
        plausible results are choices, to offer beside the catalog's.
        `who` ("platform:user"): the person asking, held to their share of lookups (`LookupQuota`);
        None: no one's (not a command)."""
        if self.client is None:
            return said("lookup-off")
        try:
            with self.quota.take(who) if who is not None else contextlib.nullcontext() as refused:
                if refused is not None:
                    return refused
                async with asyncio.timeout(LOOKUP_DEADLINE):
                    return await self._lookup(self.client, text, imports)
        except TimeoutError:
            return said("lookup-deadline")
        except TvmazeError as exc:
            return exc.said

    async def _lookup(self, client: TvmazeClient, text: str, imports: Imports) -> Target | list[Found] | Said:
        person_id = tvmaze_id(text, PERSON_PREFIX)
        show_id = None if person_id is not None else tvmaze_id(text)
        if show_id is not None:
            return await self.import_show(show_id)
        if person_id is not None:
            return await self.import_person(person_id)
        shows, people = await asyncio.gather(client.search_shows(text), client.search_people(text))
        found = [*shows, *people]
        if imports == "best":
            pick = best_match(text, found)
        else:
            exact = exact_matches(text, found)
            pick = exact[0] if imports == "exact" and len(exact) == 1 else exact[:MAX_CHOICES] or plausible(found)
        if isinstance(pick, list):
            return pick
        if pick.show is not None:
            return await self.import_show(pick.show.id)
        assert pick.person is not None
        return await self.import_person(pick.person.id)

    async def import_show(self, show_id: int) -> Target | Said:
        known = self.core.catalog.target("show", f"tvmaze:{show_id}")
        if known is not None:
            return known
        assert self.client is not None
        show = await self.client.show(show_id)
        if show is None:
            return said("tvmaze-no-show", key=f"tvmaze:{show_id}")
        await asyncio.shield(self.apply(Change(shows=(show,))))
        return Target("show", show.key, show.name)

    async def fetch_person(self, person_id: int, *, cached: bool = True) -> tuple[ImportedPerson, list[ImportedShow]] | None:
        """A person and their current shows with episodes (at most MAX_CURRENT_SHOWS)."""
        assert self.client is not None
        person = await self.client.person(person_id, cached=cached)
        if person is None:
            return None
        current = [s for s in person.show_data if s.status in CURRENT][:MAX_CURRENT_SHOWS]
        shows = [s for s in await asyncio.gather(*(self.client.show(s.id, cached=cached) for s in current)) if s is not None]
        return replace(person, show_data=()), shows

    async def import_person(self, person_id: int) -> Target | Said:
        known = self.core.catalog.target("actor", f"{PERSON_PREFIX}{person_id}")
        if known is not None:
            return known
        fetched = await self.fetch_person(person_id)
        if fetched is None:
            return said("tvmaze-no-person", key=f"{PERSON_PREFIX}{person_id}")
        person, shows = fetched
        await asyncio.shield(self.apply(Change(shows=tuple(shows), people=(person,))))
        return Target("actor", person.key, person.name)
