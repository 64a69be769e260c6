"""Commands as data, once for every platform, and their handlers.

`COMMANDS` lists each command's name, arguments, help and whether it is admin-only; the
Discord and Telegram adapters generate their bindings from it. `execute` runs a command given
as a path and options (`("channel", "subscribe"), {"name": "..."}`: a Discord slash command,
a tapped choice); `respond` parses a typed line and calls it. Every handler either changes
state through the core and says so, or explains what was wrong and what to type instead,
changing nothing. The reply is returned for the adapter to deliver; admin status is asked of
the adapter only when an admin-only command runs.
"""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from . import news_commands
from .catalog import Airing
from .interfaces import ChatRef, Choice, IncomingMessage, Reply
from .names import Lookup, Target
from .owner import cmd_show_move, cmd_show_skip
from .releases import Release, format_day, releases_between
from .render import Bold, Countdown, Link, Message, When
from .sanitize import visible
from .tvmaze import Found
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


OPTION_KEY = re.compile(r"[a-z0-9_-]{1,32}")


@dataclass(frozen=True)
class Argument:
    key: str  # the option's name on every platform: lowercase, no spaces, at most 32 characters (Discord)
    label: str  # what people call it in usage lines: "show or actor"
    help: str
    required: bool = True
    many: bool = False  # several words (leads) rather than one free-text value
    choices: tuple[str, ...] = ()  # the only values it takes, when it is one of a few words
    role: bool = False  # a platform handle for a group of members (Discord: a role picker)

    def __post_init__(self) -> None:
        if not OPTION_KEY.fullmatch(self.key):
            raise ValueError(f"argument key {self.key!r} is not a valid option name")


@dataclass(frozen=True)
class Context:
    core: Core
    msg: IncomingMessage
    path: tuple[str, ...]
    args: Mapping[str, str]
    now: datetime

    @property
    def chat(self) -> ChatRef:
        return self.msg.chat

    @property
    def text(self) -> str:
        """The command's first argument (`/feeds add` alone takes two: read `args` there)."""
        return next(iter(self.args.values()), "") if self.args else ""


Handler = Callable[[Context], Awaitable["Message | Reply"]]


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    handler: Handler | None = None
    args: tuple[Argument, ...] = ()
    admin_only: bool = False
    owner_only: bool = False  # bot owners only (the config's `owners`): it changes what is global
    subcommands: tuple[Command, ...] = field(default=())
    aliases: tuple[str, ...] = ()
    hidden: bool = False  # answered but not advertised (Telegram's /start)
    platforms: tuple[str, ...] = ()  # where it exists; empty: everywhere

    def available_on(self, platform: str) -> bool:
        return not self.platforms or platform in self.platforms

    def usage(self, parent: str = "") -> str:
        words = [f"/{parent} {self.name}" if parent else f"/{self.name}"]
        for arg in self.args:
            shown = f"<{arg.label}{' ...' if arg.many else ''}>"
            words.append(shown if arg.required else f"[{shown[1:-1]}]")
        return " ".join(words)


def _say(*spans) -> Message:
    return Message.of(*spans)


def _quote(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return f'"{text[:limit]}…"' if len(text) > limit else f'"{text}"'


# ---- lookups ----------------------------------------------------------------------------------


def _find(ctx: Context, text: str, example: str) -> Target | Reply:
    """The target a user named, or the reply explaining why there is none (with a choice of
    candidates when the name could mean several)."""
    if not text.strip():
        return Reply(_say(f"Tell me which show or actor, e.g. {example} The Interest of Love or {example} Moon Ga Young."))
    index = ctx.core.catalog.names
    found = index.lookup(text)
    if found.target:
        return found.target
    if found.candidates:
        labels = [index.label(t) for t in found.candidates]
        key = _command_of(ctx).args[0].key
        choices = tuple(Choice(label, ctx.path, ((key, label),)) for label in labels)
        return Reply(
            _say(
                f"{_quote(text)} could be more than one: {', '.join(labels)}. Type one of them in full, "
                f"e.g. {example} {labels[0]}."
            ),
            choices,
        )
    return Reply(_say(
        f"I know no show or actor called {_quote(text)}. Check the spelling, or try the English or Korean "
        "title or an actor's name."
    ))


def _command_of(ctx: Context) -> Command:
    command = BY_NAME[ctx.path[0]]
    for name in ctx.path[1:]:
        command = next(sub for sub in command.subcommands if sub.name == name)
    return command


def _next_airing(ctx: Context, show_keys: set[str]) -> Airing | None:
    return ctx.core.catalog.next_airing(show_keys, ctx.now)


def _next_release(ctx: Context, show_keys: set[str], zone: ZoneInfo, before: Airing | None = None) -> Release | None:
    """The next streaming release (dated today or later in the chat's zone) if it comes before
    `before` (by local date), else None."""
    today = ctx.now.astimezone(zone).date()
    found = releases_between(ctx.core.catalog, today, date.max, show_keys)
    if not found or (before is not None and found[0].day >= before.start.astimezone(zone).date()):
        return None
    return found[0]


def _release_line(ctx: Context, release: Release) -> Message:
    title = ctx.core.catalog.shows[release.show_key].title
    hour = ctx.core.config.tvmaze.streaming_hour
    return _say("Next: ", Bold(title), f" episode {release.episode} comes out on {format_day(release.day)} "
                f"(streaming, no set time); I tell you at {hour:%H:%M} your time that day.")


def _finished_on(ctx: Context, show_key: str) -> datetime | None:
    """When a show aired its last episode, if it has (None: it is still airing or never aired)."""
    last = ctx.core.catalog.last_airing(show_key)
    return last.start if last is not None and last.start <= ctx.now else None


def _leads_text(minutes: tuple[int, ...]) -> str:
    """"1h and 10m before", "30m before and at air time", "at air time"."""
    shown = [format_lead(timedelta(minutes=m)) for m in sorted(minutes, reverse=True) if m]
    before = (", ".join(shown[:-1]) + " and " + shown[-1] if len(shown) > 1 else "".join(shown)) + " before"
    if 0 not in minutes:
        return before
    return f"{before} and at air time" if shown else "at air time"


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _command(ctx: Context, name: str) -> str:
    """How to type a settings command in this chat: "/remind" privately, "/channel remind" in a group."""
    if ctx.msg.private:
        return f"/{name}"
    return "/channel list" if name == "subscriptions" else f"/channel {name}"


def _target_shows(ctx: Context, target: Target) -> set[str]:
    return ctx.core.catalog.shows_followed([(target.kind, target.key)])


def _show_names(ctx: Context, keys: set[str]) -> list[str]:
    """Titles, each finished show marked so."""
    names = []
    for key in sorted(keys, key=lambda k: ctx.core.catalog.shows[k].title):
        title = ctx.core.catalog.shows[key].title
        names.append(f"{title} (finished airing)" if _finished_on(ctx, key) else title)
    return names


# ---- following ----------------------------------------------------------------------------------


async def _find_anywhere(ctx: Context, text: str, example: str) -> Target | Reply:
    """`_find`, asking TVmaze too unless the catalog has the name exactly (or it is a TVmaze key):
    an exact title or name wins wherever it is; a part or a misspelling the catalog matched stands
    only when TVmaze offers nothing else (or cannot be asked), otherwise both are choices."""
    key = text.strip().lower()
    imported = ctx.core.catalog.target("show", key) or ctx.core.catalog.target("actor", key)
    if imported is not None:
        return imported
    live = ctx.core.live
    remote = live is not None and live.searchable and bool(key)
    index = ctx.core.catalog.names
    local = Lookup(None) if remote and key.startswith("tvmaze:") else index.lookup(text)
    if not remote or (local.exact and local.target is not None):
        return _find(ctx, text, example)
    assert live is not None
    near = (local.target,) if local.target is not None else local.candidates
    result = await live.lookup(text, imports="none" if local.exact else "exact" if near else "best", who=f"{ctx.msg.platform}:{ctx.msg.user}")
    if isinstance(result, Target):
        return result
    if near and (isinstance(result, str) or not _tvmaze_options(ctx, result)):
        return _find(ctx, text, example)  # TVmaze offers nothing else: the catalog's answer stands
    if isinstance(result, str):
        return Reply(_say(f"I know no show or actor called {_quote(text)} in my catalog, and could not ask TVmaze: {result}"))
    if not result:
        return Reply(_say(
            f"I know no show or actor called {_quote(text)}, and TVmaze knows none either. Check the spelling, "
            "or try the English or Korean title or an actor's name."
        ))
    labels = [index.label(t) for t in near]
    return _choices(ctx, text, example, [(label, label) for label in labels], result)


def _tvmaze_options(ctx: Context, found: list[Found]) -> list[tuple[str, str]]:
    """(value typed, label) of each TVmaze result the catalog does not hold already."""
    options = []
    for item in found:
        ident, label = (item.show.key, f"{item.show.name} ({item.show.describe()})") if item.show else \
            (item.person.key, f"{item.person.name} (actor, {item.person.describe()})") if item.person else ("", "")
        if ident and ctx.core.catalog.target("show", ident) is None and ctx.core.catalog.target("actor", ident) is None:
            options.append((ident, label))
    return options


def _choices(ctx: Context, text: str, example: str, local: list[tuple[str, str]], found: list[Found]) -> Reply:
    """Candidates to pick from: the catalog's (value typed, label) and TVmaze's results, each
    with the exact command that picks it."""
    arg = _command_of(ctx).args[0].key
    options = list(local) + _tvmaze_options(ctx, found)
    where = "shows or people" if local else "shows or people on TVmaze"
    lines: list[Message | str] = [f"{_quote(text)} could be several {where}; pick one:"]
    lines += [f"• {label}: {example} {value}" for value, label in options]
    return Reply(Message.lines(*lines), tuple(Choice(label, ctx.path, ((arg, value),)) for value, label in options))


async def _follow(ctx: Context, text: str, example: str) -> Message | Reply:
    found = await _find_anywhere(ctx, text, example)
    if isinstance(found, Reply):
        return found
    return await _follow_target(ctx, found)


async def _follow_target(ctx: Context, found: Target) -> Message:
    core = ctx.core
    if not await core.subscribe(ctx.chat, private=ctx.msg.private, target=found):
        listing = _command(ctx, "subscriptions")
        return _say("This chat already follows ", Bold(found.name), f". {listing} lists everything it follows.")
    zone, leads = await core.chat_settings(ctx.chat)
    reach = _target_shows(ctx, found)
    if found.kind == "show":
        head = _say("Subscribed to ", Bold(found.name), ": reminders before every episode, and its news.")
    else:
        airing_shows = {k for k in reach if not _finished_on(ctx, k)}
        if airing_shows:
            also = f" and reminders for {_and(_show_names(ctx, reach))}"
        elif reach:
            also = f"; their shows here have all finished airing ({_and(_show_names(ctx, reach))}), so no reminders for now"
        else:
            also = ""
        head = _say("Following ", Bold(found.name), f": news that mentions them{also}.")
    lines: list[Message | str] = [head]
    airing = _next_airing(ctx, reach)
    if airing is not None:
        show = core.catalog.shows[airing.show_key]
        lines.append(_say(
            f"Next: {show.title} episode {airing.episode}, ", When(airing.start, zone), ", ",
            Countdown(airing.start, ctx.now), ".",
        ))
        lines.append(
            f"Reminders come {_leads_text(leads)}, times in {zone.key}. "
            f"Change them with {_command(ctx, 'remind')} and {_command(ctx, 'timezone')}."
        )
    elif (release := _next_release(ctx, reach, zone)) is not None:
        lines.append(_release_line(ctx, release))
    elif found.kind == "show":
        ended = _finished_on(ctx, found.key)
        if ended is not None:
            lines.append(f"It finished airing on {format_local_date(ended, zone)}; you will still get its news.")
    if found.key.startswith("tvmaze:"):
        lines.append(TVMAZE_CREDIT)
    return Message.lines(*lines)


async def _unfollow(ctx: Context, text: str, example: str) -> Message | Reply:
    found = _find(ctx, text, example)
    if isinstance(found, Reply):
        return found
    core = ctx.core
    if not await core.unsubscribe(ctx.chat, found):
        why = _kept_by(ctx, found, await core.store.subscriptions(ctx.chat.platform, ctx.chat.key))
        if why:
            return _say("This chat does not follow ", Bold(found.name), f" itself. {why.replace('still come', 'come')}")
        return _say("This chat does not follow ", Bold(found.name), f". {_command(ctx, 'subscriptions')} lists what it follows.")
    why = _kept_by(ctx, found, await core.store.subscriptions(ctx.chat.platform, ctx.chat.key))
    if not why:
        return _say("Unsubscribed from ", Bold(found.name), ". No more reminders or news for it here.")
    return _say("Unsubscribed from ", Bold(found.name), f". {why}")


def _kept_by(ctx: Context, found: Target, remaining: list[tuple[str, str]]) -> str:
    """Why reminders for what `found` reaches still come, naming every subscription that brings
    them and how to stop each: "Reminders for X still come because this chat follows A and B;
    /unsubscribe A and /unsubscribe B stop them (all are needed)." Empty when nothing does."""
    reach = _target_shows(ctx, found)
    still = reach & ctx.core.catalog.shows_followed(remaining)
    if not still:
        return ""
    via = sorted(
        target.name
        for kind, key in remaining
        if (target := ctx.core.catalog.target(kind, key)) is not None and _target_shows(ctx, target) & still
    )
    titles = sorted(ctx.core.catalog.shows[k].title for k in still)
    shown = ", ".join(titles[:5]) + (f" and {len(titles) - 5} more" if len(titles) > 5 else "")
    unsubscribe = _command(ctx, "unsubscribe")
    named = via[:LIST_LINES]
    stops = _and([f"{unsubscribe} {name}" for name in named])
    verb = "stops them" if len(named) == 1 else "stop them (all are needed)"
    return f"Reminders for {shown} still come because this chat follows {_and(named)}; {stops} {verb}."


async def _list(ctx: Context) -> Message:
    core = ctx.core
    settings = await core.store.chat(ctx.chat.platform, ctx.chat.key)
    zone, leads = await core.chat_settings(ctx.chat)
    subs = await core.store.subscriptions(ctx.chat.platform, ctx.chat.key)
    if not subs:
        return _say(f"This chat follows nothing yet. Try {_command(ctx, 'subscribe')} The Interest of Love.")
    lines: list[Message | str] = ["This chat follows:"]
    for kind, key in subs[:LIST_LINES]:
        target = core.catalog.target(kind, key)
        if target is None:
            lines.append(_say("• ", Bold(key), f" ({kind}, no longer in the catalog)"))
            continue
        note = ""
        if kind == "show" and (ended := _finished_on(ctx, key)) is not None:
            note = f", finished airing {format_local_date(ended, zone)}"
        elif kind == "actor":
            reach = _target_shows(ctx, target)
            if reach and all(_finished_on(ctx, k) for k in reach):
                note = ", all their shows have finished airing"
        lines.append(_say("• ", Bold(target.name), f" ({kind}{note})"))
    if len(subs) > LIST_LINES:
        lines.append(f"…and {len(subs) - LIST_LINES} more.")
    lines.append(f"Reminders {_leads_text(leads)} each episode, times in {zone.key}.")
    if settings is not None and settings.paused_reason:
        lines.append(f"Delivery here is paused: {settings.paused_reason}. Any message in this chat resumes it.")
    return Message.lines(*lines)


async def _set_zone(ctx: Context, text: str, command: str) -> Message:
    if not text.strip():
        zone, _ = await ctx.core.chat_settings(ctx.chat)
        return _say(
            "Times here are shown in ", Bold(zone.key), f" (now {format_local(ctx.now, zone)}). "
            f"Change it with {command} <city or zone>, e.g. {command} America/New_York."
        )
    try:
        zone = resolve_zone(text, command)
    except ZoneError as exc:
        return _say(str(exc))
    await ctx.core.set_timezone(ctx.chat, private=ctx.msg.private, zone=zone)
    return _say("Time zone set to ", Bold(zone.key), f". Local time now: {format_local(ctx.now, zone)}.")


async def _set_leads(ctx: Context, text: str, command: str) -> Message:
    if not text.strip():
        _, current = await ctx.core.chat_settings(ctx.chat)
        return _say(
            f"Reminders come {_leads_text(current)} each episode. Change with {command} <lead ...>, "
            f"e.g. {command} 1h 10m (one to three of 30m, 1h, 1h30m, 1d, 0m for air time)."
        )
    try:
        parsed = parse_leads(text.split(), command)
    except LeadError as exc:
        return _say(str(exc))
    minutes = tuple(int(lead.total_seconds() // 60) for lead in parsed)
    await ctx.core.set_leads(ctx.chat, private=ctx.msg.private, minutes=minutes)
    return _say(f"Reminders will come {_leads_text(minutes)} each episode.")


TVMAZE_CREDIT = "Schedule from TVmaze (tvmaze.com, CC BY-SA); changes and pre-emptions are announced here."

GROUP_HINT = (
    "In a group, admins choose what this chat gets with /channel {sub}. "
    "For reminders of your own, send me {own} in a private chat."
)


def _personal(ctx: Context, sub: str, own: str) -> Message | None:
    """Refuse a personal setting in a group chat, pointing at the admin command."""
    if ctx.msg.private:
        return None
    return _say(GROUP_HINT.format(sub=sub, own=own))


# ---- handlers -----------------------------------------------------------------------------------


async def cmd_help(ctx: Context) -> Message:
    lines: list[Message | str] = [
        "I remind you before every broadcast of the K-dramas you follow, in your time zone, and pass on their news.",
    ]
    owner = ctx.core.is_owner(ctx.msg)
    for command in COMMANDS:
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


async def cmd_subscribe(ctx: Context) -> Message | Reply:
    return _personal(ctx, "subscribe <show or actor>", "/subscribe") or await _follow(ctx, ctx.text, "/subscribe")


async def cmd_unsubscribe(ctx: Context) -> Message | Reply:
    return _personal(ctx, "unsubscribe <show or actor>", "/unsubscribe") or await _unfollow(ctx, ctx.text, "/unsubscribe")


async def cmd_subscriptions(ctx: Context) -> Message:
    return await _list(ctx)


async def _show_or_set(ctx: Context, sub: str, command: str, setter) -> Message:
    """Anyone may read a setting; in a group only /channel may change it."""
    refusal = _personal(ctx, sub, command) if ctx.text.strip() else None
    return refusal or await setter(ctx, ctx.text, command)


async def cmd_timezone(ctx: Context) -> Message:
    return await _show_or_set(ctx, "timezone <zone>", "/timezone", _set_zone)


async def cmd_remind(ctx: Context) -> Message:
    return await _show_or_set(ctx, "remind <lead ...>", "/remind", _set_leads)


async def cmd_next(ctx: Context) -> Message | Reply:
    core = ctx.core
    zone, _ = await core.chat_settings(ctx.chat)
    if ctx.text.strip():
        found = _find(ctx, ctx.text, "/next")
        if isinstance(found, Reply):
            return found
        keys, about = _target_shows(ctx, found), found.name
    else:
        subs = await core.store.subscriptions(ctx.chat.platform, ctx.chat.key)
        if not subs:
            return _say(
                f"This chat follows nothing yet. Try /next The Interest of Love, or {_command(ctx, 'subscribe')} to a show first."
            )
        keys, about = core.catalog.shows_followed(subs), "anything this chat follows"
    airing = _next_airing(ctx, keys)
    release = _next_release(ctx, keys, zone, airing)
    if release is not None:
        return _release_line(ctx, release)
    if airing is None:
        ended = [k for k in keys if _finished_on(ctx, k)]
        if ended and len(ended) == len(keys):
            return _say(f"{_and(_show_names(ctx, set(ended)))}: no more episodes.")
        return _say(f"No upcoming episode of {about} is in the catalog.")
    show = core.catalog.shows[airing.show_key]
    return _say(
        "Next: ", Bold(show.title), f" episode {airing.episode}, ", When(airing.start, zone), ", ",
        Countdown(airing.start, ctx.now), ".",
    )


async def cmd_schedule(ctx: Context) -> Message:
    core = ctx.core
    zone, _ = await core.chat_settings(ctx.chat)
    subs = await core.store.subscriptions(ctx.chat.platform, ctx.chat.key)
    if not subs:
        return _say(
            f"This chat follows nothing yet, so there is no schedule. Try {_command(ctx, 'subscribe')} The Interest of Love."
        )
    keys = core.catalog.shows_followed(subs)
    until = ctx.now + timedelta(days=SCHEDULE_DAYS)
    entries: list[tuple[datetime, Message]] = [
        (a.start, _say("• ", When(a.start, zone), ": ", Bold(core.catalog.shows[a.show_key].title), f" episode {a.episode}"))
        for a in core.catalog.airings_between(ctx.now, until + timedelta(seconds=1)) if a.show_key in keys and a.start > ctx.now
    ]
    today = ctx.now.astimezone(zone).date()
    hour = core.config.tvmaze.streaming_hour
    entries += [
        (r.due(zone, hour), _say(f"• {format_day(r.day)} (streaming release): ", Bold(core.catalog.shows[r.show_key].title),
                                 f" episode {r.episode}"))
        for r in releases_between(core.catalog, today, today + timedelta(days=SCHEDULE_DAYS), keys)
    ]
    if not entries:
        return _say(f"Nothing this chat follows airs in the next {SCHEDULE_DAYS} days.")
    entries.sort(key=lambda e: e[0])
    lines: list[Message | str] = [f"The next {SCHEDULE_DAYS} days, in {zone.key}:"]
    lines += [line for _, line in entries[:SCHEDULE_LINES]]
    if len(entries) > SCHEDULE_LINES:
        lines.append(f"…and {len(entries) - SCHEDULE_LINES} more.")
    return Message.lines(*lines)


async def cmd_channel_subscribe(ctx: Context) -> Message | Reply:
    return await _follow(ctx, ctx.text, "/channel subscribe")


async def cmd_channel_unsubscribe(ctx: Context) -> Message | Reply:
    return await _unfollow(ctx, ctx.text, "/channel unsubscribe")


async def cmd_channel_list(ctx: Context) -> Message:
    return await _list(ctx)


async def cmd_channel_timezone(ctx: Context) -> Message:
    return await _set_zone(ctx, ctx.text, "/channel timezone")


async def cmd_channel_remind(ctx: Context) -> Message:
    return await _set_leads(ctx, ctx.text, "/channel remind")


# ---- deep links: https://t.me/<bot>?start=<payload> arrives as "/start <payload>" ----------------------

PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")  # what Telegram carries in a start parameter
_PAYLOAD_KINDS = {"show": "s", "actor": "a"}


def share_payload(target: Target) -> str | None:
    """The start parameter that follows `target`: "s-<key>" / "a-<key>", or "sx-"/"ax-" and the key in
    base64url when it is not plain ASCII (Hangul names); None when it would not fit 64 characters."""
    kind = _PAYLOAD_KINDS[target.kind]
    if re.fullmatch(r"[a-z0-9]+", target.key):
        payload = f"{kind}-{target.key}"
    else:
        payload = f"{kind}x-" + base64.urlsafe_b64encode(target.key.encode()).decode().rstrip("=")
    return payload if PAYLOAD.fullmatch(payload) else None


def payload_target(core: Core, payload: str) -> Target | None:
    """The show or actor a start parameter names, or None for a stale or forged one."""
    kind_code, sep, rest = payload.partition("-")
    if not sep or not PAYLOAD.fullmatch(payload):
        return None
    kind = next((k for k, code in _PAYLOAD_KINDS.items() if kind_code in (code, code + "x")), None)
    if kind is None:
        return None
    key = rest
    if kind_code.endswith("x"):
        try:
            key = base64.urlsafe_b64decode(rest + "=" * (-len(rest) % 4)).decode()
        except (ValueError, UnicodeDecodeError):
            return None
    return core.catalog.target(kind, key)


async def cmd_start(ctx: Context) -> Message:
    """/start greets with the help text; /start <payload> (a shared link) follows what it names."""
    payload = ctx.text.strip()
    if not payload:
        return await cmd_help(ctx)
    target = payload_target(ctx.core, payload)
    if target is None:
        return Message.lines(
            "That link names no show or actor I know (it may be out of date). Try /subscribe with its name.",
            await cmd_help(ctx),
        )
    if not ctx.msg.private and not await ctx.core.is_admin(ctx.msg):
        return _refuse()
    return await _follow_target(ctx, target)


async def cmd_share(ctx: Context) -> Message | Reply:
    """A one-tap link that makes whoever opens it follow a show or actor."""
    found = _find(ctx, ctx.text, "/share")
    if isinstance(found, Reply):
        return found
    payload = share_payload(found)
    if payload is None or not ctx.msg.bot_username:
        return _say("I cannot make a link for ", Bold(found.name), f"; fans can type /subscribe {found.name}.")
    url = f"https://t.me/{ctx.msg.bot_username}?start={payload}"
    return _say("Share this link: whoever opens it and taps Start follows ", Bold(found.name), ":\n", Link(url, url))


async def cmd_channel_ping(ctx: Context) -> Message:
    handle = ctx.text.strip()
    if handle.casefold() in ("", "off", "none"):
        await ctx.core.set_mention(ctx.chat, private=False, mention=None)
        return _say("Reminders here mention no one. Pick a role with /channel ping <role> to notify its members.")
    if len(handle) > 100 or any(c.isspace() for c in handle):
        return _say("Pick one role, e.g. /channel ping @Drama Fans, or /channel ping without a role to stop.")
    await ctx.core.set_mention(ctx.chat, private=False, mention=handle)
    return _say("Reminders here will mention the role you picked. /channel ping without a role stops that.")


async def cmd_channel_events(ctx: Context) -> Message:
    state = ctx.text.strip().casefold()
    if state not in ("on", "off"):
        return _say("Usage: /channel events on, or /channel events off.")
    await ctx.core.set_events(ctx.chat, private=False, on=state == "on")
    if state == "off":
        return _say("I will no longer list this chat's episodes as server events (those already listed are removed).")
    return _say(
        f"Every episode this chat follows in the next {SCHEDULE_DAYS} days will be listed as a server event, "
        "kept in step with the schedule, so members can mark themselves interested."
    )


NAME = Argument("name", "show or actor", "a title, alias or actor name; Hangul works")
ZONE = Argument("zone", "zone", "an IANA zone like America/New_York, or a city like Seoul", required=False)
LEADS = Argument("leads", "lead", "one to three of 30m, 1h, 1h30m, 1d, 0m", required=False, many=True)
ROLE = Argument("role", "role", "the role whose members reminders here mention; leave out to stop", required=False, role=True)
EVENTS = Argument("state", "on|off", "on: list upcoming episodes as server events; off: stop", choices=("on", "off"))
FEED_URL = Argument("url", "url", "the feed's address: https://...")
FEED_NAME = Argument("name", "name", "what to call the feed (default: its site, like soompi.com)", required=False)

COMMANDS: tuple[Command, ...] = (
    Command(
        "subscribe", "follow a show (reminders and news) or an actor (news, and reminders for their shows)",
        cmd_subscribe, (NAME,),
    ),
    Command("unsubscribe", "stop following a show or actor", cmd_unsubscribe, (NAME,)),
    Command("subscriptions", "what this chat follows, with lead times and zone", cmd_subscriptions),
    Command("timezone", "show or set the time zone reminders are written in", cmd_timezone, (ZONE,)),
    Command("remind", "show or set how long before each episode reminders come", cmd_remind, (LEADS,)),
    Command("next", "the next episode, with local time and countdown", cmd_next, (replace(NAME, required=False),)),
    Command("schedule", f"what this chat follows in the next {SCHEDULE_DAYS} days", cmd_schedule),
    Command("share", "a link that subscribes whoever opens it to a show or actor", cmd_share, (NAME,), platforms=("telegram",)),
    Command("help", "what I can do", cmd_help),
    Command("start", "greet, or follow what a shared link names", cmd_start,
            (Argument("payload", "link code", "what a shared link carries", required=False),), hidden=True),
    Command(
        "channel",
        "admin settings for this group or server channel",
        admin_only=True,
        subcommands=(
            Command("subscribe", "make this chat follow a show or actor", cmd_channel_subscribe, (NAME,), admin_only=True),
            Command("unsubscribe", "stop this chat following a show or actor", cmd_channel_unsubscribe, (NAME,), admin_only=True),
            Command("list", "what this chat follows", cmd_channel_list, admin_only=True),
            Command("timezone", "set this chat's time zone", cmd_channel_timezone, (replace(ZONE, required=True),), admin_only=True),
            Command("remind", "set this chat's lead times", cmd_channel_remind, (replace(LEADS, required=True),), admin_only=True),
            Command("ping", "make this chat's reminders mention a role (none: stop)", cmd_channel_ping, (ROLE,), admin_only=True),
            Command("events", f"list this chat's episodes of the next {SCHEDULE_DAYS} days as server events",
                    cmd_channel_events, (EVENTS,), admin_only=True),
        ),
    ),
    Command("news", "the five latest articles about a show or actor, or about what this chat follows", news_commands.cmd_news,
            (replace(NAME, required=False),)),
    Command(
        "feeds",
        "the news feeds polled, with their health (bot owners)",
        news_commands.cmd_feeds_list,
        owner_only=True,
        subcommands=(
            Command("list", "every feed, its health and last new article", news_commands.cmd_feeds_list),
            Command("add", "check that a URL is an RSS or Atom feed, then poll it", news_commands.cmd_feeds_add,
                    (FEED_URL, FEED_NAME)),
            Command("remove", "stop polling a feed added with /feeds add", news_commands.cmd_feeds_remove,
                    (replace(FEED_NAME, required=True, help="the feed's name, as /feeds lists it"),)),
        ),
    ),
    Command(
        "show",
        "correct the catalog (the bot's owners)",
        owner_only=True,
        subcommands=(
            Command("skip", "a broadcast is pre-empted: the show does not air on that date (its zone)", cmd_show_skip,
                    (Argument("show_date", "show> <date", "a show and a date like 2026-03-08"),), owner_only=True),
            Command("move", "an episode airs at another date and time (the show's zone)", cmd_show_move,
                    (Argument("show_move", "show> <episode> <date> <time", "e.g. Night Owl 3 2026-03-09 23:50"),),
                    owner_only=True),
        ),
    ),
)

BY_NAME: dict[str, Command] = {alias: c for c in COMMANDS for alias in (c.name, *c.aliases)}


# ---- dispatch -----------------------------------------------------------------------------------


async def respond(core: Core, msg: IncomingMessage) -> Reply | None:
    """The reply to one incoming line, or None when the bot should stay quiet (chatter in a group)."""
    typed = msg.text or ""
    text = visible(typed)  # a stray control, bidi or zero-width character spoils nothing
    msg = replace(msg, text=text)
    stripped = text.strip()
    is_command = stripped.startswith("/")
    if len(text) > MAX_TEXT:
        if not (is_command or msg.private):
            return None
        return Reply(_say(
            f"That message is {len(text):,} characters long; commands are at most {MAX_TEXT}. Type /help to see them."
        ))
    if not is_command:  # chatter in a group, or a photo or sticker without text: say nothing
        if msg.private and typed.strip():
            return Reply(_say("I answer commands that start with /. Type /help to see them."))
        return None
    parts = stripped.split(maxsplit=1)
    name, _, addressee = parts[0][1:].partition("@")
    if addressee and msg.bot_username and addressee.casefold() != msg.bot_username.casefold():
        return None  # "/help@other_bot": meant for another bot in the same group
    rest = parts[1] if len(parts) > 1 else ""
    command = BY_NAME.get(name.casefold())
    if command is not None and not command.available_on(msg.platform):
        command = None
    if command is None:
        if not msg.private and not addressee:
            return None  # other bots' commands in a shared group are none of our business
        shown = parts[0][:30]
        return Reply(_say(f"I don't know the command {shown}. Type /help to see the commands."))
    path: tuple[str, ...] = (command.name,)
    if command.subcommands:
        words = rest.split(maxsplit=1)
        if words:
            path += (words[0].casefold(),)
            rest = words[1] if len(words) > 1 else ""
    target = _resolve(path)
    return await execute(core, msg, path, _split_args(target.args if target is not None else (), rest))


def _split_args(arguments: tuple[Argument, ...], rest: str) -> dict[str, str]:
    """A typed line's options: each argument before the last takes one word, the last the rest."""
    args: dict[str, str] = {}
    for i, arg in enumerate(arguments):
        if i == len(arguments) - 1:
            args[arg.key] = rest
            break
        head, *tail = rest.split(maxsplit=1) or [""]
        args[arg.key] = head
        rest = tail[0] if tail else ""
    return args


def _resolve(path: tuple[str, ...]) -> Command | None:
    command = BY_NAME.get(path[0]) if path else None
    for name in path[1:]:
        if command is None:
            return None
        command = next((sub for sub in command.subcommands if sub.name == name), None)
    return command


async def execute(core: Core, msg: IncomingMessage, path: tuple[str, ...], args: Mapping[str, str]) -> Reply:
    """Run a command given as a path and options; the reply says what happened or what was wrong."""
    ctx = Context(core, msg, tuple(p.casefold() for p in path), dict(args), core.clock.now())
    try:
        body = await _dispatch(ctx)
    except Exception:
        log.exception("command %r failed", " ".join(path)[:80])
        body = _say("Sorry, something went wrong on my side. Please try again later.")
    reply = body if isinstance(body, Reply) else Reply(body)
    if ctx.path[:1] == ("channel",):
        reply = Reply(reply.body, reply.choices, personal=False)
    return reply


async def _dispatch(ctx: Context) -> Message | Reply:
    command = BY_NAME.get(ctx.path[0]) if ctx.path else None
    if command is None or not command.available_on(ctx.msg.platform):
        return _say(f"I don't know the command /{' '.join(ctx.path)[:30]}. Type /help to see the commands.")
    if command.subcommands:
        return await _dispatch_group(command, ctx)
    if command.owner_only and not ctx.core.is_owner(ctx.msg):
        return _refuse_non_owner(command)
    if command.admin_only and not await ctx.core.is_admin(ctx.msg):
        return _refuse()
    assert command.handler is not None
    return await command.handler(ctx)


def _refuse() -> Message:
    return _say(
        "Only admins of this chat can do that (Discord: Manage Server; Telegram: group administrator). Nothing was changed."
    )


def _refuse_non_owner(group: Command) -> Message:
    return _say(
        f"Only the bot's owners can use /{group.name}: it changes what every chat gets. Nothing was changed."
    )


async def _dispatch_group(group: Command, ctx: Context) -> Message | Reply:
    options = ", ".join(sub.usage(group.name) for sub in group.subcommands)
    if group.owner_only:
        if not ctx.core.is_owner(ctx.msg):
            return _refuse_non_owner(group)
        if len(ctx.path) < 2 and group.handler is not None:
            return await group.handler(ctx)
    elif ctx.msg.private:
        return _say(
            f"/{group.name} commands set up a group chat or server channel. "
            "Here, use /subscribe, /timezone and /remind for yourself."
        )
    if len(ctx.path) < 2:
        if group.admin_only and not await ctx.core.is_admin(ctx.msg):
            return _refuse()
        return _say(f"Use one of: {options}.")
    sub = next((s for s in group.subcommands if s.name == ctx.path[1]), None)
    if (group.admin_only or (sub is not None and sub.admin_only)) and not await ctx.core.is_admin(ctx.msg):
        return _refuse()
    if sub is None:
        return _say(f"/{group.name} has no {_quote(ctx.path[1], 20)}. Use one of: {options}.")
    if sub.args and sub.args[0].required and not ctx.text.strip():
        return _say(f"Usage: {sub.usage(group.name)}.")
    assert sub.handler is not None
    return await sub.handler(ctx)
