"""Finding what a user named (the catalog, then TVmaze), and what the catalog says about it:
the shows a target reaches, the next airing or streaming release, whether a show has finished."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from ..domain.catalog import Airing
from ..domain.i18n import Said, title_in
from ..domain.interfaces import Choice, Reply
from ..domain.names import Lookup as NameLookup
from ..domain.names import Target
from ..domain.release_dates import Release, releases_between
from ..domain.render import Bold, Message
from ..integrations.tvmaze import Found
from .spec import Context
from .text import local_day, quote


def _arg_key(ctx: Context) -> str:
    """The option a choice fills in: the command's first argument."""
    assert ctx.command is not None and ctx.command.args
    return ctx.command.args[0].key


def find(ctx: Context, text: str, example: str) -> Target | Reply:
    """The target a user named, or the reply explaining why there is none (with a choice of
    candidates when the name could mean several)."""
    if not text.strip():
        return Reply(ctx.say("find-empty", example=example))
    index = ctx.lookup.catalog.names
    found = index.lookup(text)
    if found.target:
        return found.target
    if found.candidates:
        labels = [index.label(t, ctx.lang) for t in found.candidates]
        key = _arg_key(ctx)
        choices = tuple(Choice(label, ctx.path, ((key, label),)) for label in labels)
        return Reply(ctx.say("find-several", typed=quote(text), labels=", ".join(labels), example=example, first=labels[0]), choices)
    return Reply(ctx.say("find-none", typed=quote(text)))


async def find_anywhere(ctx: Context, text: str, example: str) -> Target | Reply:
    """`find`, asking TVmaze too unless the catalog has the name exactly (or it is a TVmaze key):
    an exact title or name wins wherever it is; a part or a misspelling the catalog matched stands
    only when TVmaze offers nothing else (or cannot be asked), otherwise both are choices."""
    catalog = ctx.lookup.catalog
    key = text.strip().lower()
    imported = catalog.target("show", key) or catalog.target("actor", key)
    if imported is not None:
        return imported
    live = ctx.lookup.live
    remote = live is not None and live.searchable and bool(key)
    index = catalog.names
    local = NameLookup(None) if remote and key.startswith("tvmaze:") else index.lookup(text)
    if not remote or (local.exact and local.target is not None):
        return find(ctx, text, example)
    assert live is not None
    near = (local.target,) if local.target is not None else local.candidates
    result = await live.lookup(text, imports="none" if local.exact else "exact" if near else "best", who=f"{ctx.msg.platform}:{ctx.msg.user}")
    if isinstance(result, Target):
        return result
    if near and (isinstance(result, Said) or not _tvmaze_options(ctx, result)):
        return find(ctx, text, example)  # TVmaze offers nothing else: the catalog's answer stands
    if isinstance(result, Said):
        return Reply(ctx.say("find-no-tvmaze", typed=quote(text), reason=result))
    if not result:
        return Reply(ctx.say("find-none-anywhere", typed=quote(text)))
    labels = [index.label(t, ctx.lang) for t in near]
    return _choices(ctx, text, example, [(label, label) for label in labels], result)


def _tvmaze_options(ctx: Context, found: list[Found]) -> list[tuple[str, str]]:
    """(value typed, label) of each TVmaze result the catalog does not hold already."""
    catalog = ctx.lookup.catalog
    options = []
    for item in found:
        ident, label = (item.show.key, _pick(ctx, "pick-show", item.show.name, item.show.network, item.show.country,
                                             item.show.premiered[:4])) if item.show else \
            (item.person.key, _pick(ctx, "pick-actor", item.person.name, item.person.country,
                                    ctx.msg_text("pick-born", year=item.person.birthday[:4]) if item.person.birthday else ""
                                    )) if item.person else ("", "")
        if ident and catalog.target("show", ident) is None and catalog.target("actor", ident) is None:
            options.append((ident, label))
    return options


def _pick(ctx: Context, msg_id: str, name: str, *details: str) -> str:
    """A TVmaze result's label: its name, and what tells it apart (network, country, year; data)."""
    described = ", ".join(d for d in details if d) or ctx.msg_text("pick-no-details")
    return ctx.msg_text(msg_id, name=name, details=described)


def _choices(ctx: Context, text: str, example: str, local: list[tuple[str, str]], found: list[Found]) -> Reply:
    """Candidates to pick from: the catalog's (value typed, label) and TVmaze's results, each
    with the exact command that picks it."""
    arg = _arg_key(ctx)
    options = list(local) + _tvmaze_options(ctx, found)
    lines: list[Message | str] = [ctx.say("find-pick" if local else "find-pick-tvmaze", typed=quote(text))]
    lines += [f"• {label}: {example} {value}" for value, label in options]
    return Reply(Message.lines(*lines), tuple(Choice(label, ctx.path, ((arg, value),)) for value, label in options))


# ---- what the catalog says --------------------------------------------------------------------


def target_shows(ctx: Context, target: Target) -> set[str]:
    return ctx.lookup.catalog.shows_followed([(target.kind, target.key)])


def finished_on(ctx: Context, show_key: str) -> datetime | None:
    """When a show aired its last episode, if it has (None: it is still airing or never aired)."""
    last = ctx.lookup.catalog.last_airing(show_key)
    return last.start if last is not None and last.start <= ctx.now else None


def show_names(ctx: Context, keys: set[str]) -> list[str]:
    """Titles, each finished show marked so."""
    shows = ctx.lookup.catalog.shows
    names = []
    for key in sorted(keys, key=lambda k: shows[k].title):
        title = title_in(ctx.lang, shows[key].title, shows[key].aliases)
        names.append(ctx.msg_text("show-finished", title=title) if finished_on(ctx, key) else title)
    return names


def next_airing(ctx: Context, show_keys: set[str]) -> Airing | None:
    return ctx.lookup.catalog.next_airing(show_keys, ctx.now)


def next_release(ctx: Context, show_keys: set[str], zone: ZoneInfo, before: Airing | None = None) -> Release | None:
    """The next streaming release (dated today or later in the chat's zone) if it comes before
    `before` (by local date), else None."""
    today = ctx.now.astimezone(zone).date()
    found = releases_between(ctx.lookup.catalog, today, date.max, show_keys)
    if not found or (before is not None and found[0].day >= before.start.astimezone(zone).date()):
        return None
    return found[0]


def release_line(ctx: Context, release: Release) -> Message:
    show = ctx.lookup.catalog.shows[release.show_key]
    hour = ctx.settings.config.tvmaze.streaming_hour
    return ctx.say(
        "next-release", title=Bold(title_in(ctx.lang, show.title, show.aliases)), episode=release.episode,
        day=local_day(ctx, release.day), hour=f"{hour:%H:%M}",
    )
