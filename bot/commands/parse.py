"""A typed line read as a command: its path (`("channel", "subscribe")`) and options, or the
reply when it is none (too long, unknown, plain chatter), or None to stay quiet."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..domain.i18n import Language, catalogue
from ..domain.interfaces import IncomingMessage, Reply
from .spec import Argument, Command

MAX_TEXT = 500  # longest command line read


@dataclass(frozen=True)
class Typed:
    """A command line understood: what to run, with which options."""

    path: tuple[str, ...]
    args: dict[str, str]


def parse_line(msg: IncomingMessage, by_name: Mapping[str, Command], *, typed: str, lang: Language) -> Typed | Reply | None:
    """`msg`'s text (already cleaned of invisible characters; `typed` is what came) as a command
    to run, the reply when it cannot be one, or None when the bot should stay quiet (chatter in
    a group)."""
    text = msg.text or ""
    stripped = text.strip()
    is_command = stripped.startswith("/")
    if len(text) > MAX_TEXT:
        if not (is_command or msg.private):
            return None
        return Reply(catalogue().message(lang, "error-too-long", length=len(text), limit=MAX_TEXT))
    if not is_command:  # chatter in a group, or a photo or sticker without text: say nothing
        if msg.private and typed.strip():
            return Reply(catalogue().message(lang, "error-not-a-command"))
        return None
    parts = stripped.split(maxsplit=1)
    name, _, addressee = parts[0][1:].partition("@")
    if addressee and msg.bot_username and addressee.casefold() != msg.bot_username.casefold():
        return None  # "/help@other_bot": meant for another bot in the same group
    rest = parts[1] if len(parts) > 1 else ""
    command = by_name.get(name.casefold())
    if command is not None and not command.available_on(msg.platform):
        command = None
    if command is None:
        if not msg.private and not addressee:
            return None  # other bots' commands in a shared group are none of our business
        shown = parts[0][:30]
        return Reply(catalogue().message(lang, "error-unknown-command", command=shown))
    path: tuple[str, ...] = (command.name,)
    target: Command | None = command
    if command.subcommands:
        words = rest.split(maxsplit=1)
        if words:
            path += (words[0].casefold(),)
            rest = words[1] if len(words) > 1 else ""
            target = next((sub for sub in command.subcommands if sub.name == path[1]), None)
    return Typed(path, split_args(target.args if target is not None else (), rest))


def split_args(arguments: tuple[Argument, ...], rest: str) -> dict[str, str]:
    """A typed line's options: each argument before the last takes one word, the last the rest."""
    args: dict[str, str] = {}
    for i, arg in enumerate(arguments):
        if i == len(arguments) - 1:
            args[arg.key] = rest
            break
        head, *tail = rest.split(maxsplit=1) or [""]
        args[arg.key] = head
        rest = tail[0] if tail else ""
    return args
