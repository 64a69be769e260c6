"""Who may run a command: the one place a spec's checks are evaluated and refused.

A command's checks are data on its spec (`Command.checks`, from `admin_only`/`owner_only`);
the checks of a path are its command's and its subcommand's. The bot's owners (the config's
`owners`) pass every check; a chat's admins pass the admin check, and the platform is asked
(the adapter's async callback) only when a check needs it. A refusal says one message per
check, whichever way the command came: typed, a slash command, a tapped choice.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..domain.i18n import DEFAULT_LANGUAGE, Language, catalogue
from ..domain.interfaces import IncomingMessage, Reply
from ..domain.render import Message
from .ports import Access
from .spec import ADMIN, OWNER, Check, Command

ADMINS_ONLY = catalogue().text(DEFAULT_LANGUAGE, "refused-admins")


def owners_only(name: str, lang: Language = DEFAULT_LANGUAGE) -> str:
    return catalogue().text(lang, "refused-owners", command=name)


def checks_of(path: Iterable[Command]) -> tuple[Check, ...]:
    """The checks a command path needs (a group's and its subcommand's), owners' first."""
    found = {check for command in path for check in command.checks}
    return tuple(check for check in (OWNER, ADMIN) if check in found)


async def refusal(
    access: Access, msg: IncomingMessage, *, name: str, checks: Iterable[Check], lang: Language = DEFAULT_LANGUAGE,
) -> Reply | None:
    """The refusal when `msg`'s sender fails one of `checks` for the command `/name`; None
    when every check passes (the platform is asked about admins only if ADMIN is among them)."""
    for check in checks:
        if check == OWNER and not access.is_owner(msg):
            return Reply(Message.of(owners_only(name, lang)), refused=True)
        if check == ADMIN and not await access.is_admin(msg):
            return Reply(catalogue().message(lang, "refused-admins"), refused=True)
    return None
