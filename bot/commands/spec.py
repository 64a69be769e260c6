"""Commands as data: a `Command` names its arguments, help, checks and handler; the `Context` a
handler is given carries the message and the narrow services it may use (`ports`), never the core.

The checks are data too: `admin_only` (a chat's admins, and the bot's owners) and `owner_only`
(the bot's owners). `run.refusal` evaluates them, and nothing else does.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

from ..domain.i18n import DEFAULT_LANGUAGE, Language, catalogue
from ..domain.interfaces import ChatRef, IncomingMessage, Reply
from ..domain.render import Message
from .ports import Access, Calendars, Chats, FeedsAdmin, Lookup, Settings

OPTION_KEY = re.compile(r"[a-z0-9_-]{1,32}")
SCHEDULE_DAYS = 7

Check = Literal["admin", "owner"]
ADMIN: Check = "admin"
OWNER: Check = "owner"


@dataclass(frozen=True)
class Argument:
    key: str  # the option's name on every platform: lowercase, no spaces, at most 32 characters (Discord)
    label: str  # what people call it in usage lines: "show or actor"
    required: bool = True
    many: bool = False  # several words (leads) rather than one free-text value
    choices: tuple[str, ...] = ()  # the only values it takes, when it is one of a few words
    role: bool = False  # a platform handle for a group of members (Discord: a role picker)
    text_id: str = ""  # its description's message id in the catalogues; empty: "arg-<key>"

    def description(self, lang: Language) -> str:
        return catalogue().text(lang, self.text_id or f"arg-{self.key}")

    def __post_init__(self) -> None:
        if not OPTION_KEY.fullmatch(self.key):
            raise ValueError(f"argument key {self.key!r} is not a valid option name")


@dataclass(frozen=True, kw_only=True)
class Context:
    """One command being run: the message, the path and options, the instant, the spec found for
    the path, the registry's commands (for /help), and the services a handler may use."""

    msg: IncomingMessage
    path: tuple[str, ...]
    args: Mapping[str, str]
    now: datetime
    command: Command | None
    commands: tuple[Command, ...]
    chats: Chats
    lookup: Lookup
    feeds: FeedsAdmin
    access: Access
    settings: Settings
    calendars: Calendars
    lang: Language = DEFAULT_LANGUAGE  # what this chat reads: bot.domain.i18n.choose

    def say(self, msg_id: str, **args: object) -> Message:
        """A reply from the catalogue in this chat's language."""
        return catalogue().message(self.lang, msg_id, **args)

    def msg_text(self, msg_id: str, **args: object) -> str:
        """A piece of a reply from the catalogue, as plain text, in this chat's language."""
        return catalogue().text(self.lang, msg_id, **args)

    @property
    def chat(self) -> ChatRef:
        return self.msg.chat

    @property
    def text(self) -> str:
        """The command's first argument (`/feeds add` alone takes two: read `args` there)."""
        return next(iter(self.args.values()), "") if self.args else ""


Handler = Callable[[Context], Awaitable["Message | Reply"]]


@dataclass(frozen=True)
class Command:
    name: str  # its description is the catalogues' message `text_id` ("cmd-<name>")
    handler: Handler | None = None
    args: tuple[Argument, ...] = ()
    admin_only: bool = False
    owner_only: bool = False  # bot owners only (the config's `owners`): it changes what is global
    subcommands: tuple[Command, ...] = field(default=())
    aliases: tuple[str, ...] = ()
    hidden: bool = False  # answered but not advertised (Telegram's /start)
    platforms: tuple[str, ...] = ()  # where it exists; empty: everywhere

    @property
    def checks(self) -> tuple[Check, ...]:
        """Who may run it, as `run.refusal` checks it."""
        return ((OWNER,) if self.owner_only else ()) + ((ADMIN,) if self.admin_only else ())

    def available_on(self, platform: str) -> bool:
        return not self.platforms or platform in self.platforms

    def text_id(self, parent: str = "") -> str:
        """Its description's message id in the catalogues: "cmd-subscribe", "cmd-channel-ping"."""
        return f"cmd-{parent}-{self.name}" if parent else f"cmd-{self.name}"

    def description(self, lang: Language, parent: str = "") -> str:
        return catalogue().text(lang, self.text_id(parent))

    def usage(self, parent: str = "") -> str:
        words = [f"/{parent} {self.name}" if parent else f"/{self.name}"]
        for arg in self.args:
            shown = f"<{arg.label}{' ...' if arg.many else ''}>"
            words.append(shown if arg.required else f"[{shown[1:-1]}]")
        return " ".join(words)


NAME = Argument("name", "show or actor")
OPTIONAL_NAME = replace(NAME, required=False)
ZONE = Argument("zone", "zone", required=False)
LEADS = Argument("leads", "lead", required=False, many=True)
ROLE = Argument("role", "role", required=False, role=True)
EVENTS = Argument("state", "on|off", choices=("on", "off"))
FEED_URL = Argument("url", "url")
FEED_NAME = Argument(
    "name", "name", required=False, text_id="arg-feed-name",
)
