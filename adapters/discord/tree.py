"""Slash commands generated from the core's command list (`bot.commands.COMMANDS`).

Each command becomes an `app_commands.Command` whose callback has the command's arguments as
typed parameters (discord.py reads them from the callback's signature): option names are the
arguments' keys, descriptions their help, a role argument is a role picker, an argument with a
few fixed values offers them as choices, and a show or actor name autocompletes. A command
group (`/channel`) is for servers only (guild install and guild context), shown by default only
to members with Manage Server (`default_permissions`); the core checks again when it runs.
Every other command works anywhere the app is: installed to a server or to a user's account, in
a server, in the bot's DM, or in a private channel. Descriptions come from the catalogues: English
as the default, and a description localization for every other language with one (`Translator`);
command and option names stay as they are.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Literal, Optional

import discord
from discord import app_commands

from bot.commands import COMMANDS, NAME, Argument, Command
from bot.domain.i18n import DEFAULT_LANGUAGE, LANGUAGES, catalogue, language_of

OnCommand = Callable[[discord.Interaction, tuple[str, ...], dict[str, str]], Awaitable[None]]
Complete = Callable[[discord.Interaction, str], Coroutine[Any, Any, list[app_commands.Choice[str]]]]

EVERYWHERE = app_commands.AppCommandContext(guild=True, dm_channel=True, private_channel=True)
ANY_INSTALL = app_commands.AppInstallationType(guild=True, user=True)
SERVERS = app_commands.AppCommandContext(guild=True, dm_channel=False, private_channel=False)  # False: not the tree default
SERVER_INSTALL = app_commands.AppInstallationType(guild=True, user=False)
ADMINS = discord.Permissions(manage_guild=True)


def _described(text_id: str) -> app_commands.locale_str:
    """A description in English, carrying its message id for the translator."""
    return app_commands.locale_str(catalogue().text(DEFAULT_LANGUAGE, text_id)[:100], text_id=text_id)


class Translator(app_commands.Translator):
    """Description localizations from the catalogues (Korean for `ko`); names are not translated."""

    async def translate(
        self, string: app_commands.locale_str, locale: discord.Locale, context: app_commands.TranslationContextTypes,
    ) -> str | None:
        text_id = string.extras.get("text_id")
        lang = language_of(locale.value)
        if text_id is None or lang is None or lang == DEFAULT_LANGUAGE or lang not in LANGUAGES:
            return None
        return catalogue().text(lang, text_id)[:100]


def _annotation(arg: Argument) -> Any:
    base: Any = discord.Role if arg.role else str
    if arg.choices:
        base = Literal[tuple(arg.choices)]  # type: ignore[valid-type]
    return base if arg.required else Optional[base]  # noqa: UP045 - built at run time, for discord.py to read


def _value(value: Any) -> str:
    return str(value.id) if isinstance(value, (discord.Role, discord.Object)) else str(value)


def _callback(path: tuple[str, ...], args: tuple[Argument, ...], on_command: OnCommand) -> Callable[..., Any]:
    """A callback whose signature holds the arguments, as discord.py expects of a command."""

    async def callback(interaction: discord.Interaction, **options: Any) -> None:
        given = {key: _value(value) for key, value in options.items() if value is not None}
        await on_command(interaction, path, given)

    parameters = [inspect.Parameter("interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=discord.Interaction)]
    for arg in sorted(args, key=lambda a: not a.required):  # required options first, as Discord wants
        default = inspect.Parameter.empty if arg.required else None
        kind = inspect.Parameter.KEYWORD_ONLY
        parameters.append(inspect.Parameter(arg.key, kind, default=default, annotation=_annotation(arg)))
    callback.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    callback.__name__ = callback.__qualname__ = "_".join(path)  # a plain name: not taken for a method
    callback.__discord_app_commands_param_description__ = {  # type: ignore[attr-defined]
        a.key: _described(a.text_id or f"arg-{a.key}") for a in args
    }
    return callback


def _command(command: Command, path: tuple[str, ...], on_command: OnCommand, complete: Complete,
             parent: app_commands.Group | None = None, **extra: Any) -> app_commands.Command:
    made: app_commands.Command = app_commands.Command(
        name=command.name, description=_described(command.text_id(path[0] if len(path) > 1 else "")),
        callback=_callback(path, command.args, on_command),
        parent=parent, **extra,
    )
    for arg in command.args:
        if arg.key == NAME.key:
            made.autocomplete(arg.key)(complete)
    return made


def build_tree(client: discord.Client, on_command: OnCommand, complete: Complete) -> app_commands.CommandTree:
    """A command tree holding every advertised command of the core."""
    tree: app_commands.CommandTree = app_commands.CommandTree(client, allowed_contexts=EVERYWHERE, allowed_installs=ANY_INSTALL)
    for command in COMMANDS:
        if command.hidden or not command.available_on("discord"):
            continue
        if not command.subcommands:
            tree.add_command(_command(command, (command.name,), on_command, complete))
            continue
        group = app_commands.Group(
            name=command.name, description=_described(command.text_id()), default_permissions=ADMINS if command.admin_only else None,
            allowed_contexts=SERVERS, allowed_installs=SERVER_INSTALL,
        )
        for sub in command.subcommands:
            group.add_command(_command(sub, (command.name, sub.name), on_command, complete, parent=group))
        tree.add_command(group)
    return tree
