"""Streaming releases: episodes with a date and no air time, announced at a local hour.

A streaming service (TVmaze's `webChannel`) often publishes an episode "on 8 January" with no
time of day. Nothing is guessed: the release is stated as a date, and each chat is told on that
date at `[tvmaze] streaming_hour` in its own zone. That is per-chat timing, so the planner makes
one job per (release, zone in use) rather than per (airing, lead): the job for Asia/Seoul is due
at 09:00 Seoul time and reaches only the followers whose zone is Asia/Seoul. The ledger's key
is the release (kind "release"), so a chat that changes zone between two jobs is told once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, time, timedelta
from typing import Literal

from babel.dates import format_date

from ..delivery import Item
from ..domain.catalog import Show
from ..domain.i18n import DEFAULT_LANGUAGE, Language, catalogue, choose, title_in
from ..domain.interfaces import Outgoing
from ..domain.jobkeys import ReleaseKey
from ..domain.release_dates import Release, find_release, format_day
from ..domain.render import Bold, Message
from ..domain.zones import UTC
from ..storage.values import Recipient
from .host import CatalogHost

FRESH_FOR = timedelta(days=2)  # a release not announced by two days after its date is dropped


def release_message(show: Show, release: Release, lang: Language = DEFAULT_LANGUAGE) -> Message:
    day = format_day(release.day) if lang == DEFAULT_LANGUAGE else format_date(release.day, "M월 d일 (E)", locale=lang)
    return catalogue().message(
        lang, "release-network" if show.network else "release", title=Bold(title_in(lang, show.title, show.aliases)),
        episode=release.episode, network=show.network, day=day,
    )


class ReleaseDelivery:
    """One release to the chats the job reaches; the same message for each."""

    kind: Literal["release"] = "release"

    def __init__(self, core: CatalogHost, show: Show, release: Release):
        self.core, self.show, self.release = core, show, release
        self.key = release.key
        self.expires = self.retry_until = datetime.combine(release.day, time(0), tzinfo=UTC) + FRESH_FOR
        self._bodies: dict[Language, Outgoing] = {}

    async def message_for(self, item: Item) -> Outgoing | str:
        core = self.core
        if core.clock.now() > self.expires:
            return "too late: the release is past"
        if find_release(core.catalog, self.release.job_key) is None:
            return "the release moved or was cancelled"
        reason = await core.recheck(item, self.show.key)
        if isinstance(reason, str):
            return reason
        lang = choose(saved=item.language if reason is None else reason.language, platform=None, default=core.config.language)
        body = self._bodies.get(lang)
        if body is None:
            body = self._bodies[lang] = Outgoing("reminder", release_message(self.show, self.release, lang))
        return body


async def fire_release(core: CatalogHost, release: Release, zone: str) -> int:
    """Tell the show's followers whose zone is `zone` (None counts as the default zone)."""
    show = core.catalog.shows.get(release.show_key)
    if show is None or find_release(core.catalog, release.job_key) is None:
        return 0
    default = core.config.timezone.key

    def in_zone(recipient: Recipient) -> bool:
        return (recipient.timezone or default) == zone

    return await core.fan_out(ReleaseDelivery(core, show, release), core.targets(show), where=in_zone)


def release_finder(core: CatalogHost) -> Callable[[ReleaseKey, datetime], Awaitable[ReleaseDelivery | None]]:
    """Rebuilds a release delivery for a retry (None: the release is gone)."""

    async def find(key: ReleaseKey, _expires: datetime) -> ReleaseDelivery | None:
        release = find_release(core.catalog, key)
        return ReleaseDelivery(core, core.catalog.shows[release.show_key], release) if release else None

    return find
