"""Commands as data, once for every platform, and their handlers.

`COMMANDS` lists each command's name, arguments, help and whether it is admin-only; the
Discord and Telegram adapters generate their bindings from it, and `respond` dispatches a
typed line to the handler. Every handler either changes state and says so, or explains
what was wrong and what to type instead, changing nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Awaitable, Callable

from .catalog import Airing
from .interfaces import IncomingMessage
from .names import Target
from .render import Bold, Countdown, Message, When
from .zones import (
    LeadError,
    ZoneError,
    format_lead,
    format_local,
    format_local_date,
    parse_leads,
    resolve_zone,
)

if TYPE_CHECKING:
    from .core import Core

log = logging.getLogger(__name__)

MAX_TEXT = 500  # longest command line read
SCHEDULE_DAYS = 7
SCHEDULE_LINES = 20  # replies stay under Discord's 2,000 characters
LIST_LINES = 30


@dataclass(frozen=True)
class Argument:
    name: str
    help: str
    required: bool = True
    many: bool = False  # several words (leads) rather than one free-text value


@dataclass(frozen=True)
class Context:
    core: "Core"
    msg: IncomingMessage
    args: str
    now: datetime

    @property
    def where(self) -> tuple[str, str]:
        return self.msg.platform, self.msg.chat


Handler = Callable[[Context], Awaitable[Message]]


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    handler: Handler | None = None
    args: tuple[Argument, ...] = ()
    admin_only: bool = False
    subcommands: tuple["Command", ...] = field(default=())
    aliases: tuple[str, ...] = ()
    hidden: bool = False  # answered but not advertised (Telegram's /start)

    def usage(self, parent: str = "") -> str:
        words = [f"/{parent} {self.name}" if parent else f"/{self.name}"]
        for arg in self.args:
            shown = f"<{arg.name}{' ...' if arg.many else ''}>"
            words.append(shown if arg.required else f"[{shown[1:-1]}]")
        return " ".join(words)


def _say(*spans) -> Message:
    return Message.of(*spans)


def _quote(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return f'"{text[:limit]}…"' if len(text) > limit else f'"{text}"'


# ---- lookups ----------------------------------------------------------------------------------


def _find(ctx: Context, text: str, example: str) -> Target | Message:
    """The target a user named, or the reply explaining why there is none."""
    if not text.strip():
        return _say(f"Tell me which show or actor, e.g. {example} The Interest of Love or {example} Moon Ga Young.")
    index = ctx.core.catalog.names
    found = index.lookup(text)
    if found.target:
        return found.target
    if found.candidates:
        labels = [index.label(t) for t in found.candidates]
        return _say(
            f"{_quote(text)} could be more than one: {', '.join(labels)}. Type one of them in full, "
            f"e.g. {example} {labels[0]}."
        )
    return _say(
        f"I know no show or actor called {_quote(text)}. Check the spelling, or try the English or Korean "
        "title or an actor's name."
    )


def _next_airing(ctx: Context, show_keys: set[str]) -> Airing | None:
    best: Airing | None = None
    for key in show_keys:
        for airing in ctx.core.catalog.by_show.get(key, ()):
            if airing.start > ctx.now and (best is None or airing.start < best.start):
                best = airing  # no early exit: explicit airings need not be in episode order
    return best


def _leads_text(minutes: tuple[int, ...]) -> str:
    """"1h and 10m before", "30m before and at air time", "at air time"."""
    shown = [format_lead(timedelta(minutes=m)) for m in sorted(minutes, reverse=True) if m]
    before = (", ".join(shown[:-1]) + " and " + shown[-1] if len(shown) > 1 else "".join(shown)) + " before"
    if 0 not in minutes:
        return before
    return f"{before} and at air time" if shown else "at air time"


def _command(ctx: Context, name: str) -> str:
    """How to type a settings command in this chat: "/remind" privately, "/channel remind" in a group."""
    if ctx.msg.is_private:
        return f"/{name}"
    return "/channel list" if name == "subscriptions" else f"/channel {name}"


def _target_shows(ctx: Context, target: Target) -> set[str]:
    return ctx.core.catalog.shows_followed([(target.kind, target.key)])


# ---- following ----------------------------------------------------------------------------------


async def _follow(ctx: Context, text: str, example: str) -> Message:
    found = _find(ctx, text, example)
    if isinstance(found, Message):
        return found
    platform, chat = ctx.where
    core = ctx.core
    is_new = await core.store.subscribe(platform, chat, ctx.msg.is_private, found.kind, found.key, int(ctx.now.timestamp()))
    if not is_new:
        return _say("This chat already follows ", Bold(found.name), f". {_command(ctx, 'subscriptions')} lists everything it follows.")
    core.changed()
    zone, leads = await core.chat_settings(platform, chat)
    if found.kind == "show":
        head = _say("Subscribed to ", Bold(found.name), ": reminders before every episode, and its news.")
    else:
        shows = sorted(core.catalog.shows[k].title for k in _target_shows(ctx, found))
        reach = f" and reminders for {', '.join(shows)}" if shows else ""
        head = _say("Following ", Bold(found.name), f": news that mentions them{reach}.")
    lines: list[Message | str] = [head]
    airing = _next_airing(ctx, _target_shows(ctx, found))
    if airing is not None:
        show = core.catalog.shows[airing.show_key]
        lines.append(_say(f"Next: {show.title} episode {airing.episode}, ", When(airing.start, zone), ", ", Countdown(airing.start, ctx.now), "."))
        lines.append(
            f"Reminders come {_leads_text(leads)}, times in {zone.key}. "
            f"Change them with {_command(ctx, 'remind')} and {_command(ctx, 'timezone')}."
        )
    elif found.kind == "show":
        last = core.catalog.by_show.get(found.key, ())
        if last:
            lines.append(f"It finished airing on {format_local_date(last[-1].start, zone)}; you will still get its news.")
    return Message.lines(*lines)


async def _unfollow(ctx: Context, text: str, example: str) -> Message:
    found = _find(ctx, text, example)
    if isinstance(found, Message):
        return found
    platform, chat = ctx.where
    core = ctx.core
    if not await core.store.unsubscribe(platform, chat, found.kind, found.key):
        return _say("This chat does not follow ", Bold(found.name), f". {_command(ctx, 'subscriptions')} lists what it follows.")
    core.changed()
    remaining = await core.store.subscriptions(platform, chat)
    still = sorted(core.catalog.shows[k].title for k in _target_shows(ctx, found) & core.catalog.shows_followed(remaining))
    if not still:
        return _say("Unsubscribed from ", Bold(found.name), ". No more reminders or news for it here.")
    via = sorted(
        target.name
        for kind, key in remaining
        if (target := core.catalog.target(kind, key)) is not None and _target_shows(ctx, target) & _target_shows(ctx, found)
    )
    shown = ", ".join(still[:5]) + (f" and {len(still) - 5} more" if len(still) > 5 else "")
    reason = f" because this chat follows {', '.join(via[:3])}" if via else ""
    return _say(
        "Unsubscribed from ", Bold(found.name), f". Reminders for {shown} still come{reason}; "
        f"{_command(ctx, 'unsubscribe')} {via[0] if via else shown} stops them."
    )


async def _list(ctx: Context) -> Message:
    platform, chat = ctx.where
    core = ctx.core
    zone, leads = await core.chat_settings(platform, chat)
    subs = await core.store.subscriptions(platform, chat)
    if not subs:
        return _say(f"This chat follows nothing yet. Try {_command(ctx, 'subscribe')} The Interest of Love.")
    lines: list[Message | str] = ["This chat follows:"]
    for kind, key in subs[:LIST_LINES]:
        target = core.catalog.target(kind, key)
        name = target.name if target else f"{key} (no longer in the catalog)"
        lines.append(_say("• ", Bold(name), f" ({kind})"))
    if len(subs) > LIST_LINES:
        lines.append(f"…and {len(subs) - LIST_LINES} more.")
    lines.append(f"Reminders {_leads_text(leads)} each episode, times in {zone.key}.")
    return Message.lines(*lines)


async def _set_zone(ctx: Context, text: str, command: str) -> Message:
    platform, chat = ctx.where
    if not text.strip():
        zone, _ = await ctx.core.chat_settings(platform, chat)
        return _say(
            "Times here are shown in ", Bold(zone.key), f" (now {format_local(ctx.now, zone)}). "
            f"Change it with {command} <city or zone>, e.g. {command} America/New_York."
        )
    try:
        zone = resolve_zone(text, command)
    except ZoneError as exc:
        return _say(str(exc))
    await ctx.core.store.set_timezone(platform, chat, ctx.msg.is_private, zone.key, int(ctx.now.timestamp()))
    return _say("Time zone set to ", Bold(zone.key), f". Local time now: {format_local(ctx.now, zone)}.")


async def _set_leads(ctx: Context, text: str, command: str) -> Message:
    platform, chat = ctx.where
    if not text.strip():
        _, leads = await ctx.core.chat_settings(platform, chat)
        return _say(
            f"Reminders come {_leads_text(leads)} each episode. Change with {command} <lead ...>, "
            f"e.g. {command} 1h 10m (one to three of 30m, 1h, 1h30m, 1d, 0m for air time)."
        )
    try:
        leads = parse_leads(text.split(), command)
    except LeadError as exc:
        return _say(str(exc))
    minutes = tuple(int(lead.total_seconds() // 60) for lead in leads)
    await ctx.core.store.set_leads(platform, chat, ctx.msg.is_private, minutes, int(ctx.now.timestamp()))
    ctx.core.changed()
    return _say(f"Reminders will come {_leads_text(minutes)} each episode.")


GROUP_HINT = (
    "In a group, admins choose what this chat gets with /channel {sub}. "
    "For reminders of your own, send me {own} in a private chat."
)


def _personal(ctx: Context, sub: str, own: str) -> Message | None:
    """Refuse a personal setting in a group chat, pointing at the admin command."""
    if ctx.msg.is_private:
        return None
    return _say(GROUP_HINT.format(sub=sub, own=own))


# ---- handlers -----------------------------------------------------------------------------------


async def cmd_help(ctx: Context) -> Message:
    lines: list[Message | str] = [
        "I remind you before every broadcast of the K-dramas you follow, in your time zone, and pass on their news.",
    ]
    for command in COMMANDS:
        if command.hidden:
            continue
        if command.subcommands:
            for sub in command.subcommands:
                lines.append(f"{sub.usage(command.name)}: {sub.help} (admins)")
        else:
            lines.append(f"{command.usage()}: {command.help}")
    return Message.lines(*lines)


async def cmd_subscribe(ctx: Context) -> Message:
    return _personal(ctx, "subscribe <show or actor>", "/subscribe") or await _follow(ctx, ctx.args, "/subscribe")


async def cmd_unsubscribe(ctx: Context) -> Message:
    return _personal(ctx, "unsubscribe <show or actor>", "/unsubscribe") or await _unfollow(ctx, ctx.args, "/unsubscribe")


async def cmd_subscriptions(ctx: Context) -> Message:
    return await _list(ctx)


async def _show_or_set(ctx: Context, sub: str, command: str, setter) -> Message:
    """Anyone may read a setting; in a group only /channel may change it."""
    refusal = _personal(ctx, sub, command) if ctx.args.strip() else None
    return refusal or await setter(ctx, ctx.args, command)


async def cmd_timezone(ctx: Context) -> Message:
    return await _show_or_set(ctx, "timezone <zone>", "/timezone", _set_zone)


async def cmd_remind(ctx: Context) -> Message:
    return await _show_or_set(ctx, "remind <lead ...>", "/remind", _set_leads)


async def cmd_next(ctx: Context) -> Message:
    core = ctx.core
    platform, chat = ctx.where
    zone, _ = await core.chat_settings(platform, chat)
    if ctx.args.strip():
        found = _find(ctx, ctx.args, "/next")
        if isinstance(found, Message):
            return found
        keys, about = _target_shows(ctx, found), found.name
    else:
        subs = await core.store.subscriptions(platform, chat)
        if not subs:
            return _say(
                f"This chat follows nothing yet. Try /next The Interest of Love, or {_command(ctx, 'subscribe')} to a show first."
            )
        keys, about = core.catalog.shows_followed(subs), "anything this chat follows"
    airing = _next_airing(ctx, keys)
    if airing is None:
        return _say(f"No upcoming episode of {about} is in the catalog.")
    show = core.catalog.shows[airing.show_key]
    return _say(
        "Next: ", Bold(show.title), f" episode {airing.episode}, ", When(airing.start, zone), ", ",
        Countdown(airing.start, ctx.now), ".",
    )


async def cmd_schedule(ctx: Context) -> Message:
    core = ctx.core
    platform, chat = ctx.where
    zone, _ = await core.chat_settings(platform, chat)
    subs = await core.store.subscriptions(platform, chat)
    if not subs:
        return _say(
            f"This chat follows nothing yet, so there is no schedule. Try {_command(ctx, 'subscribe')} The Interest of Love."
        )
    keys = core.catalog.shows_followed(subs)
    until = ctx.now + timedelta(days=SCHEDULE_DAYS)
    airings = sorted(
        (a for key in keys for a in core.catalog.by_show.get(key, ()) if ctx.now < a.start <= until),
        key=lambda a: (a.start, a.show_key),
    )
    if not airings:
        return _say(f"Nothing this chat follows airs in the next {SCHEDULE_DAYS} days.")
    lines: list[Message | str] = [f"The next {SCHEDULE_DAYS} days, in {zone.key}:"]
    for airing in airings[:SCHEDULE_LINES]:
        title = core.catalog.shows[airing.show_key].title
        lines.append(_say("• ", When(airing.start, zone), ": ", Bold(title), f" episode {airing.episode}"))
    if len(airings) > SCHEDULE_LINES:
        lines.append(f"…and {len(airings) - SCHEDULE_LINES} more.")
    return Message.lines(*lines)


async def cmd_channel_subscribe(ctx: Context) -> Message:
    return await _follow(ctx, ctx.args, "/channel subscribe")


async def cmd_channel_unsubscribe(ctx: Context) -> Message:
    return await _unfollow(ctx, ctx.args, "/channel unsubscribe")


async def cmd_channel_list(ctx: Context) -> Message:
    return await _list(ctx)


async def cmd_channel_timezone(ctx: Context) -> Message:
    return await _set_zone(ctx, ctx.args, "/channel timezone")


async def cmd_channel_remind(ctx: Context) -> Message:
    return await _set_leads(ctx, ctx.args, "/channel remind")


NAME = Argument("show or actor", "a title, alias or actor name; Hangul works")
ZONE = Argument("zone", "an IANA zone like America/New_York, or a city like Seoul", required=False)
LEADS = Argument("lead", "one to three of 30m, 1h, 1h30m, 1d, 0m", required=False, many=True)

COMMANDS: tuple[Command, ...] = (
    Command("subscribe", "follow a show (reminders and news) or an actor (news, and reminders for their shows)", cmd_subscribe, (NAME,)),
    Command("unsubscribe", "stop following a show or actor", cmd_unsubscribe, (NAME,)),
    Command("subscriptions", "what this chat follows, with lead times and zone", cmd_subscriptions),
    Command("timezone", "show or set the time zone reminders are written in", cmd_timezone, (ZONE,)),
    Command("remind", "show or set how long before each episode reminders come", cmd_remind, (LEADS,)),
    Command("next", "the next episode, with local time and countdown", cmd_next, (Argument("show or actor", NAME.help, required=False),)),
    Command("schedule", f"what this chat follows in the next {SCHEDULE_DAYS} days", cmd_schedule),
    Command("help", "what I can do", cmd_help, aliases=("start",)),
    Command(
        "channel",
        "admin settings for this group or server channel",
        admin_only=True,
        subcommands=(
            Command("subscribe", "make this chat follow a show or actor", cmd_channel_subscribe, (NAME,), admin_only=True),
            Command("unsubscribe", "stop this chat following a show or actor", cmd_channel_unsubscribe, (NAME,), admin_only=True),
            Command("list", "what this chat follows", cmd_channel_list, admin_only=True),
            Command("timezone", "set this chat's time zone", cmd_channel_timezone, (Argument("zone", ZONE.help),), admin_only=True),
            Command("remind", "set this chat's lead times", cmd_channel_remind, (Argument("lead", LEADS.help, many=True),), admin_only=True),
        ),
    ),
)

BY_NAME: dict[str, Command] = {alias: c for c in COMMANDS for alias in (c.name, *c.aliases)}


# ---- dispatch -----------------------------------------------------------------------------------


async def respond(core: "Core", msg: IncomingMessage) -> Message | None:
    """The reply to one incoming line, or None when the bot should stay quiet (chatter in a group)."""
    text = msg.text or ""
    stripped = text.strip()
    is_command = stripped.startswith("/")
    if len(text) > MAX_TEXT:
        if not (is_command or msg.is_private):
            return None
        return _say(
            f"That message is {len(text):,} characters long; commands are at most {MAX_TEXT}. Type /help to see them."
        )
    if not is_command:  # chatter in a group, or a photo or sticker without text: say nothing
        if msg.is_private and stripped:
            return _say("I answer commands that start with /. Type /help to see them.")
        return None
    parts = stripped.split(maxsplit=1)
    name, _, addressee = parts[0][1:].partition("@")
    if addressee and msg.bot_username and addressee.casefold() != msg.bot_username.casefold():
        return None  # "/help@other_bot": meant for another bot in the same group
    args = parts[1] if len(parts) > 1 else ""
    command = BY_NAME.get(name.casefold())
    if command is None:
        if not msg.is_private and not addressee:
            return None  # other bots' commands in a shared group are none of our business
        shown = parts[0][:30]
        return _say(f"I don't know the command {shown}. Type /help to see the commands.")
    ctx = Context(core, msg, args, core.clock.now())
    try:
        if command.subcommands:
            return await _dispatch_group(command, ctx)
        if command.admin_only and not core.is_admin(msg):
            return _refuse()
        return await command.handler(ctx)
    except Exception:
        log.exception("command %r failed", stripped[:80])
        return _say("Sorry, something went wrong on my side. Please try again later.")


def _refuse() -> Message:
    return _say(
        "Only admins of this chat can do that (Discord: Manage Server; Telegram: group administrator). Nothing was changed."
    )


async def _dispatch_group(group: Command, ctx: Context) -> Message:
    options = ", ".join(sub.usage(group.name) for sub in group.subcommands)
    if ctx.msg.is_private:
        return _say(
            f"/{group.name} commands set up a group chat or server channel. "
            "Here, use /subscribe, /timezone and /remind for yourself."
        )
    if group.admin_only and not ctx.core.is_admin(ctx.msg):
        return _refuse()
    parts = ctx.args.split(maxsplit=1)
    if not parts:
        return _say(f"Use one of: {options}.")
    sub = next((s for s in group.subcommands if s.name == parts[0].casefold()), None)
    if sub is None:
        return _say(f"/{group.name} has no {_quote(parts[0], 20)}. Use one of: {options}.")
    if sub.admin_only and not ctx.core.is_admin(ctx.msg):
        return _refuse()
    inner = Context(ctx.core, ctx.msg, parts[1] if len(parts) > 1 else "", ctx.now)
    if sub.args and sub.args[0].required and not inner.args.strip():
        return _say(f"Usage: {sub.usage(group.name)}.")
    return await sub.handler(inner)
