"""`/help`: every command this chat's platform has, from the registry the context carries
(owners' commands listed to owners only: nobody else can use them), in the chat's language."""

from __future__ import annotations

from ..domain.render import Message
from .spec import Command, Context


async def cmd_help(ctx: Context) -> Message:
    lines: list[Message | str] = [ctx.say("help-intro")]
    owner = ctx.access.is_owner(ctx.msg)
    for command in ctx.commands:
        if command.hidden or not command.available_on(ctx.msg.platform) or (command.owner_only and not owner):
            continue  # owners' commands are listed to owners only: nobody else can use them
        if command.subcommands:
            line = "help-line-owners" if command.owner_only else "help-line-admins"
            for sub in command.subcommands:
                lines.append(ctx.say(line, usage=sub.usage(command.name), description=sub.description(ctx.lang, command.name)))
        else:
            lines.append(ctx.say("help-line", usage=command.usage(), description=command.description(ctx.lang)))
    lines.append(ctx.say("help-credit"))
    return Message.lines(*lines)


HELP = Command("help", cmd_help)
