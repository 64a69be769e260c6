"""The owners' commands: catalog corrections (`/show skip`, `/show move`) and the news feeds
(`/feeds`, `/feeds add`, `/feeds remove`).

Corrections go through the live catalog's one `apply` (as an `Edit` kept in the database), so the
followers get the same change notices as for a TVmaze refresh and the reminder plan follows at
once. Dates and times are the show's own (a Korean broadcast's date in Asia/Seoul). A show
TVmaze lacks is added to the catalog file, which `SIGHUP` reloads (see the README).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time

from ..app.feeds import FeedInfo, FeedRefused
from ..domain.catalog import Show
from ..domain.changes import Notice
from ..domain.headlines import shorten
from ..domain.i18n import stored_text, title_in
from ..domain.render import Bold, Countdown, Message, When, fit_lines
from ..integrations.sources import Edit
from .spec import FEED_NAME, FEED_URL, Argument, Command, Context

FEED_URL_MAX = 80
FEED_ERROR_MAX = 100


# ---- /show: catalog corrections ------------------------------------------------------------------


def _show(ctx: Context, name: str) -> Show | Message:
    catalog = ctx.lookup.catalog
    found = catalog.names.lookup(name)
    key = name.strip().lower()
    target = catalog.target("show", key) or found.target
    if target is None or target.kind != "show":
        labels = ", ".join(catalog.names.label(t, ctx.lang) for t in found.candidates if t.kind == "show")
        if labels:
            return ctx.say("show-unknown-guess", name=f'"{name.strip()[:60]}"', labels=labels)
        return ctx.say("show-unknown", name=f'"{name.strip()[:60]}"')
    return catalog.shows[target.key]


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _told(ctx: Context, notices: list[Notice]) -> str:
    return ctx.msg_text("show-told" if notices else "show-told-nobody")


def _title(ctx: Context, show: Show) -> Bold:
    return Bold(title_in(ctx.lang, show.title, show.aliases))


async def cmd_show_skip(ctx: Context) -> Message:
    """`/show skip <show> <date>`: the show does not air on that date (pre-empted)."""
    name, _, day_text = ctx.text.strip().rpartition(" ")
    day = _date(day_text)
    if not name.strip() or day is None:
        return ctx.say("show-skip-usage")
    show = _show(ctx, name)
    if isinstance(show, Message):
        return show
    airings = [a for a in ctx.lookup.catalog.by_show[show.key] if a.start.astimezone(show.zone).date() == day]
    if not airings:
        return ctx.say("show-no-broadcast", title=_title(ctx, show), day=str(day), zone=show.zone.key)
    live = ctx.lookup.live
    assert live is not None
    notices = await live.edit(Edit(show.key, "skip", day))
    return ctx.say("show-skipped", title=_title(ctx, show), day=str(day), zone=show.zone.key, told=_told(ctx, notices))


async def cmd_show_move(ctx: Context) -> Message:
    """`/show move <show> <episode> <date> <time>`: an episode airs at another time."""
    parts = ctx.text.strip().rsplit(maxsplit=3)
    usage = ctx.say("show-move-usage")
    if len(parts) < 4 or not parts[1].isdigit():
        return usage
    day = _date(parts[2])
    try:
        at_time = time.fromisoformat(parts[3])
    except ValueError:
        return usage
    if day is None:
        return usage
    show = _show(ctx, parts[0])
    if isinstance(show, Message):
        return show
    episode = int(parts[1])
    if not any(a.episode == episode for a in ctx.lookup.catalog.by_show[show.key]):
        return ctx.say("show-no-episode", title=_title(ctx, show), episode=str(episode))
    live = ctx.lookup.live
    assert live is not None
    notices = await live.edit(Edit(show.key, "move", day, episode, at_time))
    start = datetime.combine(day, at_time, tzinfo=show.zone)
    return ctx.say("show-moved", title=_title(ctx, show), episode=str(episode), when=When(start, show.zone, lang=ctx.lang),
                   told=_told(ctx, notices))


# ---- /feeds: the news feeds polled ---------------------------------------------------------------


def _health(ctx: Context, info: FeedInfo) -> str:
    state = info.state
    if state is None or (state.baseline_at is None and not state.failures):
        return ctx.msg_text("feed-health-new")
    if not state.failures:
        return ctx.msg_text("feed-health-ok")
    error = stored_text(ctx.lang, state.last_error, prefix="feed-error-") if state.last_error else ""
    error = shorten(error or ctx.msg_text("feed-error-unknown"), FEED_ERROR_MAX)
    kind = "feed-health-failing" if state.healthy else "feed-health-unhealthy"
    return ctx.msg_text(kind, failures=state.failures, error=error)


async def cmd_feeds_list(ctx: Context) -> Message:
    feeds = await ctx.feeds.feed_report()
    if not feeds:
        return ctx.say("feeds-none")
    lines = []
    for info in feeds:
        line = dict(name=Bold(info.feed.name), origin="config" if info.from_config else "added",
                    url=shorten(info.feed.url, FEED_URL_MAX), health=_health(ctx, info))
        if info.last is None:
            lines.append(ctx.say("feeds-line-quiet", **line))
        else:
            since = Countdown(datetime.fromtimestamp(info.last.received_at, UTC), ctx.now, ctx.lang)
            lines.append(ctx.say("feeds-line", **line, title=repr(shorten(info.last.title, 60)), countdown=since))
    every = ctx.settings.config.news.poll_interval
    head = ctx.msg_text("feeds-head", count=len(feeds), minutes=int(every.total_seconds() // 60))
    return fit_lines(head, lines, lambda left: ctx.msg_text("feeds-more", left=left))


async def cmd_feeds_add(ctx: Context) -> Message:
    url, name = ctx.args.get("url", ""), ctx.args.get("name", "")
    try:
        feed, entries = await ctx.feeds.add_feed(url, name, by=f"{ctx.msg.platform}:{ctx.msg.user}")
    except FeedRefused as exc:
        return ctx.say(exc.msg_id, **exc.values)
    return ctx.say("feeds-added", name=Bold(feed.name), url=feed.url, entries=entries, plain=feed.name)


async def cmd_feeds_remove(ctx: Context) -> Message:
    try:
        feed = await ctx.feeds.remove_feed(ctx.args.get("name", ""))
    except FeedRefused as exc:
        return ctx.say(exc.msg_id, **exc.values)
    return ctx.say("feeds-removed", name=Bold(feed.name), url=feed.url)


FEEDS = Command(
    "feeds",
    cmd_feeds_list,
    owner_only=True,
    subcommands=(
        Command("list", cmd_feeds_list),
        Command("add", cmd_feeds_add, (FEED_URL, FEED_NAME)),
        Command("remove", cmd_feeds_remove,
                (replace(FEED_NAME, required=True),)),
    ),
)
SHOW = Command(
    "show",
    owner_only=True,
    subcommands=(
        Command("skip", cmd_show_skip,
                (Argument("show_date", "show> <date"),), owner_only=True),
        Command("move", cmd_show_move,
                (Argument("show_move", "show> <episode> <date> <time"),),
                owner_only=True),
    ),
)
