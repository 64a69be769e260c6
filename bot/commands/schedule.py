"""What airs next and this week: `/next` and `/schedule`."""

from __future__ import annotations

from datetime import datetime, timedelta

from ..domain.i18n import title_in
from ..domain.interfaces import Reply
from ..domain.release_dates import releases_between
from ..domain.render import Bold, Countdown, Message, When
from .find import find, finished_on, next_airing, next_release, release_line, show_names, target_shows
from .spec import OPTIONAL_NAME, SCHEDULE_DAYS, Command, Context
from .text import and_, local_day, target_name, typed

SCHEDULE_LINES = 20  # replies stay under Discord's 2,000 characters


async def cmd_next(ctx: Context) -> Message | Reply:
    catalog = ctx.lookup.catalog
    zone, _ = await ctx.chats.chat_settings(ctx.chat)
    if ctx.text.strip():
        found = find(ctx, ctx.text, "/next")
        if isinstance(found, Reply):
            return found
        keys, about = target_shows(ctx, found), target_name(ctx, found)
    else:
        subs = await ctx.chats.store.subscriptions(platform=ctx.chat.platform, chat_id=ctx.chat.key)
        if not subs:
            return ctx.say("next-empty", subscribe=typed(ctx, "subscribe"))
        keys, about = catalog.shows_followed(subs), ""
    airing = next_airing(ctx, keys)
    release = next_release(ctx, keys, zone, airing)
    if release is not None:
        return release_line(ctx, release)
    if airing is None:
        ended = [k for k in keys if finished_on(ctx, k)]
        if ended and len(ended) == len(keys):
            return ctx.say("next-none-left", shows=and_(show_names(ctx, set(ended)), ctx.lang))
        return ctx.say("next-none", about=about) if about else ctx.say("next-none-followed")
    show = catalog.shows[airing.show_key]
    return ctx.say(
        "next-airing", title=Bold(title_in(ctx.lang, show.title, show.aliases)), episode=airing.episode,
        when=When(airing.start, zone, lang=ctx.lang), countdown=Countdown(airing.start, ctx.now, ctx.lang),
    )


async def cmd_schedule(ctx: Context) -> Message:
    catalog = ctx.lookup.catalog
    zone, _ = await ctx.chats.chat_settings(ctx.chat)
    subs = await ctx.chats.store.subscriptions(platform=ctx.chat.platform, chat_id=ctx.chat.key)
    if not subs:
        return ctx.say("schedule-empty", subscribe=typed(ctx, "subscribe"))
    keys = catalog.shows_followed(subs)

    def title(key: str) -> str:
        return title_in(ctx.lang, catalog.shows[key].title, catalog.shows[key].aliases)

    until = ctx.now + timedelta(days=SCHEDULE_DAYS)
    entries: list[tuple[datetime, Message]] = [
        (a.start, ctx.say("schedule-airing", when=When(a.start, zone, lang=ctx.lang), title=Bold(title(a.show_key)),
                          episode=a.episode))
        for a in catalog.airings_between(ctx.now, until + timedelta(seconds=1)) if a.show_key in keys and a.start > ctx.now
    ]
    today = ctx.now.astimezone(zone).date()
    hour = ctx.settings.config.tvmaze.streaming_hour
    entries += [
        (r.due(zone, hour), ctx.say("schedule-release", day=local_day(ctx, r.day), title=Bold(title(r.show_key)),
                                    episode=r.episode))
        for r in releases_between(catalog, today, today + timedelta(days=SCHEDULE_DAYS), keys)
    ]
    if not entries:
        return ctx.say("schedule-nothing", days=SCHEDULE_DAYS)
    entries.sort(key=lambda e: e[0])
    lines: list[Message | str] = [ctx.say("schedule-head", days=SCHEDULE_DAYS, zone=zone.key)]
    lines += [line for _, line in entries[:SCHEDULE_LINES]]
    if len(entries) > SCHEDULE_LINES:
        lines.append(ctx.say("list-more", count=len(entries) - SCHEDULE_LINES))
    return Message.lines(*lines)


NEXT = Command("next", cmd_next, (OPTIONAL_NAME,))
SCHEDULE = Command("schedule", cmd_schedule)
