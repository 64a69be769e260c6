"""A group's or server channel's own settings, for its admins: `/channel ...`."""

from __future__ import annotations

from ..domain.interfaces import Reply
from ..domain.render import Message
from .calendar import CHANNEL_CALENDAR
from .language import CHANNEL_LANGUAGE
from .settings import CHANNEL_LEADS, CHANNEL_ZONE, set_leads, set_zone
from .spec import EVENTS, NAME, ROLE, SCHEDULE_DAYS, Command, Context
from .subscriptions import follow, list_followed, unfollow


async def cmd_channel_subscribe(ctx: Context) -> Message | Reply:
    return await follow(ctx, ctx.text, "/channel subscribe")


async def cmd_channel_unsubscribe(ctx: Context) -> Message | Reply:
    return await unfollow(ctx, ctx.text, "/channel unsubscribe")


async def cmd_channel_list(ctx: Context) -> Message:
    return await list_followed(ctx)


async def cmd_channel_timezone(ctx: Context) -> Message:
    return await set_zone(ctx, ctx.text, "/channel timezone")


async def cmd_channel_remind(ctx: Context) -> Message:
    return await set_leads(ctx, ctx.text, "/channel remind")


async def cmd_channel_ping(ctx: Context) -> Message:
    handle = ctx.text.strip()
    if handle.casefold() in ("", "off", "none"):
        await ctx.chats.set_mention(ctx.chat, private=False, mention=None)
        return ctx.say("ping-off")
    if len(handle) > 100 or any(c.isspace() for c in handle):
        return ctx.say("ping-bad")
    await ctx.chats.set_mention(ctx.chat, private=False, mention=handle)
    return ctx.say("ping-on")


async def cmd_channel_events(ctx: Context) -> Message:
    state = ctx.text.strip().casefold()
    if state not in ("on", "off"):
        return ctx.say("events-usage")
    await ctx.chats.set_events(ctx.chat, private=False, on=state == "on")
    if state == "off":
        return ctx.say("events-off")
    return ctx.say("events-on", days=SCHEDULE_DAYS)


CHANNEL = Command(
    "channel",
    admin_only=True,
    subcommands=(
        Command("subscribe", cmd_channel_subscribe, (NAME,), admin_only=True),
        Command("unsubscribe", cmd_channel_unsubscribe, (NAME,), admin_only=True),
        Command("list", cmd_channel_list, admin_only=True),
        Command("timezone", cmd_channel_timezone, (CHANNEL_ZONE,), admin_only=True),
        Command("remind", cmd_channel_remind, (CHANNEL_LEADS,), admin_only=True),
        Command("ping", cmd_channel_ping, (ROLE,), admin_only=True),
        Command("events", cmd_channel_events, (EVENTS,), admin_only=True),
        CHANNEL_CALENDAR,
        CHANNEL_LANGUAGE,
    ),
)
