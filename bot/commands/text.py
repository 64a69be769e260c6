"""Wording the handlers share: quoting what was typed, lead times, lists of names, and how to
type a setting in this chat."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date

from ..domain.i18n import DEFAULT_LANGUAGE, Language, catalogue, title_in
from ..domain.localtime import duration_text, when_text
from ..domain.names import Target
from ..domain.release_dates import format_day
from ..domain.render import Message
from ..domain.zones import format_lead, format_local, format_local_date
from .spec import Context

LIST_LINES = 30


def say(*spans) -> Message:
    return Message.of(*spans)


def quote(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return f'"{text[:limit]}…"' if len(text) > limit else f'"{text}"'


def leads_text(minutes: tuple[int, ...], lang: Language = DEFAULT_LANGUAGE) -> str:
    """"1h and 10m before", "30m before and at air time", "at air time" ("1시간과 10분 전에")."""
    messages = catalogue()
    shown = [
        format_lead(timedelta(minutes=m)) if lang == DEFAULT_LANGUAGE else duration_text(timedelta(minutes=m), lang=lang)
        for m in sorted(minutes, reverse=True) if m
    ]
    if not shown:
        return messages.text(lang, "leads-air")
    return messages.text(lang, "leads-before-and-air" if 0 in minutes else "leads-before", leads=and_(shown, lang))


def and_(names: list[str], lang: Language = DEFAULT_LANGUAGE) -> str:
    if len(names) == 1:
        return names[0]
    return catalogue().text(lang, "list-two", first=", ".join(names[:-1]), last=names[-1])


def target_name(ctx: Context, target: Target) -> str:
    """A show's or actor's name as this chat's reader knows it (Korean: the Hangul alias)."""
    catalog = ctx.lookup.catalog
    found = catalog.shows.get(target.key) if target.kind == "show" else catalog.actors.get(target.key)
    return title_in(ctx.lang, target.name, found.aliases if found is not None else ())


def local_date(ctx: Context, instant: datetime, zone: ZoneInfo) -> str:
    """"21 Dec 2022" ("2022년 12월 21일")."""
    if ctx.lang == DEFAULT_LANGUAGE:
        return format_local_date(instant, zone)
    return format_date(instant.astimezone(zone).date(), "long", locale=ctx.lang)


def local_day(ctx: Context, day: date) -> str:
    """"Wed 21 Dec" ("12월 21일 (수)")."""
    if ctx.lang == DEFAULT_LANGUAGE:
        return format_day(day)
    return format_date(day, "M월 d일 (E)", locale=ctx.lang)


def local_now(ctx: Context, zone: ZoneInfo, at: datetime | None = None) -> str:
    """The local time in `zone` in the chat's language: "Mon 19:00 (America/New_York)"."""
    instant = at or ctx.now
    return format_local(instant, zone) if ctx.lang == DEFAULT_LANGUAGE else when_text(
        instant, zone, lang=ctx.lang, with_date=False,
    )


def typed(ctx: Context, name: str) -> str:
    """How to type a settings command in this chat: "/remind" privately, "/channel remind" in a group."""
    if ctx.msg.private:
        return f"/{name}"
    return "/channel list" if name == "subscriptions" else f"/channel {name}"


def personal(ctx: Context, sub: str, own: str) -> Message | None:
    """Refuse a personal setting in a group chat, pointing at the admin command."""
    if ctx.msg.private:
        return None
    return ctx.say("group-hint", sub=sub, own=own)
