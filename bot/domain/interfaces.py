"""What the core and the outside world exchange: messages in and out, the adapter contract, clocks.

Adapters (Discord, Telegram, console, mock) are small objects composed with the core. The core
hands each one an `Inbox` when it starts listening; the adapter reports incoming messages to it
and gets back the `Reply` to deliver in its own platform's way (a Discord interaction response,
a Telegram message with buttons). The core's outbox calls `send` for reminders and news and reads
the outcome from what `send` raises. No platform object ever crosses this line.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, NamedTuple, Protocol, TypeVar, get_args, runtime_checkable

from .i18n import DEFAULT_LANGUAGE, Language
from .render import Message
from .sanitize import visible

Platform = Literal["telegram", "discord", "console"]
MessageKind = Literal["reply", "reminder", "news", "notice"]
KINDS: tuple[str, ...] = get_args(MessageKind)
PLATFORMS: tuple[str, ...] = get_args(Platform)

T = TypeVar("T")


class ChatRef(NamedTuple):
    """Where messages go: a chat on a platform, and optionally a topic or thread inside it.

    `key` is the chat's identity in the database: a subscription made inside a Telegram forum
    topic belongs to that topic, so "chat/thread" is its own audience with its own settings.
    (A named tuple: a fan-out makes one per recipient, and a frozen dataclass costs four times more.)
    """

    platform: Platform
    chat: str
    thread: str | None = None

    @property
    def key(self) -> str:
        return self.chat if self.thread is None else f"{self.chat}/{self.thread}"

    @classmethod
    def from_key(cls, platform: str, key: str) -> ChatRef:
        if "/" not in key:
            return cls(platform, key)  # type: ignore[arg-type]
        chat, _, thread = key.partition("/")
        return cls(platform, chat, thread)  # type: ignore[arg-type]

    def __str__(self) -> str:
        return f"{self.platform}:{self.key}"


async def _never_admin() -> bool:
    return False


@dataclass(frozen=True)
class IncomingMessage:
    """A user typing in a chat, as any platform reports it.

    `ask_admin` is the adapter's async check whether `user` administers `chat`; the core calls
    it only when an admin-only command runs (Telegram asks `getChatMember`, which costs a request).
    """

    chat: ChatRef
    user: str
    private: bool
    text: str
    ask_admin: Callable[[], Awaitable[bool]] = _never_admin
    bot_username: str | None = None  # the bot's own name here, when known: "/help@other_bot" is ignored
    reaches_chat: bool = True  # it came through `chat` itself, so a paused chat is reachable again
    language: str | None = None  # the writer's platform language: Telegram language_code, Discord locale

    @property
    def platform(self) -> Platform:
        return self.chat.platform


@dataclass(frozen=True)
class Choice:
    """One button of an ambiguous answer: a label, and the command it runs when picked."""

    label: str
    command: tuple[str, ...]  # command path: ("subscribe",) or ("channel", "subscribe")
    args: tuple[tuple[str, str], ...] = ()  # option name -> value

    def __post_init__(self) -> None:
        object.__setattr__(self, "label", visible(self.label))  # a button shows what a message would

    @property
    def arguments(self) -> dict[str, str]:
        return dict(self.args)


@dataclass(frozen=True)
class Reply:
    """The core's answer to one message, for the adapter to deliver in its platform's way.

    `personal` replies concern only the person who asked (Discord sends them ephemeral).
    `refused`: a command's check turned the sender away (`bot.commands.checks`); nothing changed.
    `language`: the reader's language the core wrote it in (an adapter's own note added to it follows).
    """

    body: Message
    choices: tuple[Choice, ...] = ()
    personal: bool = True
    refused: bool = False
    language: str | None = None


@dataclass(frozen=True)
class Outgoing:
    """A message for one chat: its kind and neutral body."""

    kind: MessageKind
    body: Message
    choices: tuple[Choice, ...] = ()
    mention: str | None = None  # whom a group's reminder notifies: the handle its admins chose (a Discord role id)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown message kind {self.kind!r}; one of {', '.join(KINDS)}")


@dataclass(frozen=True)
class Upcoming:
    """One upcoming episode, for a platform's own calendar (Discord scheduled events)."""

    key: str  # the episode's key: the same when the schedule moves it
    title: str
    episode: int
    network: str
    start: datetime
    end: datetime


# ---- what a send can come to ---------------------------------------------------------------------


class DeliveryError(Exception):
    """A send that failed for a passing reason (timeout, 5xx): retried with backoff.

    The subclasses say more: wait a given time, the chat cannot be reached, the chat moved.
    `retry_after` (seconds) asks for a wait before this chat is tried again.
    """

    def __init__(self, reason: str, *, retry_after: float | None = None):
        super().__init__(reason)
        self.retry_after = retry_after


class RateLimited(DeliveryError):
    """The platform refused for rate: wait `retry_after` seconds. `scope` "platform" pauses every
    send of this bot on the platform (Telegram and Discord limit per bot); "chat" only this chat."""

    def __init__(self, retry_after: float, *, scope: Literal["platform", "chat"] = "platform", reason: str = ""):
        super().__init__(reason or f"rate limited: retry after {retry_after:g} s", retry_after=retry_after)
        self.scope = scope


class Unreachable(DeliveryError):
    """This chat cannot be reached (bot blocked or kicked, DMs closed, chat or topic deleted):
    the chat is paused, its subscriptions kept, until it writes again."""


class ChatMoved(DeliveryError):
    """The chat has a new id (a Telegram group upgraded to a supergroup): everything moves there."""

    def __init__(self, new_chat: str, reason: str = ""):
        super().__init__(reason or f"the chat moved to {new_chat}")
        self.new_chat = new_chat


# ---- pacing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """At most `count` sends per `seconds` (a bucket that refills evenly, `count` deep)."""

    count: float
    seconds: float = 1.0

    def __post_init__(self) -> None:
        if self.count <= 0 or self.seconds <= 0:
            raise ValueError(f"a rate needs a positive count and period, got {self.count}/{self.seconds}s")

    @property
    def per_second(self) -> float:
        return self.count / self.seconds


@dataclass(frozen=True)
class Limits:
    """A platform's limits as its adapter declares them; the core's outbox keeps under them.

    None means no limit. Telegram: 30/s overall, 1/s per chat, 20/min per group; Discord: 50/s
    overall, 5 per 5 s per channel. `paid` is the overall rate a paid broadcast lifts it to
    (Telegram's `allow_paid_broadcast`), used only when the config turns it on.
    """

    overall: Rate | None = None
    per_chat: Rate | None = None
    per_group: Rate | None = None
    paid: Rate | None = None
    in_flight: int = 16  # sends awaiting the platform at once
    max_in_flight: int | None = None  # ...at most, when slow answers need more to keep the overall rate


# ---- the contract -------------------------------------------------------------------------------


class Inbox(Protocol):
    """What the core hands an adapter when it starts listening."""

    async def handle(self, msg: IncomingMessage) -> Reply | None:
        """Answer a typed line (None: stay quiet, e.g. chatter in a group)."""

    async def run(self, msg: IncomingMessage, command: tuple[str, ...], args: Mapping[str, str]) -> Reply:
        """Run a command given as a path and options (Discord slash commands, a tapped choice)."""

    async def send_reply(self, chat: ChatRef, send: Callable[[], Awaitable[T]]) -> T:
        """Run the adapter's own reply call under this platform's pace, ahead of reminders and news.
        Raises what `send` raised (an Unreachable chat is also paused)."""

    async def request_slot(self, platform: Platform) -> None:
        """Wait for one slot of the platform's pace for a request of the adapter's own that is not a
        message (the platform's one limiter counts it too)."""

    def names(self, lang: Language = DEFAULT_LANGUAGE) -> list[tuple[str, str]]:
        """Every name of a show or actor people may type (titles, aliases, Hangul, actors), each
        with the text that picks exactly its target in a command, in `lang`'s words ("배우: Jisoo"
        where a show and an actor share a name): for autocompletion. The same
        list object until a catalog change (an import, a reload) alters a name, a new one after,
        so an adapter can rebuild what it derives from it only when it is new."""

    async def upcoming(self, chat: ChatRef, days: int) -> list[Upcoming]:
        """The episodes of what `chat` follows airing in the next `days` days, in air order."""

    async def chats_with_events(self, platform: Platform) -> list[ChatRef]:
        """The chats of a platform whose admins asked for a calendar of their episodes."""


class Adapter(Protocol):
    platform: Platform
    limits: Limits

    async def connect(self) -> None:
        """Log in; from now on `send` works. Raise to abort start-up (the error names the platform)."""

    async def listen(self, inbox: Inbox) -> None:
        """Start receiving messages and report each to `inbox`."""

    async def stop(self) -> None:
        """Stop receiving and disconnect."""

    async def send(self, chat: ChatRef, message: Outgoing) -> None:
        """Render and send one message. Raise a DeliveryError subclass when it was not accepted."""


@runtime_checkable
class SoleReceiver(Protocol):
    """An adapter of which one connection bot-wide may receive (Telegram's getUpdates: a second
    poller ends the first with 409). With several processes, the one holding `receive:<platform>`
    receives: `defer_receiving` before `listen` makes `listen` start all but the receiving, which
    `start_receiving` / `stop_receiving` then turn on and off."""

    def receives_alone(self) -> bool:
        """True when receiving is sole (long polling); False when any process may receive (a webhook)."""

    def defer_receiving(self) -> None: ...

    async def start_receiving(self, may_poll: Callable[[], bool]) -> None:
        """Receive; each request to the platform only while `may_poll()` (the role is still held)."""

    async def stop_receiving(self) -> None: ...


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, aware, in UTC."""


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class VirtualClock:
    """A clock that only moves when told to: the simulator's and the tests' time."""

    def __init__(self, start: datetime):
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def set(self, instant: datetime) -> None:
        instant = instant.astimezone(UTC)
        if instant < self._now:
            raise ValueError(f"the clock cannot go back from {self._now.isoformat()} to {instant.isoformat()}")
        self._now = instant
