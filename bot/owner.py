"""The owners' catalog corrections: `/show skip` and `/show move`.

Both go through the live catalog's one `apply` (as an `Edit` kept in the database), so the
followers get the same change notices as for a TVmaze refresh and the reminder plan follows at
once. Dates and times are the show's own (a Korean broadcast's date in Asia/Seoul). A show
TVmaze lacks is added to the catalog file, which `SIGHUP` reloads (see the README).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING

from .catalog import Show
from .changes import Notice
from .render import Bold, Message, When
from .sources import Edit

if TYPE_CHECKING:
    from .commands import Context


def _show(ctx: Context, name: str) -> Show | str:
    found = ctx.core.catalog.names.lookup(name)
    key = name.strip().lower()
    target = ctx.core.catalog.target("show", key) or found.target
    if target is None or target.kind != "show":
        labels = ", ".join(ctx.core.catalog.names.label(t) for t in found.candidates if t.kind == "show")
        return f'No show called "{name.strip()[:60]}"' + (f" (did you mean {labels}?)" if labels else "") + "."
    return ctx.core.catalog.shows[target.key]


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
    airings = [a for a in ctx.core.catalog.by_show[show.key] if a.start.astimezone(show.zone).date() == day]
    if not airings:
        return Message.of(Bold(show.title), f" has no broadcast on {day} ({show.zone.key}). Nothing was changed.")
    assert ctx.core.live is not None
    notices = await ctx.core.live.edit(Edit(show.key, "skip", day))
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
    if not any(a.episode == episode for a in ctx.core.catalog.by_show[show.key]):
        return Message.of(Bold(show.title), f" has no episode {episode}. Nothing was changed.")
    assert ctx.core.live is not None
    notices = await ctx.core.live.edit(Edit(show.key, "move", day, episode, at_time))
    start = datetime.combine(day, at_time, tzinfo=show.zone)
    return Message.of("Done: ", Bold(show.title), f" episode {episode} airs ", When(start, show.zone), ".", _told(notices))
