"""The fake Telegram Bot API, driven by python-telegram-bot's real client."""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import time
import warnings
from collections.abc import AsyncIterator

import aiohttp
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    ChatMemberAdministrator,
    ChatMemberMember,
    ChatMemberOwner,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Update,
)
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)
from telegram.request import HTTPXRequest

from tests.fakes.telegram_api import FakeTelegram, FloodLimits

GROUP = -100200300
# Building a RetryAfter reads its own retry_after, which warns until PTB's switch to timedelta (v22.2+)
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")


@pytest.fixture
async def server() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        yield fake


@pytest.fixture
async def bot(server: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(server.token, base_url=server.base_url, base_file_url=server.base_file_url) as real:
        yield real


def retry_seconds(error: RetryAfter) -> float:
    """RetryAfter.retry_after is an int with a deprecation warning, or a timedelta under PTB_TIMEDELTA."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else value


async def running_app(server: FakeTelegram, *handlers: object) -> Application:
    app = ApplicationBuilder().token(server.token).base_url(server.base_url).job_queue(None).build()
    for handler in handlers:
        app.add_handler(handler)  # type: ignore[arg-type]
    await app.initialize()
    await app.start()
    await app.updater.start_polling(poll_interval=0, timeout=dtm.timedelta(seconds=1))  # type: ignore[union-attr]
    return app


async def stop_app(app: Application) -> None:
    await app.updater.stop()  # type: ignore[union-attr]
    await app.stop()
    await app.shutdown()


# ------------------------------------------------------------------ basics


async def test_get_me_answers_the_bot_user(server: FakeTelegram, bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (server.bot_id, server.bot_username, True)
    assert server.requests["getMe"] == 2  # one from Bot.initialize, one asked for


async def test_unknown_method_wrong_token_and_other_paths(server: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendHologram", api_kwargs={"chat_id": 1})
    async with aiohttp.ClientSession() as http:
        for url in (f"{server.base_url}{server.token}/noSuchMethod", f"http://127.0.0.1:{server.port}/file/bot1/x"):
            async with http.post(url) as response:
                assert response.status == 404
                assert await response.json() == {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
    with pytest.raises(InvalidToken):
        async with Bot("1:other", base_url=server.base_url):
            pass


async def test_json_body_is_read_like_a_form(server: FakeTelegram) -> None:
    async with aiohttp.ClientSession() as http:
        url = f"{server.base_url}{server.token}/sendMessage"
        async with http.post(url, json={"chat_id": 7, "text": "hi", "reply_markup": {"inline_keyboard": []}}) as response:
            body = await response.json()
    assert body["ok"] and body["result"]["chat"] == {"id": 7, "type": "private", "first_name": "User7"}
    assert server.sent[0].reply_markup == {"inline_keyboard": []}


# ------------------------------------------------------------------ getUpdates


async def test_offset_confirms_and_negative_offset_keeps_the_last(server: FakeTelegram, bot: Bot) -> None:
    ids = [server.push_message(1, 1, f"m{i}")["update_id"] for i in range(4)]
    assert [u.update_id for u in await bot.get_updates()] == ids
    assert [u.update_id for u in await bot.get_updates(offset=ids[2], limit=1)] == ids[2:3]
    assert [u["update_id"] for u in server.pending_updates] == ids[2:]
    server.push_message(1, 1, "m4")
    updates = await bot.get_updates(offset=-1)
    assert [u.message.text for u in updates] == ["m4"]  # type: ignore[union-attr]
    assert len(server.pending_updates) == 1


async def test_long_poll_returns_as_soon_as_an_update_arrives(server: FakeTelegram, bot: Bot) -> None:
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    assert not poll.done()
    server.push_message(5, 5, "hello")
    updates = await asyncio.wait_for(poll, 2)
    assert [u.message.text for u in updates] == ["hello"]  # type: ignore[union-attr]
    assert time.monotonic() - started < 1.5


async def test_long_poll_waits_its_timeout_when_nothing_comes(server: FakeTelegram, bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=dtm.timedelta(seconds=0.4)) == ()
    assert time.monotonic() - started >= 0.35


async def test_a_second_poller_ends_the_first_with_conflict(server: FakeTelegram, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await server.wait_requests("getUpdates", 1)
    # PTB gives getUpdates its own one-connection pool: a second poller needs a second Bot
    async with Bot(server.token, base_url=server.base_url) as other:
        assert await other.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates"):
        await asyncio.wait_for(first, 2)


async def test_webhook_blocks_polling_and_delete_can_drop_pending(server: FakeTelegram, bot: Bot) -> None:
    server.push_message(1, 1, "old")
    await bot.set_webhook("https://example.invalid/hook")
    info = await bot.get_webhook_info()
    assert (info.url, info.pending_update_count) == ("https://example.invalid/hook", 1)
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates() == ()
    assert await bot.close() is True
    assert await bot.log_out() is True


# ------------------------------------------------------------------ an Application end to end


async def test_command_reaches_a_handler_and_its_reply_is_recorded(server: FakeTelegram) -> None:
    seen: list[Update] = []

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.append(update)
        await update.effective_message.reply_html(f"Hello <b>{context.args[0]}</b> &amp; welcome")  # type: ignore[union-attr,index]

    app = await running_app(server, CommandHandler("start", start))
    try:
        server.push_message(GROUP, 11, "/start fan", chat_type="supergroup", message_thread_id=7, is_topic_message=True)
        server.push_message(GROUP, 11, "no command here", chat_type="supergroup")
        [reply] = await server.wait_sent(1)
    finally:
        await stop_app(app)
    assert len(seen) == 1 and seen[0].effective_user.id == 11  # type: ignore[union-attr]
    assert (reply.chat_id, reply.message_thread_id, reply.parse_mode) == (GROUP, 7, "HTML")
    assert (reply.text, reply.plain_text) == ("Hello <b>fan</b> &amp; welcome", "Hello fan & welcome")
    assert reply.entities == [{"type": "bold", "offset": 6, "length": 3}]
    assert server.sent_to(GROUP) == [reply] and server.sent_to(1) == []
    assert server.pending_updates == []  # stopping confirmed what was fetched
    methods = [call.method for call in server.calls if call.method != "sendMessage"]
    assert methods[:3] == ["getMe", "deleteWebhook", "getUpdates"]
    assert set(methods[3:]) == {"getUpdates"}
    assert server.calls[-1].params["timeout"] == "0"  # the cleanup poll on stop


async def test_callback_query_is_answered_and_the_message_edited(server: FakeTelegram) -> None:
    async def menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Follow", callback_data="follow:1")]])
        await update.effective_message.reply_text("Pick", reply_markup=keyboard)  # type: ignore[union-attr]

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        await query.answer(f"got {query.data}")  # type: ignore[union-attr]
        await query.edit_message_text("Followed")  # type: ignore[union-attr]

    app = await running_app(server, CommandHandler("menu", menu), CallbackQueryHandler(pressed))
    try:
        server.push_message(42, 42, "/menu")
        [shown] = await server.wait_sent(1)
        query_id = server.push_callback_query(42, 42, "follow:1", message_id=shown.message_id)
        await server.wait_until(lambda: len(server.edits) == 1, what="an edit")
    finally:
        await stop_app(app)
    assert shown.reply_markup == {"inline_keyboard": [[{"text": "Follow", "callback_data": "follow:1"}]]}
    [answer] = server.callback_answers
    assert (answer.callback_query_id, answer.text, answer.show_alert) == (query_id, "got follow:1", False)
    assert (server.edits[0].chat_id, server.edits[0].message_id, server.edits[0].text) == (42, shown.message_id, "Followed")


async def test_answering_an_unknown_query_and_bad_edits_fail(server: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(BadRequest, match="(?i)query ID is invalid"):
        await bot.answer_callback_query("999")
    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=1, message_id=99)
    sent = await bot.send_message(1, "same")
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await bot.edit_message_text("same", chat_id=1, message_id=sent.message_id)
    edited = await bot.edit_message_text("<i>new</i>", chat_id=1, message_id=sent.message_id, parse_mode="HTML")
    assert edited.text == "new" and edited.edit_date is not None


# ------------------------------------------------------------------ HTML and length


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("<foo>x</foo>", 'Unsupported start tag "foo" at byte offset 0'),
        ("Tom & Jerry", 'Bare "&" at byte offset 4'),
        ("<b>open", "Can't find end tag corresponding to start tag \"b\""),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler"'),
        ("1 < 2", "Unclosed start tag at byte offset 2"),
        ("<br>", 'Unsupported start tag "br"'),
    ],
)
async def test_html_telegram_cannot_parse_is_a_bad_request(bot: Bot, server: FakeTelegram, text: str, reason: str) -> None:
    with pytest.raises(BadRequest) as caught:
        await bot.send_message(1, text, parse_mode="HTML")
    [(method, status, description)] = server.errors
    assert (method, status) == ("sendMessage", 400)
    assert description.startswith(f"Bad Request: can't parse entities: {reason}")
    # PTB drops "Bad Request: " and capitalize()s the rest: the tag name's case survives, nothing else's
    assert caught.value.message.startswith(f"Can't parse entities: {reason.lower()}")
    assert server.sent == []


async def test_html_telegram_accepts_gives_plain_text_and_entities(bot: Bot, server: FakeTelegram) -> None:
    text = (
        '<tg-time unix="1671629400" format="wDt">Wed 08:30</tg-time> '
        '<a href="https://example.org/?a=1&amp;b=2">link</a> <span class="tg-spoiler">s</span> '
        '&lt;3 &#127916; <pre><code class="language-python">x</code></pre>'
    )
    message = await bot.send_message(1, text, parse_mode="HTML")
    assert message.text == "Wed 08:30 link s <3 🎬 x"
    types = [(e.type, e.offset, e.length) for e in message.entities]
    assert types == [("date_time", 0, 9), ("text_link", 10, 4), ("spoiler", 15, 1), ("pre", 23, 1)]
    assert message.entities[1].url == "https://example.org/?a=1&b=2"
    assert server.sent[0].entities[0] == {
        "type": "date_time", "offset": 0, "length": 9, "unix_time": 1671629400, "date_time_format": "wDt"
    }
    assert server.sent[0].entities[3]["language"] == "python"


async def test_bare_ampersand_can_be_let_through_as_telegram_does(bot: Bot, server: FakeTelegram) -> None:
    server.strict_ampersand = False
    message = await bot.send_message(1, "Tom & Jerry &amp; <b>&#38;</b>", parse_mode="HTML")
    assert message.text == "Tom & Jerry & &"
    assert server.sent[0].entities == [{"type": "bold", "offset": 14, "length": 1}]


async def test_too_long_and_empty_texts(bot: Bot, server: FakeTelegram) -> None:
    await bot.send_message(1, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")  # tags do not count
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await bot.send_message(1, "x" * 4097)
    with pytest.raises(BadRequest, match="(?i)message text is empty"):
        await bot.send_message(1, "<b> </b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="(?i)unsupported parse_mode"):
        await bot.send_message(1, "x", parse_mode="BBCode")
    assert len(server.sent) == 1


async def test_send_options_are_recorded(bot: Bot, server: FakeTelegram) -> None:
    await bot.send_message(
        3, "see https://example.org", link_preview_options=LinkPreviewOptions(is_disabled=True), disable_notification=True
    )
    [sent] = server.sent
    assert sent.link_preview_options == {"is_disabled": True}
    assert sent.disable_notification is True and sent.parse_mode is None and sent.message_thread_id is None
    assert json.loads(sent.params["link_preview_options"]) == {"is_disabled": True}


# ------------------------------------------------------------------ flood control and faults


async def test_overall_flood_limit_raises_retry_after(bot: Bot, server: FakeTelegram) -> None:
    server.flood = FloodLimits(per_second=3, per_group_per_minute=None)
    for chat in (1, 2, 3):
        await bot.send_message(chat, "ok")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(4, "one too many")
    assert retry_seconds(caught.value) == 1
    assert (server.count_429, len(server.sent)) == (1, 3)


async def test_group_limit_is_twenty_a_minute(bot: Bot, server: FakeTelegram) -> None:
    now = [1000.0]
    server.clock = lambda: now[0]
    server.flood = FloodLimits()
    for _ in range(20):
        await bot.send_message(GROUP, "x")
        now[0] += 0.5
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(GROUP, "21st")
    assert retry_seconds(caught.value) == 50  # the first of the 20 leaves the window at 1060
    await bot.send_message(5, "a private chat is not held up")
    now[0] = 1060.0
    await bot.send_message(GROUP, "the window moved on")
    assert server.count_429 == 1


async def test_per_chat_limit_is_configurable(bot: Bot, server: FakeTelegram) -> None:
    server.flood = FloodLimits(per_chat_per_second=1)
    await bot.send_message(8, "first")
    with pytest.raises(RetryAfter):
        await bot.send_message(8, "second")
    await bot.send_message(9, "another chat")


async def test_forced_429_carries_its_retry_after(bot: Bot, server: FakeTelegram) -> None:
    server.fail_next(status=429, retry_after=7, method="sendMessage")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(1, "x")
    assert retry_seconds(caught.value) == 7
    await bot.send_message(1, "x")
    assert server.count_429 == 1


async def test_blocked_chat_is_forbidden(bot: Bot, server: FakeTelegram) -> None:
    server.block(77)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(77, "x")
    await bot.send_message(78, "others still work")


async def test_migrated_group_raises_chat_migrated(bot: Bot, server: FakeTelegram) -> None:
    server.migrate(-4001, -1004001)
    with pytest.raises(ChatMigrated) as caught:
        await bot.send_message(-4001, "x")
    assert caught.value.new_chat_id == -1004001
    await bot.send_message(-1004001, "the new id works")


async def test_bad_gateway_for_the_next_requests_is_a_network_error(bot: Bot, server: FakeTelegram) -> None:
    server.fail_next(2, chat_id=1)
    for _ in range(2):
        with pytest.raises(NetworkError) as caught:
            await bot.send_message(1, "x")
        assert type(caught.value) is NetworkError and "Bad Gateway" in caught.value.message
    await bot.send_message(1, "third works")
    assert server.statuses[502] == 2 and len(server.sent) == 1


async def test_missing_thread_is_a_bad_request_for_that_thread_only(bot: Bot, server: FakeTelegram) -> None:
    server.missing_thread(GROUP, 9)
    with pytest.raises(BadRequest, match="(?i)message thread not found"):
        await bot.send_message(GROUP, "x", message_thread_id=9)
    await bot.send_message(GROUP, "x", message_thread_id=10)
    await bot.send_message(GROUP, "x")


async def test_a_hung_chat_times_out_and_does_not_hold_up_the_server() -> None:
    started = time.monotonic()
    async with FakeTelegram() as server:
        request = HTTPXRequest(read_timeout=0.3)
        async with Bot(server.token, base_url=server.base_url, request=request) as bot:
            server.hang(13)
            with pytest.raises(TimedOut):
                await bot.send_message(13, "x")
            await bot.send_message(14, "others are answered")
            hung = asyncio.create_task(bot.send_chat_action(13, "typing", read_timeout=5))
            await server.wait_requests("sendChatAction")
    with pytest.raises(NetworkError):
        await hung
    assert time.monotonic() - started < 1.5


async def test_latency_delays_every_answer(bot: Bot, server: FakeTelegram) -> None:
    server.latency = 0.15
    started = time.monotonic()
    await bot.get_me()
    assert time.monotonic() - started >= 0.14
    server.latency, server.method_latency = 0.0, {"sendMessage": 0.15}
    started = time.monotonic()
    await bot.get_me()
    fast = time.monotonic() - started
    await bot.send_message(1, "x")
    assert fast < 0.14 <= time.monotonic() - started - fast


# ------------------------------------------------------------------ commands, members, waiting


async def test_commands_are_recorded_per_scope(bot: Bot, server: FakeTelegram) -> None:
    await bot.set_my_commands([BotCommand("subscribe", "Follow a drama")])
    await bot.set_my_commands([BotCommand("quiet", "Group quiet hours")], scope=BotCommandScopeChat(GROUP))
    await bot.set_my_commands([BotCommand("abonnieren", "Folgen")], language_code="de")
    assert server.commands_for() == [("subscribe", "Follow a drama")]
    assert server.commands_for({"type": "chat", "chat_id": GROUP}) == [("quiet", "Group quiet hours")]
    assert server.commands_for(language_code="de") == [("abonnieren", "Folgen")]
    assert [c.command for c in await bot.get_my_commands(scope=BotCommandScopeChat(GROUP))] == ["quiet"]
    await bot.delete_my_commands(scope=BotCommandScopeChat(GROUP))
    assert server.commands_for({"type": "chat", "chat_id": GROUP}) == []
    with pytest.raises(BadRequest, match="(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Bad-Name", "x")])


async def test_chat_member_roles(bot: Bot, server: FakeTelegram) -> None:
    server.set_role(GROUP, 1, "creator")
    server.set_role(GROUP, 2, "administrator")
    assert isinstance(await bot.get_chat_member(GROUP, 1), ChatMemberOwner)
    assert isinstance(await bot.get_chat_member(GROUP, 2), ChatMemberAdministrator)
    member = await bot.get_chat_member(GROUP, 3)
    assert isinstance(member, ChatMemberMember) and member.user.id == 3
    assert sorted(m.user.id for m in await bot.get_chat_administrators(GROUP)) == [1, 2]


async def test_wait_sent_fails_after_its_timeout(server: FakeTelegram) -> None:
    with pytest.raises(AssertionError, match="1 sent messages"):
        await server.wait_sent(1, timeout=0.1)
