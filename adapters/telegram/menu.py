"""The command menu Telegram shows, and the command names to handle, from the core's COMMANDS.

Private chats (and the default scope) list the personal commands; groups list the same (in a
group the personal setters answer by pointing to /channel); group administrators also see
/channel. Hidden commands (/start) are handled but not listed; commands of other platforms
are neither. Each list is set once in English (the default) and once for every other language
with a catalogue (`language_code="ko"`: Telegram shows it to users whose app is in Korean).
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
from bot.domain.i18n import DEFAULT_LANGUAGE, LANGUAGES, Language, catalogue

PLATFORM = "telegram"
DESCRIPTION_MAX = 256


def _here(command: Command) -> bool:
    return command.available_on(PLATFORM)


def handled_names() -> list[str]:
    """Every name and alias the bot answers as /name (hidden ones included)."""
    return sorted({name for c in COMMANDS if _here(c) for name in (c.name, *c.aliases)})


def _entry(command: Command, lang: Language) -> BotCommand:
    description = command.description(lang)
    if command.subcommands:
        words = "|".join(sub.name for sub in command.subcommands)
        description = catalogue().text(lang, "menu-group", description=description, command=command.name, subcommands=words)
    return BotCommand(command.name, description[:DESCRIPTION_MAX])


def menus() -> list[tuple[BotCommandScope, str | None, list[BotCommand]]]:
    """(scope, language_code, commands) for setMyCommands; None: the default, English."""
    found: list[tuple[BotCommandScope, str | None, list[BotCommand]]] = []
    for lang in LANGUAGES:
        code = None if lang == DEFAULT_LANGUAGE else lang
        personal = [_entry(c, lang) for c in COMMANDS if _here(c) and not c.hidden and not c.admin_only]
        admin = personal + [_entry(c, lang) for c in COMMANDS if _here(c) and not c.hidden and c.admin_only]
        found += [
            (BotCommandScopeDefault(), code, personal),
            (BotCommandScopeAllPrivateChats(), code, personal),
            (BotCommandScopeAllGroupChats(), code, personal),
            (BotCommandScopeAllChatAdministrators(), code, admin),
        ]
    return found
