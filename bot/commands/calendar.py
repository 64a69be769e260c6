"""A chat's calendar feed link: `/calendar` (a fan's own, in a private chat) and `/channel calendar`
(a group's, for its admins); `reset` replaces the link, and the old one stops working at once."""

from __future__ import annotations

from ..domain.render import Message
from .spec import Argument, Command, Context
from .text import personal, say

RESET = Argument("action", "reset", "reset: a new link; the old one stops working at once", required=False, choices=("reset",))
CAVEAT = (
    "Calendar apps refresh subscribed calendars on their own schedule (Google Calendar: up to a day) and may ignore "
    "their alarms, so my reminders here remain the reliable ones."
)


async def calendar_reply(ctx: Context, command: str) -> Message:
    action = ctx.text.strip().casefold()
    if action not in ("", "reset"):
        return say(f"Usage: {command}, or {command} reset for a new link (the old one stops working).")
    if not ctx.calendars.enabled:
        return say("Calendar feeds are not turned on: the bot's operator has not set up its web server ([web] listen).")
    link = await ctx.calendars.link(ctx.chat, reset=action == "reset")
    first = "Your new calendar link (the old one no longer works):" if action else "Your personal calendar link:"
    if command.startswith("/channel"):
        first = first.replace("Your", "This chat's").replace("personal ", "")
    return Message.lines(
        first,
        link.url,
        f"Add it as a subscription: open {link.webcal} (Apple Calendar, Outlook, Thunderbird), or in Google Calendar "
        "use Other calendars → From URL (\"add by URL\") and paste the link above.",
        "It lists every episode of what this chat follows, from a week back to a month ahead, with an alarm per "
        f"lead time. Keep the link private; {command} reset replaces it.",
        CAVEAT,
    )


async def cmd_calendar(ctx: Context) -> Message:
    return personal(ctx, "calendar", "/calendar") or await calendar_reply(ctx, "/calendar")


async def cmd_channel_calendar(ctx: Context) -> Message:
    return await calendar_reply(ctx, "/channel calendar")


CALENDAR = Command("calendar", "your calendar link", cmd_calendar, (RESET,))
CHANNEL_CALENDAR = Command("calendar", "its calendar link", cmd_channel_calendar, (RESET,),
                           admin_only=True)
