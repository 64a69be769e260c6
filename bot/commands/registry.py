"""The one registry of commands, in the order /help and the platforms' menus list them. Each
feature's module defines its specs; this module only assembles them. The adapters generate
their bindings (Discord slash commands, Telegram's command menu) from `COMMANDS`."""

from __future__ import annotations

from .calendar import CALENDAR
from .channel import CHANNEL
from .help import HELP
from .language import LANGUAGE
from .links import SHARE, START
from .news import NEWS
from .owner import FEEDS, SHOW
from .schedule import NEXT, SCHEDULE
from .settings import REMIND, TIMEZONE
from .spec import Command
from .subscriptions import SUBSCRIBE, SUBSCRIPTIONS, UNSUBSCRIBE

COMMANDS: tuple[Command, ...] = (
    SUBSCRIBE, UNSUBSCRIBE, SUBSCRIPTIONS, TIMEZONE, REMIND, LANGUAGE, NEXT, SCHEDULE, CALENDAR, SHARE, HELP, START,
    CHANNEL, NEWS, FEEDS, SHOW,
)

BY_NAME: dict[str, Command] = {alias: c for c in COMMANDS for alias in (c.name, *c.aliases)}


def resolve(path: tuple[str, ...]) -> Command | None:
    """The spec a path names (a command, or a group's subcommand), or None."""
    command = BY_NAME.get(path[0]) if path else None
    for name in path[1:]:
        if command is None:
            return None
        command = next((sub for sub in command.subcommands if sub.name == name), None)
    return command
