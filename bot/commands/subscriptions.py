"""Following and unfollowing shows and actors, and listing what a chat follows:
`/subscribe`, `/unsubscribe`, `/subscriptions` (and the same for a group under `/channel`)."""

from __future__ import annotations

from ..domain.i18n import stored_reason, title_in
from ..domain.interfaces import Reply
from ..domain.names import Target
from ..domain.render import Bold, Countdown, Message, When
from .find import find, find_anywhere, finished_on, next_airing, next_release, release_line, show_names, target_shows
from .spec import NAME, Command, Context
from .text import LIST_LINES, and_, leads_text, local_date, personal, target_name, typed


async def follow(ctx: Context, text: str, example: str) -> Message | Reply:
    found = await find_anywhere(ctx, text, example)
    if isinstance(found, Reply):
        return found
    return await follow_target(ctx, found)


async def follow_target(ctx: Context, found: Target) -> Message:
    chats, catalog = ctx.chats, ctx.lookup.catalog
    name = Bold(target_name(ctx, found))
    if not await chats.subscribe(ctx.chat, private=ctx.msg.private, target=found):
        return ctx.say("follow-already", name=name, listing=typed(ctx, "subscriptions"))
    zone, leads = await chats.chat_settings(ctx.chat)
    reach = target_shows(ctx, found)
    if found.kind == "show":
        head = ctx.say("follow-show", name=name)
    else:
        airing_shows = {k for k in reach if not finished_on(ctx, k)}
        if airing_shows:
            head = ctx.say("follow-actor-shows", name=name, shows=and_(show_names(ctx, reach), ctx.lang))
        elif reach:
            head = ctx.say("follow-actor-finished", name=name, shows=and_(show_names(ctx, reach), ctx.lang))
        else:
            head = ctx.say("follow-actor", name=name)
    lines: list[Message | str] = [head]
    airing = next_airing(ctx, reach)
    if airing is not None:
        show = catalog.shows[airing.show_key]
        lines.append(ctx.say(
            "follow-next", title=title_in(ctx.lang, show.title, show.aliases), episode=airing.episode,
            when=When(airing.start, zone, lang=ctx.lang), countdown=Countdown(airing.start, ctx.now, ctx.lang),
        ))
        lines.append(ctx.say(
            "follow-settings", leads=leads_text(leads, ctx.lang), zone=zone.key,
            remind=typed(ctx, "remind"), timezone=typed(ctx, "timezone"),
        ))
    elif (release := next_release(ctx, reach, zone)) is not None:
        lines.append(release_line(ctx, release))
    elif found.kind == "show":
        ended = finished_on(ctx, found.key)
        if ended is not None:
            lines.append(ctx.say("follow-finished", date=local_date(ctx, ended, zone)))
    if found.key.startswith("tvmaze:"):
        lines.append(ctx.say("tvmaze-credit"))
    return Message.lines(*lines)


async def unfollow(ctx: Context, text: str, example: str) -> Message | Reply:
    found = find(ctx, text, example)
    if isinstance(found, Reply):
        return found
    chats = ctx.chats
    name = Bold(target_name(ctx, found))
    if not await chats.unsubscribe(ctx.chat, found):
        why = _kept_by(ctx, found, await chats.store.subscriptions(platform=ctx.chat.platform, chat_id=ctx.chat.key), now=True)
        if why:
            return ctx.say("unfollow-not-itself", name=name, why=why)
        return ctx.say("unfollow-not-followed", name=name, listing=typed(ctx, "subscriptions"))
    why = _kept_by(ctx, found, await chats.store.subscriptions(platform=ctx.chat.platform, chat_id=ctx.chat.key))
    if not why:
        return ctx.say("unfollow-done", name=name)
    return ctx.say("unfollow-kept", name=name, why=why)


def _kept_by(ctx: Context, found: Target, remaining: list[tuple[str, str]], *, now: bool = False) -> str:
    """Why reminders for what `found` reaches still come, naming every subscription that brings
    them and how to stop each: "Reminders for X still come because this chat follows A and B;
    /unsubscribe A and /unsubscribe B stop them (all are needed)." Empty when nothing does."""
    catalog = ctx.lookup.catalog
    reach = target_shows(ctx, found)
    still = reach & catalog.shows_followed(remaining)
    if not still:
        return ""
    via = sorted(
        target_name(ctx, target)
        for kind, key in remaining
        if (target := catalog.target(kind, key)) is not None and target_shows(ctx, target) & still
    )
    titles = sorted(title_in(ctx.lang, catalog.shows[k].title, catalog.shows[k].aliases) for k in still)
    shown = ", ".join(titles[:5])
    if len(titles) > 5:
        shown = ctx.msg_text("and-more", names=shown, count=len(titles) - 5)
    unsubscribe = typed(ctx, "unsubscribe")
    named = via[:LIST_LINES]
    stops = and_([f"{unsubscribe} {name}" for name in named], ctx.lang)
    msg_id = ("kept-by-one" if len(named) == 1 else "kept-by-many") + ("-now" if now else "")
    return ctx.msg_text(msg_id, shows=shown, via=and_(named, ctx.lang), stops=stops)


async def list_followed(ctx: Context) -> Message:
    chats, catalog = ctx.chats, ctx.lookup.catalog
    settings = await chats.store.chat(platform=ctx.chat.platform, chat_id=ctx.chat.key)
    zone, leads = await chats.chat_settings(ctx.chat)
    subs = await chats.store.subscriptions(platform=ctx.chat.platform, chat_id=ctx.chat.key)
    if not subs:
        return ctx.say("list-empty", subscribe=typed(ctx, "subscribe"))
    lines: list[Message | str] = [ctx.say("list-head")]
    for kind, key in subs[:LIST_LINES]:
        target = catalog.target(kind, key)
        if target is None:
            lines.append(ctx.say("list-gone", name=Bold(key), kind=kind))
            continue
        name = Bold(target_name(ctx, target))
        if kind == "show" and (ended := finished_on(ctx, key)) is not None:
            lines.append(ctx.say("list-show-finished", name=name, date=local_date(ctx, ended, zone)))
        elif kind == "actor" and (reach := target_shows(ctx, target)) and all(finished_on(ctx, k) for k in reach):
            lines.append(ctx.say("list-actor-finished", name=name))
        else:
            lines.append(ctx.say("list-show" if kind == "show" else "list-actor", name=name))
    if len(subs) > LIST_LINES:
        lines.append(ctx.say("list-more", count=len(subs) - LIST_LINES))
    lines.append(ctx.say("list-settings", leads=leads_text(leads, ctx.lang), zone=zone.key))
    if settings is not None and settings.paused_reason:
        lines.append(ctx.say("list-paused", reason=stored_reason(ctx.lang, settings.paused_reason)))
    return Message.lines(*lines)


async def cmd_subscribe(ctx: Context) -> Message | Reply:
    return personal(ctx, "subscribe <show or actor>", "/subscribe") or await follow(ctx, ctx.text, "/subscribe")


async def cmd_unsubscribe(ctx: Context) -> Message | Reply:
    return personal(ctx, "unsubscribe <show or actor>", "/unsubscribe") or await unfollow(ctx, ctx.text, "/unsubscribe")


async def cmd_subscriptions(ctx: Context) -> Message:
    return await list_followed(ctx)


SUBSCRIBE = Command(
    "subscribe",
    cmd_subscribe, (NAME,),
)
UNSUBSCRIBE = Command("unsubscribe", cmd_unsubscribe, (NAME,))
SUBSCRIPTIONS = Command("subscriptions", cmd_subscriptions)
