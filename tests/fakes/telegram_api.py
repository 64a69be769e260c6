"""A fake Telegram Bot API server for tests: aiohttp on 127.0.0.1, an ephemeral port.

python-telegram-bot (PTB) 22 runs against it unmodified::

    async with FakeTelegram() as server:
        app = (ApplicationBuilder().token(server.token).base_url(server.base_url)
               .base_file_url(server.base_file_url).job_queue(None).build())
        server.push_message(chat_id=42, user_id=42, text="/start")
        ...
        await server.wait_sent(1)
        assert server.sent_to(42)[0].text == "..."

URLs are ``{base_url}{token}/{method}`` (PTB appends the token to ``base_url``, then
``/method``). A request with another token gets 401 "Unauthorized", as Telegram answers a
well-formed but unknown token; any other path or an unknown method gets 404
``{"ok": false, "error_code": 404, "description": "Not Found: method not found"}``.
Parameters are read from a form (PTB posts ``application/x-www-form-urlencoded``, each
non-string value JSON-encoded: ``"42"``, ``"true"``, ``'{"type": "chat", ...}'``), from
multipart, from a JSON body or from the query string. Method names are case-insensitive, as
on Telegram.

What it implements
------------------
* ``getMe``; ``getUpdates`` over a queue the test fills with ``push_message``,
  ``push_callback_query`` or ``push_update``: an offset confirms (forgets) every update below
  it, a negative offset keeps only the last ``-offset`` ones, ``limit`` caps the answer,
  ``timeout`` long-polls and returns as soon as an update arrives; ``allowed_updates`` is
  ignored. A second ``getUpdates`` while one is waiting ends the first with 409 "Conflict:
  terminated by other getUpdates request", and ``getUpdates`` while a webhook is set is a 409,
  both as Telegram does.
* ``sendMessage`` and ``editMessageText`` (recorded in ``sent`` / ``edits``), with Telegram's
  HTML checks: only b strong i em u ins s strike del span(class="tg-spoiler") tg-spoiler a
  code pre blockquote tg-emoji(emoji-id) tg-time(unix, format), properly nested, entities
  ``&lt; &gt; &amp; &quot;`` and numeric; anything else is 400 "Bad Request: can't parse
  entities: ...". The text after parsing (``plain_text``) and its ``entities`` (UTF-16
  offsets) are what the answer's Message carries. Over 4096 characters after parsing is 400
  "Bad Request: message is too long"; an empty text is 400 "Bad Request: message text is
  empty". Editing an unknown message, or to the same text and markup, is the 400 Telegram
  gives.
* ``setMyCommands`` / ``getMyCommands`` / ``deleteMyCommands`` per (scope, language_code);
  ``getChatMember`` / ``getChatAdministrators`` from ``set_role``; ``answerCallbackQuery``
  (only for ids that were pushed); ``sendChatAction``; ``deleteMessage``; ``setWebhook`` /
  ``deleteWebhook`` (``drop_pending_updates`` empties the queue) / ``getWebhookInfo``;
  ``close`` and ``logOut`` answer True and change nothing.
* Switches: ``latency`` (and ``method_latency``) before every answer; ``flood`` limits
  (overall per second, optional per chat per second, per group per minute) answered with 429
  and ``parameters.retry_after`` as Telegram does, counted in ``count_429``; ``fail_next``
  (the next K requests, optionally of one method or chat, answer 5xx or any status);
  ``block`` (403 "Forbidden: bot was blocked by the user"); ``migrate`` (400 with
  ``parameters.migrate_to_chat_id``); ``missing_thread`` (400 "Bad Request: message thread
  not found"); ``hang`` (requests naming the chat never get an answer; the connection is
  dropped when the server stops).
* Records: ``sent``, ``edits``, ``callback_answers``, ``chat_actions``, ``commands``, every
  request in ``calls`` (method, raw string parameters, clock), ``requests`` (a Counter by
  method), ``statuses`` (by HTTP status), ``errors`` (method, status, description) and
  ``count_429``; ``wait_sent`` / ``wait_requests`` / ``wait_until`` wait for them with a
  timeout and fail with an AssertionError saying what was missing.

What it deliberately does not
-----------------------------
* Media, files and ``getFile`` downloads (``base_file_url`` is served only by the 404),
  inline mode, payments, webhooks that are actually called, ``getChat`` (PTB's ChatFullInfo
  wants a dozen fields nobody here needs), and every method not listed above.
* MarkdownV2 / Markdown are accepted without any check; with no ``parse_mode`` the
  ``entities`` parameter is passed through as given.
* One stricter rule than Telegram: a bare ``&`` that does not start an entity is rejected.
  Telegram itself keeps it as a literal "&", but its documentation requires ``&amp;``, and an
  unescaped ``&`` means unescaped user text, whose next ``<`` Telegram does reject
  (``server.strict_ampersand = False`` gives Telegram's leniency). The
  descriptions of the fake's own checks (bare "&", tg-emoji and tg-time attributes) are
  worded by the fake; the others follow Telegram's wording.
* Length is counted in code points; Telegram's server-side counting may differ at the edges
  for astral characters.
* Flood limits are off unless ``flood`` is set (``FloodLimits()`` has Telegram's numbers);
  only ``sendMessage`` and ``editMessageText`` count toward them. Telegram's real limits are
  undocumented and fuzzier than a sliding window.
* Message ids are counted per chat, update ids from 1000; ``date`` is ``int(wall_clock())``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import re
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Self

from aiohttp import web

DEFAULT_TOKEN = "123456789:FAKE-telegram-token_for-tests"
MAX_MESSAGE_LENGTH = 4096

ChatId = int | str
JSON = dict[str, Any]


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class SentMessage:
    """One message the bot sent with ``sendMessage``."""

    chat_id: ChatId
    message_id: int
    text: str  # as the bot sent it, markup included
    plain_text: str  # as Telegram shows it: tags gone, entities decoded, outer whitespace trimmed
    entities: list[JSON]
    parse_mode: str | None
    message_thread_id: int | None
    reply_markup: JSON | None
    link_preview_options: JSON | None
    disable_web_page_preview: bool | None
    reply_parameters: JSON | None
    disable_notification: bool | None
    params: dict[str, str]  # every parameter as received
    at: float  # server.clock() when it was accepted


@dataclass(frozen=True)
class EditedMessage:
    """One accepted ``editMessageText``."""

    chat_id: ChatId | None
    message_id: int | None
    inline_message_id: str | None
    text: str
    plain_text: str
    entities: list[JSON]
    parse_mode: str | None
    reply_markup: JSON | None
    params: dict[str, str]
    at: float


@dataclass(frozen=True)
class CallbackAnswer:
    """One ``answerCallbackQuery``."""

    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int | None


@dataclass(frozen=True)
class Call:
    """Any request that reached a method, whatever it was answered."""

    method: str
    params: dict[str, str]
    at: float


@dataclass
class FloodLimits:
    """Telegram-like flood control; ``None`` switches a limit off. Defaults are Telegram's numbers."""

    per_second: int | None = 30
    per_chat_per_second: int | None = None  # Telegram: about 1 a second per chat, not enforced strictly
    per_group_per_minute: int | None = 20


@dataclass
class _Fault:
    status: int
    description: str
    parameters: JSON | None = None
    method: str | None = None  # canonical method name, None = any
    chat_id: ChatId | None = None  # None = any request
    thread_id: int | None = None
    remaining: int | None = None  # None = for ever

    def matches(self, method: str, chat_id: ChatId | None, thread_id: int | None) -> bool:
        if self.method is not None and self.method != method:
            return False
        if self.chat_id is not None and self.chat_id != chat_id:
            return False
        return self.thread_id is None or self.thread_id == thread_id


class ApiError(Exception):
    """An answer ``{"ok": false, ...}`` with this HTTP status."""

    def __init__(self, status: int, description: str, parameters: JSON | None = None):
        super().__init__(description)
        self.status, self.description, self.parameters = status, description, parameters


_REASONS = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def _too_many(retry_after: int) -> ApiError:
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})


# --------------------------------------------------------------------------- HTML


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


_TAG_ENTITY = {
    "b": "bold", "strong": "bold",
    "i": "italic", "em": "italic",
    "u": "underline", "ins": "underline",
    "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "span": "spoiler", "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
    "tg-time": "date_time",
}
_ENTITY_RE = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,8}));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ATTR_RE = re.compile(r"""\s*([^\s=>/"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?""")
_TIME_FORMAT_RE = re.compile(r"r|w?[dD]?[tT]?")


class HtmlError(ValueError):
    pass


def _decode_entity(text: str, i: int) -> tuple[str, int] | None:
    m = _ENTITY_RE.match(text, i)
    if not m:
        return None
    named, dec, hexa = m.groups()
    if named:
        return _NAMED[named], m.end()
    code = int(dec) if dec else int(hexa, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), m.end()


def _unescape_attr(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        decoded = _decode_entity(value, i) if value[i] == "&" else None
        if decoded:
            out.append(decoded[0])
            i = decoded[1]
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


@dataclass
class _Open:
    tag: str
    attrs: dict[str, str]
    offset: int  # UTF-16 offset in the plain text


def _entity_for(opened: _Open, length: int, inner_text: str) -> JSON:
    kind = _TAG_ENTITY[opened.tag]
    entity: JSON = {"type": kind, "offset": opened.offset, "length": length}
    if kind == "text_link":
        entity["url"] = opened.attrs.get("href") or inner_text
    elif kind == "code" and "language" in opened.attrs:
        entity["language"] = opened.attrs["language"]  # kept only if a <pre> wraps it exactly
    elif kind == "custom_emoji":
        entity["custom_emoji_id"] = opened.attrs["emoji-id"]
    elif kind == "date_time":
        entity["unix_time"] = int(opened.attrs["unix"])
        if opened.attrs.get("format"):
            entity["date_time_format"] = opened.attrs["format"]
    elif kind == "blockquote" and "expandable" in opened.attrs:
        entity["type"] = "expandable_blockquote"
    return entity


def _check_start_tag(tag: str, attrs: dict[str, str], at: int) -> None:
    if tag == "span" and attrs.get("class") != "tg-spoiler":
        raise HtmlError(f'Tag "span" must have class "tg-spoiler" at byte offset {at}')
    if tag == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
        raise HtmlError(f'Tag "tg-emoji" must have a numeric "emoji-id" attribute at byte offset {at}')
    if tag == "tg-time":
        if not re.fullmatch(r"-?[0-9]+", attrs.get("unix", "")):
            raise HtmlError(f'Tag "tg-time" must have an integer "unix" attribute at byte offset {at}')
        if not _TIME_FORMAT_RE.fullmatch(attrs.get("format", "")):
            raise HtmlError(f'Invalid "format" attribute of tag "tg-time" at byte offset {at}')


def parse_html(text: str) -> tuple[str, list[JSON]]:
    """Telegram's HTML parse mode: the plain text and its entities, or HtmlError saying why not."""
    out: list[str] = []
    utf16 = 0
    stack: list[_Open] = []
    entities: list[JSON] = []
    plain_at: list[int] = []  # index into out where each open tag began
    i, n = 0, len(text)

    def byte_at(pos: int) -> int:
        return len(text[:pos].encode())

    while i < n:
        ch = text[i]
        if ch == "&":
            decoded = _decode_entity(text, i)
            if decoded is None:
                raise HtmlError(f'Bare "&" at byte offset {byte_at(i)} must be written as "&amp;"')
            out.append(decoded[0])
            utf16 += utf16_len(decoded[0])
            i = decoded[1]
            continue
        if ch != "<":
            out.append(ch)
            utf16 += utf16_len(ch)
            i += 1
            continue
        close = text.find(">", i)
        if text.startswith("</", i):
            if close < 0:
                raise HtmlError(f"Unclosed end tag at byte offset {byte_at(i)}")
            name = text[i + 2 : close].strip().lower()
            if not stack:
                raise HtmlError(f"Unexpected end tag at byte offset {byte_at(i)}")
            if name and name != stack[-1].tag:
                raise HtmlError(
                    f'Unmatched end tag at byte offset {byte_at(i)}, expected "</{stack[-1].tag}>", found "</{name}>"'
                )
            opened = stack.pop()
            start = plain_at.pop()
            length = utf16 - opened.offset
            if length > 0:
                _merge_pre_code(entities, _entity_for(opened, length, "".join(out[start:])))
            i = close + 1
            continue
        m = re.compile(r"[^\s>]*").match(text, i + 1)
        name = m.group(0).lower() if m else ""
        if close < 0:
            raise HtmlError(f"Unclosed start tag at byte offset {byte_at(i)}")
        if name not in _TAG_ENTITY:
            raise HtmlError(f'Unsupported start tag "{name}" at byte offset {byte_at(i)}')
        attrs: dict[str, str] = {}
        for am in _ATTR_RE.finditer(text[i + 1 + len(name) : close]):
            raw = next((v for v in am.groups()[1:] if v is not None), "")
            attrs[am.group(1).lower()] = _unescape_attr(raw)
        if name == "code" and attrs.get("class", "").startswith("language-"):
            attrs["language"] = attrs["class"].removeprefix("language-")
        _check_start_tag(name, attrs, byte_at(i))
        stack.append(_Open(name, attrs, utf16))
        plain_at.append(len(out))
        i = close + 1
    if stack:
        raise HtmlError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)
    return _trim("".join(out), sorted(entities, key=lambda e: (e["offset"], -e["length"])))


def _merge_pre_code(entities: list[JSON], entity: JSON) -> None:
    """``<pre><code class="language-x">`` is one pre entity with a language, as on Telegram."""
    last = entities[-1] if entities else None
    if (
        entity["type"] == "pre"
        and last is not None
        and last["type"] == "code"
        and (last["offset"], last["length"]) == (entity["offset"], entity["length"])
    ):
        code = entities.pop()
        if "language" in code:
            entity["language"] = code["language"]
    entities.append(entity)


def _trim(plain: str, entities: list[JSON]) -> tuple[str, list[JSON]]:
    """Telegram trims outer whitespace; entities are shifted and clipped to what is left."""
    stripped = plain.strip()
    if not stripped:
        return "", []
    shift = utf16_len(plain[: len(plain) - len(plain.lstrip())])
    end = utf16_len(stripped)
    kept = []
    for e in entities:
        start, stop = max(e["offset"] - shift, 0), min(e["offset"] + e["length"] - shift, end)
        if stop > start:
            kept.append({**e, "offset": start, "length": stop - start})
    return stripped, kept


# --------------------------------------------------------------------------- parameters


def _int(params: dict[str, str], name: str, required: bool = False) -> int | None:
    raw = params.get(name)
    if raw is None or raw == "":
        if required:
            raise ApiError(400, f"Bad Request: {name} is empty")
        return None
    try:
        return int(raw)
    except ValueError:
        raise ApiError(400, f"Bad Request: invalid {name} specified") from None


def _float(params: dict[str, str], name: str, default: float) -> float:
    raw = params.get(name)
    try:
        return float(raw) if raw not in (None, "") else default
    except ValueError:
        raise ApiError(400, f"Bad Request: invalid {name} specified") from None


def _json(params: dict[str, str], name: str) -> Any:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise ApiError(400, f"Bad Request: can't parse {name} JSON object") from None


def _bool(params: dict[str, str], name: str) -> bool | None:
    raw = params.get(name)
    if raw is None:
        return None
    return raw.strip().lower() in ("true", "1")


def _chat_id(params: dict[str, str], required: bool = True) -> ChatId | None:
    raw = params.get("chat_id")
    if raw is None or raw == "":
        if required:
            raise ApiError(400, "Bad Request: chat_id is empty")
        return None
    return int(raw) if re.fullmatch(r"-?[0-9]+", raw) else raw


def _as_chat_id(value: ChatId) -> ChatId:
    return int(value) if isinstance(value, str) and re.fullmatch(r"-?[0-9]+", value) else value


async def _read_params(request: web.Request) -> dict[str, str]:
    params = {k: v for k, v in request.query.items()}
    if request.content_type == "application/json":
        body = await request.json() if request.can_read_body else {}
        for key, value in (body or {}).items():
            params[key] = value if isinstance(value, str) else json.dumps(value)
    elif request.can_read_body:
        form = await request.post()
        for key, value in form.items():
            params[key] = value if isinstance(value, str) else f"<file {getattr(value, 'filename', '')}>"
    return params


# --------------------------------------------------------------------------- the server


_CANONICAL = [
    "getMe", "getUpdates", "sendMessage", "editMessageText", "deleteMessage", "sendChatAction",
    "setMyCommands", "getMyCommands", "deleteMyCommands", "getChatMember", "getChatAdministrators",
    "answerCallbackQuery", "setWebhook", "deleteWebhook", "getWebhookInfo", "close", "logOut",
]
_FLOOD_METHODS = {"sendMessage", "editMessageText"}


class FakeTelegram:
    """The fake server. Use ``async with FakeTelegram() as server:``; see the module docstring."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "dramabot_test_bot",
        bot_first_name: str = "Drama Bot",
    ):
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        # switches
        self.latency: float = 0.0
        self.method_latency: dict[str, float] = {}
        self.flood: FloodLimits | None = None
        self.strict_ampersand = True
        self.clock: Callable[[], float] = time.monotonic  # flood windows and record times
        self.wall_clock: Callable[[], float] = time.time  # "date" fields
        # records
        self.sent: list[SentMessage] = []
        self.edits: list[EditedMessage] = []
        self.callback_answers: list[CallbackAnswer] = []
        self.calls: list[Call] = []
        self.requests: Counter[str] = Counter()  # by method, every request that named a method
        self.statuses: Counter[int] = Counter()  # by HTTP status answered
        self.count_429 = 0
        self.errors: list[tuple[str, int, str]] = []  # (method or path, status, description) of each error answer
        self.commands: dict[tuple[tuple[Any, ...], str], list[JSON]] = {}
        self.webhook_url = ""
        self.chat_actions: list[tuple[ChatId, str]] = []
        # state
        self._roles: dict[tuple[ChatId, int], str] = {}
        self._faults: list[_Fault] = []
        self._hanging: set[ChatId] = set()
        self._updates: deque[JSON] = deque()
        self._update_ids = itertools.count(1000)
        self._callback_ids = itertools.count(1)
        self._open_callbacks: set[str] = set()
        self._message_ids: dict[ChatId, itertools.count[int]] = {}
        self._messages: dict[tuple[ChatId, int], JSON] = {}
        self._chats: dict[ChatId, JSON] = {}
        self._users: dict[int, JSON] = {}
        self._flood_log: deque[tuple[float, ChatId]] = deque()
        self._poll_generation = 0
        self._wakeup = asyncio.Event()
        self._closing = asyncio.Event()
        self._changed: asyncio.Condition | None = None
        self._runner: web.AppRunner | None = None
        self.port: int | None = None
        self._methods: dict[str, Callable[[dict[str, str]], Any]] = {
            name.lower(): getattr(self, "_m_" + re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower())
            for name in _CANONICAL
        }

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> Self:
        self._changed = asyncio.Condition()
        self._closing = asyncio.Event()
        self._wakeup = asyncio.Event()
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        self._closing.set()
        self._wake_pollers()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """For ``Bot(base_url=...)`` / ``ApplicationBuilder().base_url(...)``: PTB appends the token."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    # ------------------------------------------------------------------ switches

    def fail_next(
        self,
        count: int = 1,
        *,
        status: int = 502,
        method: str | None = None,
        chat_id: ChatId | None = None,
        description: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        """The next ``count`` requests (of ``method`` / naming ``chat_id``, if given) answer ``status``.

        With polling running, name a method or a chat: getUpdates would take the faults otherwise.
        ``status=429`` answers Telegram's flood error with ``retry_after`` (default 1).
        """
        if method is not None and self._canonical(method) is None:
            raise ValueError(f"the fake does not implement {method!r}")
        parameters = None
        if status == 429:
            retry_after = 1 if retry_after is None else retry_after
            error = _too_many(retry_after)
            description, parameters = description or error.description, error.parameters
        description = description or _REASONS.get(status, f"Error {status}")
        self._faults.append(
            _Fault(status, description, parameters, self._canonical(method), self._chat(chat_id), remaining=count)
        )

    def block(self, chat_id: ChatId, description: str = "Forbidden: bot was blocked by the user") -> None:
        """Every request naming this chat answers 403 (also use for "bot was kicked from the group chat")."""
        self._faults.append(_Fault(403, description, chat_id=self._chat(chat_id)))

    def migrate(self, chat_id: ChatId, new_chat_id: int) -> None:
        """The group became a supergroup: requests naming the old id answer 400 with migrate_to_chat_id."""
        self._faults.append(
            _Fault(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": new_chat_id},
                chat_id=self._chat(chat_id),
            )
        )

    def missing_thread(self, chat_id: ChatId, message_thread_id: int) -> None:
        """Requests to this forum topic answer 400 "message thread not found" (deleted topic)."""
        self._faults.append(
            _Fault(400, "Bad Request: message thread not found", chat_id=self._chat(chat_id), thread_id=message_thread_id)
        )

    def hang(self, chat_id: ChatId) -> None:
        """Requests naming this chat never get an answer; their connection drops when the server stops."""
        self._hanging.add(self._chat(chat_id))

    def clear_faults(self) -> None:
        self._faults.clear()
        self._hanging.clear()

    def set_role(self, chat_id: ChatId, user_id: int, status: str) -> None:
        """getChatMember's status for (chat, user): creator, administrator, member, restricted, left or kicked."""
        if status not in ("creator", "administrator", "member", "restricted", "left", "kicked"):
            raise ValueError(f"unknown chat member status {status!r}")
        self._roles[(self._chat(chat_id), user_id)] = status

    # ------------------------------------------------------------------ updates the test pushes

    def push_update(self, update: JSON) -> JSON:
        """Queue a raw update (anything PTB's Update.de_json reads); its update_id is filled in."""
        update = {"update_id": next(self._update_ids), **update}
        self._updates.append(update)
        self._wake_pollers()
        return update

    def push_message(
        self,
        chat_id: ChatId,
        user_id: int,
        text: str,
        chat_type: str = "private",
        message_thread_id: int | None = None,
        is_topic_message: bool = False,
        *,
        first_name: str | None = None,
        username: str | None = None,
        title: str | None = None,
        reply_to_message_id: int | None = None,
    ) -> JSON:
        """A user writes ``text`` in a chat; returns the update. "/cmd ..." gets a bot_command entity."""
        if chat_type not in ("private", "group", "supergroup"):
            raise ValueError(f"unknown chat type {chat_type!r}")
        user = self._user(user_id, first_name, username)
        chat = self._remember_chat(chat_id, chat_type, user, title, forum=is_topic_message)
        message: JSON = {
            "message_id": self._next_message_id(chat["id"]),
            "from": user,
            "chat": chat,
            "date": int(self.wall_clock()),
            "text": text,
        }
        if text.startswith("/"):
            command = re.match(r"\S+", text)
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_len(command.group(0))}]  # type: ignore[union-attr]
        if message_thread_id is not None:
            message["message_thread_id"] = message_thread_id
        if is_topic_message:
            message["is_topic_message"] = True
        if reply_to_message_id is not None:
            replied = self._messages.get((chat["id"], reply_to_message_id))
            message["reply_to_message"] = replied or {
                "message_id": reply_to_message_id, "chat": chat, "date": message["date"]
            }
        self._messages[(chat["id"], message["message_id"])] = message
        return self.push_update({"message": message})

    def push_callback_query(
        self,
        chat_id: ChatId,
        user_id: int,
        data: str,
        message_id: int | None = None,
        chat_type: str = "private",
        *,
        first_name: str | None = None,
        username: str | None = None,
    ) -> str:
        """A user presses an inline button with ``data`` under message ``message_id``; returns the query id."""
        user = self._user(user_id, first_name, username)
        chat = self._remember_chat(chat_id, chat_type, user, None)
        message = self._messages.get((chat["id"], message_id)) if message_id is not None else None
        if message is None:
            message = {
                "message_id": message_id if message_id is not None else self._next_message_id(chat["id"]),
                "from": self._bot_user(),
                "chat": chat,
                "date": int(self.wall_clock()),
                "text": "",
            }
        query_id = str(next(self._callback_ids))
        self._open_callbacks.add(query_id)
        self.push_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": user,
                    "message": message,
                    "chat_instance": f"ci{chat['id']}",
                    "data": data,
                }
            }
        )
        return query_id

    @property
    def pending_updates(self) -> list[JSON]:
        """Updates not yet confirmed by a getUpdates offset."""
        return list(self._updates)

    # ------------------------------------------------------------------ reading what happened

    def sent_to(self, chat_id: ChatId) -> list[SentMessage]:
        chat = self._chat(chat_id)
        return [m for m in self.sent if m.chat_id == chat]

    def commands_for(self, scope: JSON | str | None = None, language_code: str = "") -> list[tuple[str, str]]:
        """The (command, description) pairs set for a scope: a BotCommandScope dict, a type name, or default."""
        key = (self._scope_key(scope), language_code)
        return [(c["command"], c["description"]) for c in self.commands.get(key, [])]

    async def wait_until(self, predicate: Callable[[], bool], timeout: float = 2.0, what: str = "condition") -> None:
        assert self._changed is not None, "start the server first"
        try:
            async with self._changed:
                await asyncio.wait_for(self._changed.wait_for(predicate), timeout)
        except TimeoutError:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}") from None

    async def wait_sent(self, count: int, timeout: float = 2.0, chat_id: ChatId | None = None) -> list[SentMessage]:
        """Wait until at least ``count`` messages were sent (to ``chat_id``, if given); returns them."""
        def chosen() -> list[SentMessage]:
            return self.sent if chat_id is None else self.sent_to(chat_id)

        await self.wait_until(
            lambda: len(chosen()) >= count, timeout, f"{count} sent messages (have {len(chosen())}: {chosen()!r})"
        )
        return chosen()

    async def wait_requests(self, method: str, count: int = 1, timeout: float = 2.0) -> None:
        """Wait until ``method`` was requested at least ``count`` times."""
        name = self._canonical(method) or method
        await self.wait_until(lambda: self.requests[name] >= count, timeout, f"{count} {name} requests")

    # ------------------------------------------------------------------ HTTP

    async def _not_found(self, request: web.Request) -> web.Response:
        return self._answer_error(ApiError(404, "Not Found: method not found"), request.path)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return self._answer_error(ApiError(401, "Unauthorized"), request.match_info["method"])
        method = self._canonical(request.match_info["method"])
        if method is None:
            return self._answer_error(ApiError(404, "Not Found: method not found"), request.match_info["method"])
        params = await _read_params(request)
        self.calls.append(Call(method, params, self.clock()))
        self.requests[method] += 1
        await self._notify()
        delay = self.method_latency.get(method, self.latency)
        if delay > 0:
            await asyncio.sleep(delay)
        chat = _chat_id(params, required=False) if "chat_id" in params else None
        if chat is not None and chat in self._hanging:
            await self._closing.wait()
            if request.transport is not None:
                request.transport.close()
            raise ConnectionResetError("the fake Telegram server stopped while this request hung")
        try:
            self._apply_faults(method, chat, _int(params, "message_thread_id"))
            if method in _FLOOD_METHODS:
                self._check_flood(chat)
            result = self._methods[method.lower()](params)
            if asyncio.iscoroutine(result):
                result = await result
        except ApiError as error:
            return self._answer_error(error, method)
        self.statuses[200] += 1
        await self._notify()
        return web.json_response({"ok": True, "result": result})

    def _answer_error(self, error: ApiError, method: str) -> web.Response:
        self.statuses[error.status] += 1
        self.errors.append((method, error.status, error.description))
        if error.status == 429:
            self.count_429 += 1
        body: JSON = {"ok": False, "error_code": error.status, "description": error.description}
        if error.parameters:
            body["parameters"] = error.parameters
        return web.json_response(body, status=error.status)

    async def _notify(self) -> None:
        if self._changed is not None:
            async with self._changed:
                self._changed.notify_all()

    def _apply_faults(self, method: str, chat: ChatId | None, thread_id: int | None) -> None:
        for fault in self._faults:
            if not fault.matches(method, chat, thread_id):
                continue
            if fault.remaining is not None:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
            raise ApiError(fault.status, fault.description, fault.parameters)

    def _check_flood(self, chat: ChatId | None) -> None:
        limits, now = self.flood, self.clock()
        if limits is None:
            return
        log = self._flood_log
        while log and log[0][0] <= now - 60:
            log.popleft()
        waits = []

        def over(entries: list[float], limit: int | None, window: float) -> None:
            if limit is not None and len(entries) >= limit:
                waits.append(entries[-limit] + window - now)

        over([t for t, _ in log if t > now - 1], limits.per_second, 1)
        if chat is not None:
            over([t for t, c in log if c == chat and t > now - 1], limits.per_chat_per_second, 1)
            if isinstance(chat, int) and chat < 0:
                over([t for t, c in log if c == chat], limits.per_group_per_minute, 60)
        if waits:
            raise _too_many(max(1, math.ceil(max(waits))))
        log.append((now, chat if chat is not None else ""))

    def _wake_pollers(self) -> None:
        self._wakeup.set()
        self._wakeup = asyncio.Event()

    # ------------------------------------------------------------------ helpers

    @staticmethod
    def _canonical(method: str | None) -> str | None:
        if method is None:
            return None
        return next((name for name in _CANONICAL if name.lower() == method.lower()), None)

    @staticmethod
    def _chat(chat_id: ChatId | None) -> Any:
        return None if chat_id is None else _as_chat_id(chat_id)

    def _bot_user(self) -> JSON:
        return {"id": self.bot_id, "is_bot": True, "first_name": self.bot_first_name, "username": self.bot_username}

    def set_language(self, user_id: int, language_code: str) -> None:
        """The language the user's Telegram app is set to (sent as `from.language_code`; default "en")."""
        self._user(user_id, None, None)
        self._users[user_id]["language_code"] = language_code

    def _user(self, user_id: int, first_name: str | None, username: str | None) -> JSON:
        user = self._users.get(user_id) or {
            "id": user_id, "is_bot": False, "first_name": f"User{user_id}", "language_code": "en"
        }
        if first_name:
            user["first_name"] = first_name
        if username:
            user["username"] = username
        self._users[user_id] = user
        return dict(user)

    def _remember_chat(self, chat_id: ChatId, chat_type: str, user: JSON, title: str | None, forum: bool = False) -> JSON:
        chat_id = _as_chat_id(chat_id)
        chat: JSON = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = user["first_name"]
            if "username" in user:
                chat["username"] = user["username"]
        else:
            chat["title"] = title or self._chats.get(chat_id, {}).get("title") or f"Chat {chat_id}"
            if forum or self._chats.get(chat_id, {}).get("is_forum"):
                chat["is_forum"] = True
        self._chats[chat_id] = chat
        return dict(chat)

    def _chat_object(self, chat_id: ChatId) -> JSON:
        if chat_id in self._chats:
            return dict(self._chats[chat_id])
        if isinstance(chat_id, str):
            return {"id": -1000000000000 - len(chat_id), "type": "channel", "title": chat_id, "username": chat_id.lstrip("@")}
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": f"User{chat_id}"}
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        return {"id": chat_id, "type": kind, "title": f"Chat {chat_id}"}

    def _next_message_id(self, chat_id: ChatId) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def _parse_text(self, params: dict[str, str]) -> tuple[str, str, list[JSON], str | None]:
        text = params.get("text", "")
        parse_mode = params.get("parse_mode") or None
        mode = (parse_mode or "").lower()
        if mode == "html":
            try:
                plain, entities = parse_html(text if self.strict_ampersand else _escape_bare_ampersands(text))
            except HtmlError as error:
                raise ApiError(400, f"Bad Request: can't parse entities: {error}") from None
        elif mode in ("", "markdown", "markdownv2"):
            plain, entities = text.strip(), (_json(params, "entities") or [])
        else:
            raise ApiError(400, "Bad Request: unsupported parse_mode")
        if not plain:
            raise ApiError(400, "Bad Request: message text is empty")
        if len(plain) > MAX_MESSAGE_LENGTH:
            raise ApiError(400, "Bad Request: message is too long")
        return text, plain, entities, parse_mode

    # ------------------------------------------------------------------ methods

    def _m_get_me(self, params: dict[str, str]) -> JSON:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _m_get_updates(self, params: dict[str, str]) -> list[JSON]:
        if self.webhook_url:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first")
        offset = _int(params, "offset") or 0
        limit = min(max(_int(params, "limit") or 100, 1), 100)
        timeout = max(_float(params, "timeout", 0.0), 0.0)
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake_pollers()  # an older waiting getUpdates ends with 409
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if generation != self._poll_generation:
                raise ApiError(409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running")
            if offset > 0:
                while self._updates and self._updates[0]["update_id"] < offset:
                    self._updates.popleft()
            elif offset < 0:
                while len(self._updates) > -offset:
                    self._updates.popleft()
            ready = list(itertools.islice(self._updates, limit))
            remaining = deadline - loop.time()
            if ready or remaining <= 0 or self._closing.is_set():
                return ready
            wakeup = self._wakeup
            try:
                await asyncio.wait_for(wakeup.wait(), remaining)
            except TimeoutError:
                pass

    def _m_send_message(self, params: dict[str, str]) -> JSON:
        chat_id = _chat_id(params)
        text, plain, entities, parse_mode = self._parse_text(params)
        thread, markup = _int(params, "message_thread_id"), _json(params, "reply_markup")
        chat = self._chat_object(chat_id)
        message: JSON = {
            "message_id": self._next_message_id(chat_id),
            "from": self._bot_user(),
            "chat": chat,
            "date": int(self.wall_clock()),
            "text": plain,
        }
        if entities:
            message["entities"] = entities
        if thread is not None and chat["type"] == "supergroup":
            message["message_thread_id"] = thread
            message["is_topic_message"] = True
        if markup and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        self._messages[(chat_id, message["message_id"])] = message
        self.sent.append(
            SentMessage(
                chat_id=chat_id,
                message_id=message["message_id"],
                text=text,
                plain_text=plain,
                entities=entities,
                parse_mode=parse_mode,
                message_thread_id=thread,
                reply_markup=markup,
                link_preview_options=_json(params, "link_preview_options"),
                disable_web_page_preview=_bool(params, "disable_web_page_preview"),
                reply_parameters=_json(params, "reply_parameters"),
                disable_notification=_bool(params, "disable_notification"),
                params=params,
                at=self.clock(),
            )
        )
        return message

    def _m_edit_message_text(self, params: dict[str, str]) -> JSON | bool:
        inline_id = params.get("inline_message_id") or None
        chat_id = None if inline_id else _chat_id(params)
        message_id = None if inline_id else _int(params, "message_id", required=True)
        text, plain, entities, parse_mode = self._parse_text(params)
        markup = _json(params, "reply_markup")
        edited: JSON | bool = True
        if not inline_id:
            message = self._messages.get((chat_id, message_id))  # type: ignore[arg-type]
            if message is None:
                raise ApiError(400, "Bad Request: message to edit not found")
            if message.get("from", {}).get("id") != self.bot_id:
                raise ApiError(400, "Bad Request: message can't be edited")
            if (message["text"], message.get("entities", []), message.get("reply_markup")) == (plain, entities, markup):
                raise ApiError(
                    400,
                    "Bad Request: message is not modified: specified new message content and reply markup "
                    "are exactly the same as a current content and reply markup of the message",
                )
            message.update(text=plain, edit_date=int(self.wall_clock()))
            message.pop("entities", None)
            message.pop("reply_markup", None)
            if entities:
                message["entities"] = entities
            if markup and "inline_keyboard" in markup:
                message["reply_markup"] = markup
            edited = dict(message)
        self.edits.append(
            EditedMessage(chat_id, message_id, inline_id, text, plain, entities, parse_mode, markup, params, self.clock())
        )
        return edited

    def _m_delete_message(self, params: dict[str, str]) -> bool:
        chat_id, message_id = _chat_id(params), _int(params, "message_id", required=True)
        if self._messages.pop((chat_id, message_id), None) is None:  # type: ignore[arg-type]
            raise ApiError(400, "Bad Request: message to delete not found")
        return True

    def _m_send_chat_action(self, params: dict[str, str]) -> bool:
        self.chat_actions.append((_chat_id(params), params.get("action", "")))  # type: ignore[arg-type]
        return True

    @staticmethod
    def _scope_key(scope: JSON | str | None) -> tuple[Any, ...]:
        if scope is None:
            return ("default",)
        if isinstance(scope, str):
            return (scope,)
        key: tuple[Any, ...] = (scope.get("type", "default"),)
        if "chat_id" in scope:
            key += (_as_chat_id(scope["chat_id"]),)
        if "user_id" in scope:
            key += (int(scope["user_id"]),)
        return key

    def _commands_key(self, params: dict[str, str]) -> tuple[tuple[Any, ...], str]:
        return self._scope_key(_json(params, "scope")), params.get("language_code", "")

    def _m_set_my_commands(self, params: dict[str, str]) -> bool:
        commands = _json(params, "commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError(400, "Bad Request: commands must be an array of at most 100 BotCommand")
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[self._commands_key(params)] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    def _m_get_my_commands(self, params: dict[str, str]) -> list[JSON]:
        return list(self.commands.get(self._commands_key(params), []))

    def _m_delete_my_commands(self, params: dict[str, str]) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    def _member(self, chat_id: ChatId, user_id: int, status: str) -> JSON:
        user = dict(self._users.get(user_id) or {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"})
        if user_id == self.bot_id:
            user = self._bot_user()
        member: JSON = {"status": status, "user": user}
        if status == "creator":
            member["is_anonymous"] = False
        elif status == "administrator":
            member.update(
                {
                    "can_be_edited": False, "is_anonymous": False, "can_manage_chat": True,
                    "can_delete_messages": True, "can_manage_video_chats": True, "can_restrict_members": True,
                    "can_promote_members": False, "can_change_info": True, "can_invite_users": True,
                    "can_post_stories": False, "can_edit_stories": False, "can_delete_stories": False,
                }
            )
        elif status == "restricted":
            member.update(
                {
                    "is_member": True, "can_send_messages": False, "can_send_audios": False,
                    "can_send_documents": False, "can_send_photos": False, "can_send_videos": False,
                    "can_send_video_notes": False, "can_send_voice_notes": False, "can_send_polls": False,
                    "can_send_other_messages": False, "can_add_web_page_previews": False,
                    "can_change_info": False, "can_invite_users": False, "can_pin_messages": False,
                    "can_manage_topics": False, "until_date": 0,
                }
            )
        elif status == "kicked":
            member["until_date"] = 0
        return member

    def _m_get_chat_member(self, params: dict[str, str]) -> JSON:
        chat_id, user_id = _chat_id(params), _int(params, "user_id", required=True)
        return self._member(chat_id, user_id, self._roles.get((chat_id, user_id), "member"))  # type: ignore[arg-type]

    def _m_get_chat_administrators(self, params: dict[str, str]) -> list[JSON]:
        chat_id = _chat_id(params)
        return [
            self._member(chat, user, status)  # type: ignore[arg-type]
            for (chat, user), status in self._roles.items()
            if chat == chat_id and status in ("creator", "administrator")
        ]

    def _m_answer_callback_query(self, params: dict[str, str]) -> bool:
        query_id = params.get("callback_query_id", "")
        if query_id not in self._open_callbacks:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        self._open_callbacks.discard(query_id)
        self.callback_answers.append(
            CallbackAnswer(query_id, params.get("text"), bool(_bool(params, "show_alert")), params.get("url"), _int(params, "cache_time"))
        )
        return True

    def _m_set_webhook(self, params: dict[str, str]) -> bool:
        self.webhook_url = params.get("url", "")
        if _bool(params, "drop_pending_updates"):
            self._updates.clear()
        self._wake_pollers()
        return True

    def _m_delete_webhook(self, params: dict[str, str]) -> bool:
        self.webhook_url = ""
        if _bool(params, "drop_pending_updates"):
            self._updates.clear()
        return True

    def _m_get_webhook_info(self, params: dict[str, str]) -> JSON:
        return {"url": self.webhook_url, "has_custom_certificate": False, "pending_update_count": len(self._updates)}

    def _m_close(self, params: dict[str, str]) -> bool:
        return True

    def _m_log_out(self, params: dict[str, str]) -> bool:
        return True


def _escape_bare_ampersands(text: str) -> str:
    """Telegram's own leniency: a "&" that starts no entity is a literal "&"."""
    return re.sub(r"&(?!(?:lt|gt|amp|quot|#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,8});)", "&amp;", text)
