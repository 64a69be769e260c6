"""Chats, their subscriptions and settings: the one owner of every change to a chat.

Every change (subscriptions, zone, leads, mention, events, language, paused, moved) goes through a method
here, which writes the store and does everything the change implies, so no caller has to
remember any of it: the chat is noted as changed (messages already queued for it are re-checked
when sent), the audience and in-use caches forget what it touched, and the planner is told when
the set of reminder jobs may have changed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from ..delivery import Item, chat_now
from ..domain.audiences import Audiences, InUse
from ..domain.i18n import Language, choose
from ..domain.interfaces import ChatRef, Clock
from ..domain.names import Target
from ..domain.zones import unix_time
from ..storage import Storage
from ..storage.values import ChatSettings, decode_leads, encode_leads
from .state import AppState

log = logging.getLogger(__name__)


class ChatOwner:
    def __init__(self, state: AppState):
        self.state = state
        self.store: Storage = state.store
        self.clock: Clock = state.clock
        self.version = 0  # the last change's number; a fan-out remembers the one it read at
        self._chat_versions: dict[tuple[str, str], int] = {}
        self.audiences = Audiences(state.store)  # per show, for deadline plans; forgotten by what changes
        self.in_use = InUse(state.store)  # lead settings and zones of following chats, for the planner

    # ---- what changed since a fan-out read it ----------------------------------------------------

    def _touch(self, chat: ChatRef, *, replan: bool) -> None:
        self.version += 1
        self._chat_versions[(chat.platform, chat.key)] = self.version
        if replan:
            self.state.changed()

    def changed_since(self, chat: ChatRef, version: int) -> bool:
        versions = self._chat_versions
        return bool(versions) and versions.get((chat.platform, chat.key), 0) > version

    async def recheck(self, item: Item, show_key: str) -> ChatSettings | str | None:
        """For a queued message about a show: None when the chat has not changed since its
        fan-out read it; its settings when it changed and still follows the show; else why the
        message is no longer wanted."""
        if not self.changed_since(item.chat, item.version):
            return None
        store = self.state.store
        settings = await chat_now(store, item.chat)
        if isinstance(settings, str):
            return settings
        if show_key not in self.state.catalog.shows_followed(await store.subscriptions(platform=item.chat.platform, chat_id=item.chat.key)):
            return "the chat no longer follows the show"
        return settings

    # ---- what the planner plans for ---------------------------------------------------------------

    async def leads_in_use(self) -> set[int]:
        """Every lead (minutes) some following chat wants: the reminder jobs to plan."""
        leads: set[int] = set()
        for setting in await self.in_use.leads():
            leads.update(decode_leads(setting) or self.state.config.lead_minutes)
        return leads

    async def zones_in_use(self) -> set[str]:
        """Every zone some following chat has (the default for chats without one)."""
        return {zone or self.state.config.timezone.key for zone in await self.in_use.zones()}

    # ---- changes ----------------------------------------------------------------------------------

    async def chat_settings(self, chat: ChatRef) -> tuple[ZoneInfo, tuple[int, ...]]:
        row = await self.store.chat(platform=chat.platform, chat_id=chat.key)
        zone = self.state.zone_of(row.timezone if row else None)
        leads = (row.leads if row else None) or self.state.config.lead_minutes
        return zone, leads

    async def subscribe(self, chat: ChatRef, *, private: bool, target: Target) -> bool:
        """Follow a show or actor; True when it is new."""
        now = unix_time(self.clock.now())
        is_new = await self.store.subscribe(
            platform=chat.platform, chat_id=chat.key, is_private=private, kind=target.kind, target=target.key, now=now
        )
        if is_new:
            self.audiences.forget(self.state.catalog.shows_followed([(target.kind, target.key)]))
            settings = await self.store.chat(platform=chat.platform, chat_id=chat.key)
            if settings is not None:
                self.in_use.followed(leads=encode_leads(settings.leads) if settings.leads else None, zone=settings.timezone)
            self._touch(chat, replan=True)
        return is_new

    async def unsubscribe(self, chat: ChatRef, target: Target) -> bool:
        removed = await self.store.unsubscribe(platform=chat.platform, chat_id=chat.key, kind=target.kind, target=target.key)
        if removed:
            self.audiences.forget(self.state.catalog.shows_followed([(target.kind, target.key)]))
            self.in_use.forget()  # its settings may be in use by nobody else
            self._touch(chat, replan=True)
        return removed

    async def _forget_audiences_of(self, chat: ChatRef) -> None:
        """The chat now counts, or no longer counts, in the audience of every show it follows."""
        self.audiences.forget(self.state.catalog.shows_followed(await self.store.subscriptions(
            platform=chat.platform, chat_id=chat.key
        )))

    async def set_timezone(self, chat: ChatRef, *, private: bool, zone: ZoneInfo) -> None:
        await self.store.set_timezone(
            platform=chat.platform, chat_id=chat.key, is_private=private, zone=zone.key, now=unix_time(self.clock.now())
        )
        self.in_use.forget(leads=False)
        self._touch(chat, replan=True)  # streaming releases are planned per zone in use

    async def set_leads(self, chat: ChatRef, *, private: bool, minutes: Sequence[int]) -> None:
        await self.store.set_leads(
            platform=chat.platform, chat_id=chat.key, is_private=private, minutes=minutes, now=unix_time(self.clock.now())
        )
        self.in_use.forget(zones=False)
        self._touch(chat, replan=True)

    async def set_mention(self, chat: ChatRef, *, private: bool, mention: str | None) -> None:
        """Whom the chat's reminders mention (a platform handle; None: no one)."""
        await self.store.set_mention(
            platform=chat.platform, chat_id=chat.key, is_private=private, mention=mention, now=unix_time(self.clock.now())
        )
        self._touch(chat, replan=False)

    async def set_events(self, chat: ChatRef, *, private: bool, on: bool) -> None:
        """Whether the platform's event calendar lists the chat's upcoming episodes."""
        await self.store.set_events(
            platform=chat.platform, chat_id=chat.key, is_private=private, on=on, now=unix_time(self.clock.now())
        )
        self._touch(chat, replan=False)

    async def set_language(self, chat: ChatRef, *, private: bool, language: Language) -> None:
        """The language the chat reads from now on (replies, reminders, news)."""
        await self.store.set_language(
            platform=chat.platform, chat_id=chat.key, is_private=private, language=language, now=unix_time(self.clock.now())
        )
        self._touch(chat, replan=False)

    async def language(self, chat: ChatRef, *, private: bool, writer: str | None) -> Language:
        """The language the chat reads: its saved choice; else the writer's app language
        (`writer`), remembered for the chat so reminders and news sent later use it; else the config's."""
        row = await self.store.chat(platform=chat.platform, chat_id=chat.key)
        saved = row.language if row is not None else None
        chosen = choose(saved=saved, platform=writer, default=self.state.config.language)
        if saved is None and writer:
            await self.set_language(chat, private=private, language=chosen)
        return chosen

    async def chat_unreachable(self, chat: ChatRef, reason: str) -> None:
        """The platform says this chat cannot be reached: pause it, keep its subscriptions."""
        if await self.store.pause_chat(platform=chat.platform, chat_id=chat.key, reason=reason, now=unix_time(self.clock.now())):
            log.info("delivery to %s paused: %s", chat, reason)
            await self._forget_audiences_of(chat)
        self._touch(chat, replan=False)

    async def resume(self, chat: ChatRef) -> str | None:
        """The chat wrote again: deliver to it again. Returns why it had been paused, if it was."""
        reason = await self.store.resume_chat(platform=chat.platform, chat_id=chat.key)
        if reason is not None:
            log.info("delivery to %s resumed", chat)
            await self._forget_audiences_of(chat)
            self._touch(chat, replan=False)
        return reason

    async def chat_moved(self, chat: ChatRef, new_chat: ChatRef) -> None:
        """The chat has a new id: settings, subscriptions and pending deliveries move with it."""
        await self.store.move_chat(platform=chat.platform, old=chat.key, new=new_chat.key)
        log.info("%s moved to %s", chat, new_chat)
        await self._forget_audiences_of(new_chat)
        self.in_use.forget()
        self._touch(chat, replan=False)
        self._touch(new_chat, replan=True)
