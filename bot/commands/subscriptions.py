"""Following and unfollowing shows and actors, and listing what a chat follows:
`/subscribe`, `/unsubscribe`, `/subscriptions` (and the same for a group under `/channel`)."""

from __future__ import annotations

from ..domain.interfaces import Reply
from ..domain.names import Target
from ..domain.render import Bold, Countdown, Message, When
from ..domain.zones import format_local_date
from .find import find, find_anywhere, finished_on, next_airing, next_release, release_line, show_names, target_shows
from .spec import NAME, Command, Context
from .text import LIST_LINES, TVMAZE_CREDIT, and_, leads_text, personal, say, typed


async def follow(ctx: Context, text: str, example: str) -> Message | Reply:
    found = await find_anywhere(ctx, text, example)
    if isinstance(found, Reply):
        return found
    return await follow_target(ctx, found)


async def follow_target(ctx: Context, found: Target) -> Message:
    chats, catalog = ctx.chats, ctx.lookup.catalog
    if not await chats.subscribe(ctx.chat, private=ctx.msg.private, target=found):
        listing = typed(ctx, "subscriptions")
        return say("This chat already follows ", Bold(found.name), f". {listing} lists everything it follows.")
    zone, leads = await chats.chat_settings(ctx.chat)
    reach = target_shows(ctx, found)
    if found.kind == "show":
        head = say("Subscribed to ", Bold(found.name), ": reminders before every episode, and its news.")
    else:
        airing_shows = {k for k in reach if not finished_on(ctx, k)}
        if airing_shows:
            also = f" and reminders for {and_(show_names(ctx, reach))}"
        elif reach:
            also = f"; their shows here have all finished airing ({and_(show_names(ctx, reach))}), so no reminders for now"
        else:
            also = ""
        head = say("Following ", Bold(found.name), f": news that mentions them{also}.")
    lines: list[Message | str] = [head]
    airing = next_airing(ctx, reach)
    if airing is not None:
        show = catalog.shows[airing.show_key]
        lines.append(say(
            f"Next: {show.title} episode {airing.episode}, ", When(airing.start, zone), ", ",
            Countdown(airing.start, ctx.now), ".",
        ))
        lines.append(
            f"Reminders come {leads_text(leads)}, times in {zone.key}. "
            f"Change them with {typed(ctx, 'remind')} and {typed(ctx, 'timezone')}."
        )
    elif (release := next_release(ctx, reach, zone)) is not None:
        lines.append(release_line(ctx, release))
    elif found.kind == "show":
        ended = finished_on(ctx, found.key)
        if ended is not None:
            lines.append(f"It finished airing on {format_local_date(ended, zone)}; you will still get its news.")
    if found.key.startswith("tvmaze:"):
        lines.append(TVMAZE_CREDIT)
    return Message.lines(*lines)


async def unfollow(ctx: Context, text: str, example: str) -> Message | Reply:
    found = find(ctx, text, example)
    if isinstance(found, Reply):
        return found
    chats = ctx.chats
    if not await chats.unsubscribe(ctx.chat, found):
        why = _kept_by(ctx, found, await chats.store.subscriptions(platform=ctx.chat.platform, chat_id=ctx.chat.key))
        if why:
            return say("This chat does not follow ", Bold(found.name), f" itself. {why.replace('still come', 'come')}")
        return say("This chat does not follow ", Bold(found.name), f". {typed(ctx, 'subscriptions')} lists what it follows.")
    why = _kept_by(ctx, found, await chats.store.subscriptions(platform=ctx.chat.platform, chat_id=ctx.chat.key))
    if not why:
        return say("Unsubscribed from ", Bold(found.name), ". No more reminders or news for it here.")
    return say("Unsubscribed from ", Bold(found.name), f". {why}")


def _kept_by(ctx: Context, found: Target, remaining: list[tuple[str, str]]) -> str:
    """Why reminders for what `found` reaches still come, naming every subscription that brings
    them and how to stop each: "Reminders for X still come because this chat follows A and B;
    /unsubscribe A and /unsubscribe B stop them (all are needed)." Empty when nothing does."""
    catalog = ctx.lookup.catalog
    reach = target_shows(ctx, found)
    still = reach & catalog.shows_followed(remaining)
    if not still:
        return ""
    via = sorted(
        target.name
        for kind, key in remaining
        if (target := catalog.target(kind, key)) is not None and target_shows(ctx, target) & still
    )
    titles = sorted(catalog.shows[k].title for k in still)
    shown = ", ".join(titles[:5]) + (f" and {len(titles) - 5} more" if len(titles) > 5 else "")
    unsubscribe = typed(ctx, "unsubscribe")
    named = via[:LIST_LINES]
    stops = and_([f"{unsubscribe} {name}" for name in named])
    verb = "stops them" if len(named) == 1 else "stop them (all are needed)"
    return f"Reminders for {shown} still come because this chat follows {and_(named)}; {stops} {verb}."


async def list_followed(ctx: Context) -> Message:
    chats, catalog = ctx.chats, ctx.lookup.catalog
    settings = await chats.store.chat(platform=ctx.chat.platform, chat_id=ctx.chat.key)
    zone, leads = await chats.chat_settings(ctx.chat)
    subs = await chats.store.subscriptions(platform=ctx.chat.platform, chat_id=ctx.chat.key)
    if not subs:
        return say(f"This chat follows nothing yet. Try {typed(ctx, 'subscribe')} The Interest of Love.")
    lines: list[Message | str] = ["This chat follows:"]
    for kind, key in subs[:LIST_LINES]:
        target = catalog.target(kind, key)
        if target is None:
            lines.append(say("• ", Bold(key), f" ({kind}, no longer in the catalog)"))
            continue
        note = ""
        if kind == "show" and (ended := finished_on(ctx, key)) is not None:
            note = f", finished airing {format_local_date(ended, zone)}"
        elif kind == "actor":
            reach = target_shows(ctx, target)
            if reach and all(finished_on(ctx, k) for k in reach):
                note = ", all their shows have finished airing"
        lines.append(say("• ", Bold(target.name), f" ({kind}{note})"))
    if len(subs) > LIST_LINES:
        lines.append(f"…and {len(subs) - LIST_LINES} more.")
    lines.append(f"Reminders {leads_text(leads)} each episode, times in {zone.key}.")
    if settings is not None and settings.paused_reason:
        lines.append(f"Delivery here is paused: {settings.paused_reason}. Any message in this chat resumes it.")
    return Message.lines(*lines)


async def cmd_subscribe(ctx: Context) -> Message | Reply:
    return personal(ctx, "subscribe <show or actor>", "/subscribe") or await follow(ctx, ctx.text, "/subscribe")


async def cmd_unsubscribe(ctx: Context) -> Message | Reply:
    return personal(ctx, "unsubscribe <show or actor>", "/unsubscribe") or await unfollow(ctx, ctx.text, "/unsubscribe")


async def cmd_subscriptions(ctx: Context) -> Message:
    return await list_followed(ctx)


SUBSCRIBE = Command(
    "subscribe", "follow a show (reminders and news) or an actor (news, and reminders for their shows)",
    cmd_subscribe, (NAME,),
)
UNSUBSCRIBE = Command("unsubscribe", "stop following a show or actor", cmd_unsubscribe, (NAME,))
SUBSCRIPTIONS = Command("subscriptions", "what this chat follows, with lead times and zone", cmd_subscriptions)
