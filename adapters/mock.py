"""An in-memory adapter: records what the bot sends, rendered as the named platform would.

The simulator and the tests use one per platform ("telegram", "discord"). It can stand in for
a platform that misbehaves: `latency` per send, `enforce` limits it checks itself (refusing
with RateLimited and counting the refusals, as a platform would), chats that `hang`, chats
that fail with a given error (`failures`: Unreachable for a blocked user, ChatMoved, ...).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.domain.interfaces import ChatRef, Choice, Inbox, IncomingMessage, Limits, Outgoing, Platform, RateLimited, Reply
from bot.domain.render import render_for


@dataclass(frozen=True)
class Sent:
    at: datetime
    platform: str
    chat: str  # the chat's key: "chat" or "chat/thread"
    kind: str
    text: str
    choices: tuple[Choice, ...] = ()
    mention: str | None = None  # whom the message notifies (a group's chosen role)


class MockAdapter:
    """Stands in for a platform whose bot is called @dramabot."""

    def __init__(
        self,
        platform: str,
        now: Callable[[], datetime],
        outbox: list[Sent] | None = None,
        bot_username: str = "dramabot",
        *,
        limits: Limits | None = None,
        enforce: Limits | None = None,
        latency: float = 0.0,
        monotonic: Callable[[], float] | None = None,
    ):
        self.platform: Platform = platform  # type: ignore[assignment]
        self.bot_username = bot_username
        self.limits = limits or Limits()
        self.enforce = enforce
        self.latency = latency
        self._now = now
        self._mono = monotonic or (lambda: asyncio.get_running_loop().time())
        self.outbox: list[Sent] = [] if outbox is None else outbox
        self.inbox: Inbox | None = None
        self.connected = False
        self.failures: dict[str, BaseException] = {}  # chat key -> what its sends raise
        self.hang: set[str] = set()  # chat keys whose sends never return
        self.refused = 0  # sends refused for going over `enforce`
        self._recent: deque[float] = deque()
        self._recent_by_chat: dict[str, deque[float]] = {}

    async def connect(self) -> None:
        self.connected = True

    async def listen(self, inbox: Inbox) -> None:
        self.inbox = inbox

    async def stop(self) -> None:
        self.inbox = None
        self.connected = False

    async def send(self, chat: ChatRef, message: Outgoing) -> None:
        if self.latency:
            await asyncio.sleep(self.latency)
        if chat.key in self.hang:
            await asyncio.Event().wait()
        failure = self.failures.get(chat.key)
        if failure is not None:
            raise failure
        self._check_limits(chat)
        self._record(chat, message)

    def _check_limits(self, chat: ChatRef) -> None:
        """Refuse like a platform counting sends in sliding windows."""
        if self.enforce is None:
            return
        now = self._mono()
        checks = [(self.enforce.overall, self._recent)]
        if self.enforce.per_chat is not None:
            checks.append((self.enforce.per_chat, self._recent_by_chat.setdefault(chat.chat, deque())))
        for rate, window in checks:
            if rate is None:
                continue
            while window and window[0] <= now - rate.seconds:
                window.popleft()
            if len(window) >= rate.count:
                self.refused += 1
                raise RateLimited(window[0] + rate.seconds - now)
        for rate, window in checks:
            if rate is not None:
                window.append(now)

    def _record(self, chat: ChatRef, message: Outgoing) -> Sent:
        sent = Sent(self._now(), self.platform, chat.key, message.kind, render_for(self.platform, message.body), message.choices,
                    message.mention)
        self.outbox.append(sent)
        return sent

    def message(
        self, chat: str, user: str, text: str, *, admin: bool = False, thread: str | None = None, language: str | None = None,
    ) -> IncomingMessage:
        """What a user typing `text` in `chat` looks like to the core; `chat == user` is private."""

        async def ask_admin() -> bool:
            return admin

        return IncomingMessage(
            ChatRef(self.platform, chat, thread), user, chat == user, text,  # type: ignore[arg-type]
            ask_admin=ask_admin, bot_username=self.bot_username, language=language,
        )

    async def receive(
        self, chat: str, user: str, text: str, *, admin: bool = False, thread: str | None = None, language: str | None = None,
    ) -> Sent | None:
        """A user types `text` in `chat` (their app set to `language`); the reply (if any) is delivered and returned."""
        inbox = self._inbox()
        msg = self.message(chat, user, text, admin=admin, thread=thread, language=language)
        return await self._deliver_reply(msg, await inbox.handle(msg))

    async def choose(self, chat: str, user: str, choice: Choice, *, admin: bool = False) -> Sent | None:
        """A user taps one of the choices of an earlier reply."""
        inbox = self._inbox()
        msg = self.message(chat, user, "", admin=admin)
        return await self._deliver_reply(msg, await inbox.run(msg, choice.command, choice.arguments))

    async def run(self, chat: str, user: str, command: tuple[str, ...], args: Mapping[str, str], *, admin: bool = False) -> Sent | None:
        """A slash command with options, as Discord delivers it."""
        inbox = self._inbox()
        msg = self.message(chat, user, "", admin=admin)
        return await self._deliver_reply(msg, await inbox.run(msg, command, args))

    async def _deliver_reply(self, msg: IncomingMessage, reply: Reply | None) -> Sent | None:
        if reply is None:
            return None
        out = Outgoing("reply", reply.body, reply.choices)
        return await self._inbox().send_reply(msg.chat, lambda: self._reply_now(msg.chat, out))

    async def _reply_now(self, chat: ChatRef, out: Outgoing) -> Sent:
        self._check_limits(chat)
        return self._record(chat, out)

    def _inbox(self) -> Inbox:
        if self.inbox is None:
            raise RuntimeError(f"the {self.platform} mock adapter is not listening")
        return self.inbox
