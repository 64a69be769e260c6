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
from ..domain.render import Bold, Countdown, Message, When, fit_lines
from ..integrations.sources import Edit
from .spec import FEED_NAME, FEED_URL, Argument, Command, Context

FEED_URL_MAX = 80
FEED_ERROR_MAX = 100


# ---- /show: catalog corrections ------------------------------------------------------------------


def _show(ctx: Context, name: str) -> Show | str:
    catalog = ctx.lookup.catalog
    found = catalog.names.lookup(name)
    key = name.strip().lower()
    target = catalog.target("show", key) or found.target
    if target is None or target.kind != "show":
        labels = ", ".join(catalog.names.label(t) for t in found.candidates if t.kind == "show")
        return f'No show called "{name.strip()[:60]}"' + (f" (did you mean {labels}?)" if labels else "") + "."
    return catalog.shows[target.key]


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _told(notices: list[Notice]) -> str:
    return " Its followers are told." if notices else " Nothing changes for anyone (no broadcast ahead moved)."


async def cmd_show_skip(ctx: Context) -> Message:
    """`/show skip <show> <date>`: the show does not air on that date (pre-empted)."""
    name, _, day_text = ctx.text.strip().rpartition(" ")
    day = _date(day_text)
    if not name.strip() or day is None:
        return Message.of("Usage: /show skip <show> <date>, e.g. /show skip Night Owl Test 2026-03-08.")
    show = _show(ctx, name)
    if isinstance(show, str):
        return Message.of(show)
    airings = [a for a in ctx.lookup.catalog.by_show[show.key] if a.start.astimezone(show.zone).date() == day]
    if not airings:
        return Message.of(Bold(show.title), f" has no broadcast on {day} ({show.zone.key}). Nothing was changed.")
    live = ctx.lookup.live
    assert live is not None
    notices = await live.edit(Edit(show.key, "skip", day))
    return Message.of("Done: ", Bold(show.title), f" does not air on {day} ({show.zone.key}).", _told(notices))


async def cmd_show_move(ctx: Context) -> Message:
    """`/show move <show> <episode> <date> <time>`: an episode airs at another time."""
    parts = ctx.text.strip().rsplit(maxsplit=3)
    usage = Message.of("Usage: /show move <show> <episode> <date> <time>, e.g. /show move Night Owl Test 3 2026-03-09 23:50.")
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
    if isinstance(show, str):
        return Message.of(show)
    episode = int(parts[1])
    if not any(a.episode == episode for a in ctx.lookup.catalog.by_show[show.key]):
        return Message.of(Bold(show.title), f" has no episode {episode}. Nothing was changed.")
    live = ctx.lookup.live
    assert live is not None
    notices = await live.edit(Edit(show.key, "move", day, episode, at_time))
    start = datetime.combine(day, at_time, tzinfo=show.zone)
    return Message.of("Done: ", Bold(show.title), f" episode {episode} airs ", When(start, show.zone), ".", _told(notices))


# ---- /feeds: the news feeds polled ---------------------------------------------------------------


def _health(info: FeedInfo) -> str:
    state = info.state
    if state is None or (state.baseline_at is None and not state.failures):
        return "not polled yet"
    if not state.failures:
        return "healthy"
    error = shorten(state.last_error or "unknown error", FEED_ERROR_MAX)
    polls = f"{state.failures} failed {'poll' if state.failures == 1 else 'polls'} in a row"
    if state.healthy:
        return f"failing: {polls} ({error})"
    return f"UNHEALTHY: {polls} ({error}); polled less often"


async def cmd_feeds_list(ctx: Context) -> Message:
    feeds = await ctx.feeds.feed_report()
    if not feeds:
        return Message.of("No news feeds are polled. Add one with /feeds add <url> [name], or list them in the config's [news] feeds.")
    lines = []
    for info in feeds:
        origin = "config" if info.from_config else "added"
        spans: list = ["• ", Bold(info.feed.name), f" ({origin}) {shorten(info.feed.url, FEED_URL_MAX)}: {_health(info)}; "]
        if info.last is None:
            spans.append("no new article yet")
        else:
            spans += [f"last new article {shorten(info.last.title, 60)!r}, ",
                      Countdown(datetime.fromtimestamp(info.last.received_at, UTC), ctx.now)]
        lines.append(Message.of(*spans))
    every = ctx.settings.config.news.poll_interval
    head = f"News feeds ({len(feeds)}), each polled every {int(every.total_seconds() // 60)} minutes:"
    return fit_lines(head, lines, lambda left: f"…and {left} more.")


async def cmd_feeds_add(ctx: Context) -> Message:
    url, name = ctx.args.get("url", ""), ctx.args.get("name", "")
    try:
        feed, entries = await ctx.feeds.add_feed(url, name, by=f"{ctx.msg.platform}:{ctx.msg.user}")
    except FeedRefused as exc:
        return Message.of(str(exc))
    listed = f"{entries} {'entry' if entries == 1 else 'entries'}"
    return Message.of(
        "Added the feed ", Bold(feed.name), f" ({feed.url}). It lists {listed} now: those are recorded, not sent. "
        "From its next new entry on, articles go to the chats that follow what they name. "
        f"/feeds remove {feed.name} stops it."
    )


async def cmd_feeds_remove(ctx: Context) -> Message:
    try:
        feed = await ctx.feeds.remove_feed(ctx.args.get("name", ""))
    except FeedRefused as exc:
        return Message.of(str(exc))
    return Message.of("Removed the feed ", Bold(feed.name), f" ({feed.url}); it is no longer polled.")


FEEDS = Command(
    "feeds",
    "the news feeds polled, with their health (bot owners)",
    cmd_feeds_list,
    owner_only=True,
    subcommands=(
        Command("list", "every feed, its health and last new article", cmd_feeds_list),
        Command("add", "poll an RSS or Atom feed (checked first)", cmd_feeds_add, (FEED_URL, FEED_NAME)),
        Command("remove", "stop polling a feed added with /feeds add", cmd_feeds_remove,
                (replace(FEED_NAME, required=True, help="the feed's name, as /feeds lists it"),)),
    ),
)
SHOW = Command(
    "show",
    "correct the catalog (the bot's owners)",
    owner_only=True,
    subcommands=(
        Command("skip", "the show does not air that date (pre-empted; its zone)", cmd_show_skip,
                (Argument("show_date", "show> <date", "a show and a date like 2026-03-08"),), owner_only=True),
        Command("move", "an episode airs at another date and time (its zone)", cmd_show_move,
                (Argument("show_move", "show> <episode> <date> <time", "e.g. Night Owl 3 2026-03-09 23:50"),),
                owner_only=True),
    ),
)
