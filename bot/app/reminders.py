"""Reminders: a fan-out per airing and lead time, planned to end before air, each message written
when it is sent (the countdown right to the minute, the chat's zone, a mention)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from ..delivery import Item, chat_now
from ..domain.catalog import Airing, Catalog, Show
from ..domain.i18n import DEFAULT_LANGUAGE, Language, catalogue, choose, title_in
from ..domain.interfaces import Outgoing
from ..domain.jobkeys import ReminderKey
from ..domain.pacing import fanout_start
from ..domain.render import Bold, Countdown, Message, When
from ..domain.zones import unix_time
from ..storage.values import ChatSettings, LedgerJob, Recipient, decode_leads
from .chats import ChatOwner
from .fanout import Fanout
from .state import AppState, targets

log = logging.getLogger(__name__)

AT_AIR_GRACE = timedelta(seconds=30)  # an air-time (0m) reminder still says "starts now" this late


def reminder_message(show: Show, airing: Airing, zone: ZoneInfo, now: datetime, lang: Language = DEFAULT_LANGUAGE) -> Message:
    return catalogue().message(
        lang, "reminder", title=Bold(title_in(lang, show.title, show.aliases)), episode=airing.episode,
        countdown=Countdown(airing.start, now, lang), when=When(airing.start, zone, lang=lang),
        network=f" ({show.network})" if show.network else "",
    )


class ReminderDelivery:
    """One reminder job (an airing at one lead): its message is written when each is sent."""

    kind: Literal["reminder"] = "reminder"

    def __init__(self, reminders: Reminders, show: Show, airing: Airing, lead: int):
        self.state, self.chats = reminders.state, reminders.chats
        self.show, self.airing, self.lead = show, airing, lead
        self.key = ReminderKey(airing.key, lead).encode()
        self.expires = airing.start + (AT_AIR_GRACE if lead == 0 else timedelta(0))
        self.retry_until = airing.start
        self._bodies: dict[tuple[str | None, str | None, int], Outgoing] = {}
        self._checked: tuple[Catalog, bool] | None = None  # (catalog snapshot, airing still in it)

    def _still_airs(self) -> bool:
        """Whether the airing is still in the catalog (it may have moved or been pre-empted since the
        fan-out began); asked once per catalog snapshot, not once per message."""
        catalog = self.state.catalog
        if self._checked is None or self._checked[0] is not catalog:
            self._checked = (catalog, catalog.airing(self.airing.key) is not None)
        return self._checked[1]

    async def message_for(self, item: Item) -> Outgoing | str:
        state = self.state
        now = state.clock.now()
        if now > self.expires or (self.lead and self.airing.start <= now):
            return "too late: the episode began"
        if not self._still_airs():
            return "the episode moved or was cancelled"
        zone, language = item.zone, item.language
        settings: ChatSettings | None = None
        if self.chats.changed_since(item.chat, item.version):
            now_settings = await chat_now(state.store, item.chat)
            if isinstance(now_settings, str):
                return now_settings
            settings = now_settings
            follows = state.catalog.shows_followed(await state.store.subscriptions(
                platform=item.chat.platform, chat_id=item.chat.key
            ))
            if self.show.key not in follows or self.lead not in (settings.leads or state.config.lead_minutes):
                return "the chat no longer follows the show or wants this lead time"
            zone, language = settings.timezone, settings.language
        minute = int(now.timestamp()) // 60  # the countdown is right to the minute when each leaves
        body = self._bodies.get((zone, language, minute))
        if body is None:
            if len(self._bodies) > 4096:
                self._bodies.clear()
            lang = choose(saved=language, platform=None, default=state.config.language)
            body = Outgoing("reminder", reminder_message(self.show, self.airing, state.zone_of(zone), now, lang))
            self._bodies[(zone, language, minute)] = body
        mention = settings.mention if settings is not None else item.mention
        if mention:  # a group may want its reminders to notify someone
            body = replace(body, mention=mention)
        return body


class Reminders:
    def __init__(self, state: AppState, *, chats: ChatOwner, fanout: Fanout):
        self.state, self.chats, self.fanout = state, chats, fanout

    async def fanout_plan_start(self, airing: Airing, due: datetime) -> datetime:
        """When the reminder job due at `due` must start for its last message to leave before air."""
        catalog = self.state.catalog
        show = catalog.shows.get(airing.show_key)
        rates = self.fanout.rates()
        if show is None or not any(rates.values()):
            return due
        audience = await self.chats.audiences.of(catalog=catalog, show_key=show.key, targets=targets(show))
        plan = fanout_start(due=due, air=airing.start, audience=audience, rates=self.fanout.rates())
        return plan.start

    async def fire_reminder(self, airing: Airing, leads: int | Sequence[int]) -> int:
        """Queue the reminder for `airing` to everyone following its show now; returns how many.

        `leads` are the lead times due together (more than one after a restart missed some): a
        chat that wants several of them gets one message, for the latest (the others are
        recorded as superseded, so they are never sent later either).
        """
        due = (leads,) if isinstance(leads, int) else tuple(sorted(set(leads)))
        catalog, store = self.state.catalog, self.state.store
        if catalog.airing(airing.key) is None:
            log.info("not reminding of %s: the episode moved or was cancelled", airing.key)
            return 0
        show = catalog.shows[airing.show_key]
        version = self.chats.version
        recipients = await store.recipients(targets(show))
        default = tuple(m for m in due if m in self.state.config.lead_minutes)
        by_setting: dict[str | None, list[Recipient]] = {}  # a chat's lead setting decides: one pass, then per setting
        for r in recipients:
            group = by_setting.get(r[4])  # r.leads
            if group is None:
                group = by_setting[r[4]] = []
            group.append(r)
        chosen: dict[int, list[Recipient]] = {}
        superseded: dict[int, list[tuple[str, str]]] = {}
        for setting, group in by_setting.items():
            wanted = tuple(m for m in due if m in (decode_leads(setting) or ())) if setting else default
            if not wanted:
                continue
            chosen.setdefault(wanted[0], []).extend(group)
            for other in wanted[1:]:
                superseded.setdefault(other, []).extend((r.platform, r.chat_id) for r in group)
        expires = unix_time(airing.start)
        for lead, chats in superseded.items():
            await store.claim(LedgerJob("reminder", ReminderKey(airing.key, lead).encode(), expires), recipients=chats,
                              state="dropped", note="superseded by a later lead time")
        count = 0
        for lead, group in chosen.items():
            job = ReminderDelivery(self, show, airing, lead)
            count += await self.fanout.claim_and_queue(job, group, version)
        return count

    async def job(self, key: ReminderKey, _expires: datetime) -> ReminderDelivery | None:
        """The reminder job a stored key names again (for a retry); None once the airing is gone."""
        catalog = self.state.catalog
        airing = catalog.airing(key.airing)
        return None if airing is None else ReminderDelivery(self, catalog.shows[airing.show_key], airing, key.lead)
