"""What airs next and this week: `/next` and `/schedule`."""

from __future__ import annotations

from datetime import datetime, timedelta

from ..domain.interfaces import Reply
from ..domain.release_dates import format_day, releases_between
from ..domain.render import Bold, Countdown, Message, When
from .find import find, finished_on, next_airing, next_release, release_line, show_names, target_shows
from .spec import OPTIONAL_NAME, SCHEDULE_DAYS, Command, Context
from .text import and_, say, typed

SCHEDULE_LINES = 20  # replies stay under Discord's 2,000 characters


async def cmd_next(ctx: Context) -> Message | Reply:
    catalog = ctx.lookup.catalog
    zone, _ = await ctx.chats.chat_settings(ctx.chat)
    if ctx.text.strip():
        found = find(ctx, ctx.text, "/next")
        if isinstance(found, Reply):
            return found
        keys, about = target_shows(ctx, found), found.name
    else:
        subs = await ctx.chats.store.subscriptions(platform=ctx.chat.platform, chat_id=ctx.chat.key)
        if not subs:
            return say(
                f"This chat follows nothing yet. Try /next The Interest of Love, or {typed(ctx, 'subscribe')} to a show first."
            )
        keys, about = catalog.shows_followed(subs), "anything this chat follows"
    airing = next_airing(ctx, keys)
    release = next_release(ctx, keys, zone, airing)
    if release is not None:
        return release_line(ctx, release)
    if airing is None:
        ended = [k for k in keys if finished_on(ctx, k)]
        if ended and len(ended) == len(keys):
            return say(f"{and_(show_names(ctx, set(ended)))}: no more episodes.")
        return say(f"No upcoming episode of {about} is in the catalog.")
    show = catalog.shows[airing.show_key]
    return say(
        "Next: ", Bold(show.title), f" episode {airing.episode}, ", When(airing.start, zone), ", ",
        Countdown(airing.start, ctx.now), ".",
    )


async def cmd_schedule(ctx: Context) -> Message:
    catalog = ctx.lookup.catalog
    zone, _ = await ctx.chats.chat_settings(ctx.chat)
    subs = await ctx.chats.store.subscriptions(platform=ctx.chat.platform, chat_id=ctx.chat.key)
    if not subs:
        return say(
            f"This chat follows nothing yet, so there is no schedule. Try {typed(ctx, 'subscribe')} The Interest of Love."
        )
    keys = catalog.shows_followed(subs)
    until = ctx.now + timedelta(days=SCHEDULE_DAYS)
    entries: list[tuple[datetime, Message]] = [
        (a.start, say("• ", When(a.start, zone), ": ", Bold(catalog.shows[a.show_key].title), f" episode {a.episode}"))
        for a in catalog.airings_between(ctx.now, until + timedelta(seconds=1)) if a.show_key in keys and a.start > ctx.now
    ]
    today = ctx.now.astimezone(zone).date()
    hour = ctx.settings.config.tvmaze.streaming_hour
    entries += [
        (r.due(zone, hour), say(f"• {format_day(r.day)} (streaming release): ", Bold(catalog.shows[r.show_key].title),
                                f" episode {r.episode}"))
        for r in releases_between(catalog, today, today + timedelta(days=SCHEDULE_DAYS), keys)
    ]
    if not entries:
        return say(f"Nothing this chat follows airs in the next {SCHEDULE_DAYS} days.")
    entries.sort(key=lambda e: e[0])
    lines: list[Message | str] = [f"The next {SCHEDULE_DAYS} days, in {zone.key}:"]
    lines += [line for _, line in entries[:SCHEDULE_LINES]]
    if len(entries) > SCHEDULE_LINES:
        lines.append(f"…and {len(entries) - SCHEDULE_LINES} more.")
    return Message.lines(*lines)


NEXT = Command("next", "the next episode, with local time and countdown", cmd_next, (OPTIONAL_NAME,))
SCHEDULE = Command("schedule", f"what this chat follows in the next {SCHEDULE_DAYS} days", cmd_schedule)
