"""A chat's time zone and lead times: `/timezone` and `/remind` (and `/channel timezone|remind`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace

from ..domain.render import Bold, Message
from ..domain.zones import LeadError, ZoneError, parse_leads, resolve_zone
from .spec import LEADS, ZONE, Command, Context
from .text import leads_text, local_now, personal

Setter = Callable[[Context, str, str], Awaitable[Message]]


async def set_zone(ctx: Context, text: str, command: str) -> Message:
    if not text.strip():
        zone, _ = await ctx.chats.chat_settings(ctx.chat)
        return ctx.say("zone-current", zone=Bold(zone.key), local=local_now(ctx, zone), command=command)
    try:
        zone = resolve_zone(text, command)
    except ZoneError as exc:
        return ctx.say(exc.text_id, **exc.values)
    await ctx.chats.set_timezone(ctx.chat, private=ctx.msg.private, zone=zone)
    return ctx.say("zone-set", zone=Bold(zone.key), local=local_now(ctx, zone))


async def set_leads(ctx: Context, text: str, command: str) -> Message:
    if not text.strip():
        _, current = await ctx.chats.chat_settings(ctx.chat)
        return ctx.say("leads-current", leads=leads_text(current, ctx.lang), command=command)
    try:
        parsed = parse_leads(text.split(), command)
    except LeadError as exc:
        return ctx.say(exc.text_id, **exc.values)
    minutes = tuple(int(lead.total_seconds() // 60) for lead in parsed)
    await ctx.chats.set_leads(ctx.chat, private=ctx.msg.private, minutes=minutes)
    return ctx.say("leads-set", leads=leads_text(minutes, ctx.lang))


async def _show_or_set(ctx: Context, sub: str, command: str, setter: Setter) -> Message:
    """Anyone may read a setting; in a group only /channel may change it."""
    refusal = personal(ctx, sub, command) if ctx.text.strip() else None
    return refusal or await setter(ctx, ctx.text, command)


async def cmd_timezone(ctx: Context) -> Message:
    return await _show_or_set(ctx, "timezone <zone>", "/timezone", set_zone)


async def cmd_remind(ctx: Context) -> Message:
    return await _show_or_set(ctx, "remind <lead ...>", "/remind", set_leads)


TIMEZONE = Command("timezone", cmd_timezone, (ZONE,))
REMIND = Command("remind", cmd_remind, (LEADS,))
CHANNEL_ZONE, CHANNEL_LEADS = replace(ZONE, required=True), replace(LEADS, required=True)
