"""The inbox adapters report to: a typed line or a command answered through the registry, with
the notice a paused chat is owed, and the app's listings and pace for the adapters' own calls.
Built from the app (`bot.app.Core`), which knows nothing of commands."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from typing import TypeVar

from ..app.core import Core
from ..domain.i18n import DEFAULT_LANGUAGE, Language, catalogue, stored_reason
from ..domain.interfaces import ChatRef, IncomingMessage, Platform, Reply, Upcoming
from ..domain.render import Message
from ..domain.sanitize import visible
from .ports import Services
from .run import execute, language_for, respond

T = TypeVar("T")


class Inbox:
    def __init__(self, app: Core):
        self.app = app
        self.services = Services(
            chats=app.chats, lookup=app, feeds=app.feeds, access=app.access, settings=app, clock=app.clock,
            calendars=app.calendars,
        )

    async def handle(self, msg: IncomingMessage) -> Reply | None:
        """The reply to one typed line (None: stay quiet), for the adapter to deliver."""
        if not self.app.listening:
            return None
        lang = await language_for(self.services, msg)
        notice = await self._pause_notice(msg, lang)
        reply = await respond(self.services, msg, lang=lang)
        return self._with_notice(reply, notice)

    async def run(self, msg: IncomingMessage, command: tuple[str, ...], args: Mapping[str, str]) -> Reply:
        """Run a command given as a path and options (a Discord slash command, a tapped choice)."""
        lang = await language_for(self.services, msg)
        if not self.app.listening:
            return Reply(catalogue().message(lang, "restarting"))
        notice = await self._pause_notice(msg, lang)
        reply = await execute(self.services, msg, command, {key: visible(value) for key, value in args.items()}, lang=lang)
        return replace(self._with_notice(reply, notice) or reply, language=lang)

    async def _pause_notice(self, msg: IncomingMessage, lang: Language) -> Message | None:
        """A message through the chat itself resumes a paused chat; one from elsewhere (a personal
        command typed in a server channel) cannot, so it is told why delivery is paused."""
        if msg.reaches_chat:
            reason = await self.app.chats.resume(msg.chat)
            return None if reason is None else catalogue().message(lang, "notice-resumed", reason=stored_reason(lang, reason))
        settings = await self.app.store.chat(platform=msg.chat.platform, chat_id=msg.chat.key)
        if settings is None or not settings.paused_reason:
            return None
        return catalogue().message(lang, "notice-paused", reason=stored_reason(lang, settings.paused_reason))

    @staticmethod
    def _with_notice(reply: Reply | None, notice: Message | None) -> Reply | None:
        if reply is None or notice is None:
            return reply
        return replace(reply, body=Message.lines(notice, reply.body))  # a refusal stays one

    # ---- what adapters read and pace of their own --------------------------------------------------

    def names(self, lang: Language = DEFAULT_LANGUAGE) -> list[tuple[str, str]]:
        return self.app.listings.names(lang)

    async def upcoming(self, chat: ChatRef, days: int) -> list[Upcoming]:
        return await self.app.listings.upcoming(chat, days)

    async def chats_with_events(self, platform: Platform) -> list[ChatRef]:
        return await self.app.listings.chats_with_events(platform)

    async def request_slot(self, platform: Platform) -> None:
        await self.app.delivery.request_slot(platform)

    async def send_reply(self, chat: ChatRef, send: Callable[[], Awaitable[T]]) -> T:
        return await self.app.delivery.send_reply(chat, send)
