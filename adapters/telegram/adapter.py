"""`TelegramAdapter`: python-telegram-bot 22 in the bot's one event loop.

`connect` builds the `Application` (no job queue, no rate limiter: the core's outbox paces by
the `limits` declared here), logs in with getMe and sets the command menu; `listen` starts
update processing and polling (`updater.start_polling`) or the webhook server
(`updater.start_webhook`, which refuses requests without the secret); `stop` undoes both.

Updates become `IncomingMessage`s: a chat is `ChatRef("telegram", chat id, thread)`, the
thread set for messages inside a forum topic. Updates of different chats are handled at once
(bounded), each chat's in the order sent (`updates.py`), so a command waiting on TVmaze holds
no one else; a reply is delivered in the background through `inbox.send_reply`, under the core's pace. A reply's
choices become an inline keyboard (see `choices.py`); a tap runs the choice and edits the
message to say what happened, or, when the command's checks refuse the tapper (the commands
layer decides, as for a typed command), answers with an alert and leaves the buttons. Admin status is asked with getChatMember when an admin command
runs, and cached briefly.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import html
import logging
import os
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from telegram import (
    CallbackQuery,
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    ReplyParameters,
    Update,
    User,
)
from telegram import (
    Message as TgMessage,
)
from telegram.constants import ChatMemberStatus, ChatType, ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.config import TelegramConfig
from bot.domain.interfaces import ChatRef, DeliveryError, Inbox, IncomingMessage, Limits, Outgoing, Platform, Rate, Reply

from . import menu
from .choices import ChoiceTable
from .outgoing import delivery_error, html_parts
from .secrecy import protect, redact
from .updates import ChatOrderedUpdates

os.environ.setdefault("PTB_TIMEDELTA", "1")  # RetryAfter.retry_after as a timedelta, without a deprecation warning

log = logging.getLogger(__name__)

T = TypeVar("T")
ADMIN_TTL = 60.0  # seconds a getChatMember answer is trusted
MAX_IN_FLIGHT = 128  # sends awaiting Telegram at once when it answers slowly (30/s at 3 s per answer, with headroom)
ADMINS = (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)
UPDATES = ["message", "channel_post", "callback_query"]
STALE_CHOICE = "This button has expired or is not valid. Type the command again."
DONE = "Done."


async def _yes() -> bool:
    return True


def _always() -> bool:
    return True


class GuardedPolls:
    """The bot as PTB's updater sees it: getUpdates goes out only while `may_poll()`; else it
    waits a second and finds nothing (the role's loss stops the updater meanwhile)."""

    def __init__(self, bot: Any, may_poll: Callable[[], bool]):
        self._bot, self._may_poll = bot, may_poll

    def __getattr__(self, name: str) -> Any:
        return getattr(self._bot, name)

    async def get_updates(self, *args: Any, **kwargs: Any) -> tuple[Any, ...]:
        if self._may_poll():
            return await self._bot.get_updates(*args, **kwargs)
        timeout = kwargs.get("timeout")
        if timeout:  # the polling loop, not the last confirming call
            await asyncio.sleep(1.0)
        return ()


class TelegramAdapter:
    platform: Platform = "telegram"

    def __init__(
        self,
        config: TelegramConfig,
        *,
        request_timeout: float = 30.0,
        poll_timeout: float = 10.0,
        admin_ttl: float = ADMIN_TTL,
        in_flight: int = 16,
    ):
        if not config.token:
            raise ValueError("the Telegram adapter needs a bot token ([telegram] token or DRAMABOT_TELEGRAM_TOKEN)")
        self.config = config
        self.limits = Limits(
            overall=Rate(config.messages_per_second),
            per_chat=Rate(config.chat_messages_per_second),
            per_group=Rate(config.group_messages_per_minute, 60.0),
            paid=Rate(1000),
            in_flight=in_flight,
            max_in_flight=MAX_IN_FLIGHT,
        )
        self.request_timeout = request_timeout
        self.poll_timeout = poll_timeout
        self.admin_ttl = admin_ttl
        self.choices = ChoiceTable()
        self.app: Application | None = None
        self.bot_username: str | None = None
        self._inbox: Inbox | None = None
        self._admins: dict[tuple[int, int], tuple[bool, float]] = {}
        self._tasks: set[asyncio.Task] = set()
        self._deferred = False  # True: `listen` leaves polling to `start_receiving` (the receive:telegram role)
        protect(config.token, config.webhook_secret)

    # ---- lifecycle ------------------------------------------------------------------------------

    async def connect(self) -> None:
        """Log in (getMe) and set the command menu; from now on `send` works."""
        config = self.config
        builder = ApplicationBuilder().token(config.token).job_queue(None)
        if config.base_url:
            builder = builder.base_url(config.base_url)
        if config.base_file_url:
            builder = builder.base_file_url(config.base_file_url)
        timeout = self.request_timeout
        builder = builder.connect_timeout(timeout).read_timeout(timeout).write_timeout(timeout).pool_timeout(timeout)
        builder = builder.connection_pool_size(max(8, self.limits.in_flight * 2, (self.limits.max_in_flight or 0) + 8))
        app = builder.concurrent_updates(ChatOrderedUpdates()).build()
        app.add_handler(CommandHandler(menu.handled_names(), self._on_message, filters=_FRESH))
        app.add_handler(MessageHandler(filters.TEXT & _FRESH, self._on_message))
        app.add_handler(CallbackQueryHandler(self._on_callback))
        app.add_error_handler(self._on_error)
        try:
            await app.initialize()
        except TelegramError as exc:
            raise ConnectionError(f"Telegram refused the login: {redact(str(exc))}") from None
        self.app = app
        self.bot_username = app.bot.username
        await self._set_menu()

    async def _set_menu(self) -> None:
        assert self.app is not None
        for scope, language, commands in menu.menus():
            try:
                await self.app.bot.set_my_commands(commands, scope=scope, language_code=language)
            except TelegramError as exc:
                log.warning("setting the Telegram command menu failed: %s", redact(str(exc)))
                return

    async def listen(self, inbox: Inbox) -> None:
        """Start handling updates, by long polling or through the webhook server."""
        assert self.app is not None and self.app.updater is not None, "connect first"
        self._inbox = inbox
        await self.app.start()
        if self.config.mode == "webhook":
            host, _, port = self.config.webhook_listen.rpartition(":")
            await self.app.updater.start_webhook(
                listen=host.strip("[]"), port=int(port), url_path=urlsplit(self.config.webhook_url).path.lstrip("/"),
                webhook_url=self.config.webhook_url, secret_token=self.config.webhook_secret, allowed_updates=UPDATES,
            )
        elif not self._deferred:
            await self.start_receiving()

    def receives_alone(self) -> bool:
        return self.config.mode != "webhook"

    def defer_receiving(self) -> None:
        self._deferred = True

    async def start_receiving(self, may_poll: Callable[[], bool] = _always) -> None:
        """Long-poll getUpdates (after `listen`), each request only while `may_poll()`: a process
        that was paused past its receive lease neither polls again nor confirms on stopping."""
        assert self.app is not None and self.app.updater is not None, "listen first"
        if not self.app.updater.running:
            self.app.updater.bot = GuardedPolls(self.app.bot, may_poll)  # type: ignore[assignment]
            await self.app.updater.start_polling(
                poll_interval=0, timeout=dtm.timedelta(seconds=self.poll_timeout), allowed_updates=UPDATES,
                error_callback=self._on_poll_error,
            )

    async def stop_receiving(self) -> None:
        """Stop polling; PTB confirms what it fetched with one last getUpdates, so whoever polls next
        does not see those updates again."""
        if self.app is not None and self.app.updater is not None and self.app.updater.running:
            await self.app.updater.stop()

    async def stop(self) -> None:
        """Stop receiving, let background replies end, and close the HTTP client."""
        app, self.app = self.app, None
        self._inbox = None
        if app is None:
            return
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await app.shutdown()

    # ---- sending --------------------------------------------------------------------------------

    async def send(self, chat: ChatRef, message: Outgoing) -> None:
        """Send a reminder, news or notice; raise the core's DeliveryError kinds when refused."""
        await self._send_parts(chat, html_parts(message.body), self._keyboard(chat, message.choices),
                               preview=message.kind == "news")

    async def _send_parts(
        self, chat: ChatRef, parts: list[str], keyboard: InlineKeyboardMarkup | None, *,
        preview: bool = False, reply_to: int | None = None, paced: bool = False,
    ) -> None:
        for i, part in enumerate(parts):
            last = i == len(parts) - 1

            def call(part: str = part, last: bool = last) -> Awaitable[Any]:
                return self._call(chat, lambda: self._bot.send_message(
                    chat_id=_chat_id(chat.chat), text=part, parse_mode=ParseMode.HTML,
                    message_thread_id=int(chat.thread) if chat.thread else None,
                    link_preview_options=LinkPreviewOptions(is_disabled=not preview),
                    reply_markup=keyboard if last else None,
                    reply_parameters=ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None,
                    allow_paid_broadcast=True if self.config.paid_broadcast and not paced else None,
                ))

            if paced:
                assert self._inbox is not None
                await self._inbox.send_reply(chat, call)
            else:
                await call()

    async def _call(self, chat: ChatRef, request: Callable[[], Awaitable[T]]) -> T:
        """One Bot API call; a refusal comes back as the core's outcome, without the token."""
        try:
            return await request()
        except TelegramError as exc:
            raise delivery_error(exc, chat, redact) from None

    @property
    def connected(self) -> bool:
        """Logged in, until stopped (the web server's /readyz asks)."""
        return self.app is not None

    @property
    def _bot(self):
        if self.app is None:
            raise DeliveryError("the Telegram adapter is not connected")
        return self.app.bot

    def _keyboard(self, chat: ChatRef, choices) -> InlineKeyboardMarkup | None:
        if not choices:
            return None
        data = self.choices.put(chat.key, tuple(choices))
        return InlineKeyboardMarkup([[InlineKeyboardButton(c.label[:64], callback_data=d)] for c, d in zip(choices, data, strict=True)])

    def _spawn(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver_reply(self, chat: ChatRef, reply: Reply, reply_to: int | None) -> None:
        try:
            await self._send_parts(chat, html_parts(reply.body), self._keyboard(chat, reply.choices),
                                   reply_to=reply_to, paced=True)
        except DeliveryError as exc:
            log.warning("a reply to %s was not delivered: %s", chat, exc)

    # ---- incoming -------------------------------------------------------------------------------

    def _incoming(self, chat: Chat, message: TgMessage | None, user: User | None, text: str) -> IncomingMessage:
        thread = message.message_thread_id if message is not None and message.is_topic_message else None
        ref = ChatRef("telegram", str(chat.id), str(thread) if thread else None)
        private = chat.type == ChatType.PRIVATE
        ask_admin: Callable[[], Awaitable[bool]]
        if private or chat.type == ChatType.CHANNEL:
            ask_admin = _yes  # one's own chat; only a channel's admins can post in it
        elif message is not None and message.sender_chat is not None and message.sender_chat.id == chat.id:
            ask_admin = _yes  # an anonymous group administrator
        else:
            ask_admin = self._admin_check(chat.id, user.id if user else 0)
        who = user.id if user else (message.sender_chat.id if message and message.sender_chat else chat.id)
        return IncomingMessage(
            ref, str(who), private, text, ask_admin=ask_admin, bot_username=self.bot_username,
            language=user.language_code if user else None,
        )

    def _admin_check(self, chat_id: int, user_id: int) -> Callable[[], Awaitable[bool]]:
        async def ask() -> bool:
            key, now = (chat_id, user_id), time.monotonic()
            cached = self._admins.get(key)
            if cached is not None and cached[1] > now:
                return cached[0]
            try:
                member = await self._bot.get_chat_member(chat_id, user_id)
            except (TelegramError, DeliveryError) as exc:
                log.warning("getChatMember for %s in %s failed: %s", user_id, chat_id, redact(str(exc)))
                return False
            admin = member.status in ADMINS
            if len(self._admins) > 10000:
                self._admins.clear()
            self._admins[key] = (admin, now + self.admin_ttl)
            return admin

        return ask

    async def _on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, chat = update.effective_message, update.effective_chat
        if message is None or chat is None or not message.text or self._inbox is None:
            return
        msg = self._incoming(chat, message, update.effective_user, message.text)
        reply = await self._inbox.handle(msg)
        if reply is not None:
            self._spawn(self._deliver_reply(msg.chat, reply, None if msg.private else message.message_id))

    async def _on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None or self._inbox is None:
            return
        message = query.message if isinstance(query.message, TgMessage) else None
        if message is None:
            await self._answer(query, STALE_CHOICE)
            return
        msg = self._incoming(message.chat, message, query.from_user, "")
        choice = self.choices.get(query.data or "", msg.chat.key)
        if choice is None:
            await self._answer(query, STALE_CHOICE)
            return
        reply = await self._inbox.run(msg, choice.command, choice.arguments)
        if reply.refused:  # the command's checks turned the tapper away: the buttons stay for someone else
            await self._answer(query, _plain(html_parts(reply.body)[0]))
            return
        self.choices.forget(query.data or "")
        await self._answer(query, DONE)
        self._spawn(self._edit(msg.chat, message.message_id, reply))

    async def _answer(self, query: CallbackQuery, text: str) -> None:
        try:
            await query.answer(text[:200], show_alert=text != DONE)
        except TelegramError as exc:
            log.info("answering a button tap failed: %s", redact(str(exc)))

    async def _edit(self, chat: ChatRef, message_id: int, reply: Reply) -> None:
        """The tapped message now says what the choice did; the rest of a long answer follows it."""
        assert self._inbox is not None
        first, *rest = html_parts(reply.body)
        keyboard = self._keyboard(chat, reply.choices)
        try:
            await self._inbox.send_reply(chat, lambda: self._call(chat, lambda: self._bot.edit_message_text(
                first, chat_id=_chat_id(chat.chat), message_id=message_id, parse_mode=ParseMode.HTML,
                reply_markup=keyboard if not rest else None, link_preview_options=LinkPreviewOptions(is_disabled=True),
            )))
            if rest:
                await self._send_parts(chat, rest, keyboard, paced=True)
        except DeliveryError as exc:
            log.warning("editing a message in %s failed: %s", chat, exc)

    # ---- errors ---------------------------------------------------------------------------------

    def _on_poll_error(self, error: TelegramError) -> None:
        log.warning("polling Telegram failed (retrying): %s", redact(str(error)))

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        error = context.error
        log.error("handling a Telegram update failed: %s: %s", type(error).__name__, redact(str(error)),
                  exc_info=error if not isinstance(error, TelegramError) else None)


_FRESH = filters.UpdateType.MESSAGE | filters.UpdateType.CHANNEL_POST  # not edits


def _chat_id(chat: str) -> int | str:
    """Numeric ids as numbers; "@channelname" as it is."""
    return int(chat) if chat.lstrip("-").isdigit() else chat


def _plain(text: str) -> str:
    """A reply's HTML as the plain text an alert shows."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))
