"""`/help`: every command this chat's platform has, from the registry the context carries
(owners' commands listed to owners only: nobody else can use them)."""

from __future__ import annotations

from ..domain.render import Message
from .spec import Command, Context


async def cmd_help(ctx: Context) -> Message:
    lines: list[Message | str] = [
        "I remind you before every broadcast of the K-dramas you follow, in your time zone, and pass on their news.",
    ]
    owner = ctx.access.is_owner(ctx.msg)
    for command in ctx.commands:
        if command.hidden or not command.available_on(ctx.msg.platform) or (command.owner_only and not owner):
            continue  # owners' commands are listed to owners only: nobody else can use them
        if command.subcommands:
            who = "bot owners" if command.owner_only else "admins"
            for sub in command.subcommands:
                lines.append(f"{sub.usage(command.name)}: {sub.help} ({who})")
        else:
            lines.append(f"{command.usage()}: {command.help}")
    lines.append("Live schedules come from TVmaze (tvmaze.com), shared under CC BY-SA.")
    return Message.lines(*lines)


HELP = Command("help", "what I can do", cmd_help)
