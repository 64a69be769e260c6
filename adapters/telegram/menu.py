"""The command menu Telegram shows, and the command names to handle, from the core's COMMANDS.

Private chats (and the default scope) list the personal commands; groups list the same (in a
group the personal setters answer by pointing to /channel); group administrators also see
/channel. Hidden commands (/start) are handled but not listed; commands of other platforms
are neither.
"""

from __future__ import annotations

from telegram import (
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeDefault,
)

from bot.commands import COMMANDS, Command

PLATFORM = "telegram"
DESCRIPTION_MAX = 256


def _here(command: Command) -> bool:
    return command.available_on(PLATFORM)


def handled_names() -> list[str]:
    """Every name and alias the bot answers as /name (hidden ones included)."""
    return sorted({name for c in COMMANDS if _here(c) for name in (c.name, *c.aliases)})


def _entry(command: Command) -> BotCommand:
    description = command.help
    if command.subcommands:
        words = "|".join(sub.name for sub in command.subcommands)
        description = f"{command.help}: /{command.name} {words} (admins)"
    return BotCommand(command.name, description[:DESCRIPTION_MAX])


def menus() -> list[tuple[BotCommandScope, list[BotCommand]]]:
    """(scope, commands) pairs for setMyCommands."""
    personal = [_entry(c) for c in COMMANDS if _here(c) and not c.hidden and not c.admin_only]
    admin = personal + [_entry(c) for c in COMMANDS if _here(c) and not c.hidden and c.admin_only]
    return [
        (BotCommandScopeDefault(), personal),
        (BotCommandScopeAllPrivateChats(), personal),
        (BotCommandScopeAllGroupChats(), personal),
        (BotCommandScopeAllChatAdministrators(), admin),
    ]
