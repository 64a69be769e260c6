"""A chat's calendar feed link: `/calendar` (a fan's own, in a private chat) and `/channel calendar`
(a group's, for its admins); `reset` replaces the link, and the old one stops working at once."""

from __future__ import annotations

from ..domain.render import Message
from .spec import Argument, Command, Context
from .text import personal

RESET = Argument("action", "reset", required=False, choices=("reset",))


async def calendar_reply(ctx: Context, command: str) -> Message:
    action = ctx.text.strip().casefold()
    if action not in ("", "reset"):
        return ctx.say("calendar-usage", command=command)
    if not ctx.calendars.enabled:
        return ctx.say("calendar-off")
    link = await ctx.calendars.link(ctx.chat, reset=action == "reset")
    first = ("calendar-new" if action else "calendar-yours") if not command.startswith("/channel") else (
        "calendar-new-chat" if action else "calendar-chat")
    return Message.lines(
        ctx.say(first),
        link.url,
        ctx.say("calendar-how", webcal=link.webcal),
        ctx.say("calendar-what", command=command),
        ctx.say("calendar-caveat"),
    )


async def cmd_calendar(ctx: Context) -> Message:
    return personal(ctx, "calendar", "/calendar") or await calendar_reply(ctx, "/calendar")


async def cmd_channel_calendar(ctx: Context) -> Message:
    return await calendar_reply(ctx, "/channel calendar")


CALENDAR = Command("calendar", cmd_calendar, (RESET,))
CHANNEL_CALENDAR = Command("calendar", cmd_channel_calendar, (RESET,),
                           admin_only=True)
