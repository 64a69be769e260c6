"""Times and countdowns written in a language other than English, through Babel's CLDR data:
"12월 21일 (수) 오후 10:30 (Asia/Seoul)", "1시간 30분 후". English stays in bot.domain.zones."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from .zones import is_ambiguous, local_time, utc_offset

PATTERNS = {"ko": ("M월 d일 (E) a h:mm", "E a h:mm")}  # with the date, without it
UNITS = {"ko": ("일", "시간", "분")}
WORDS = {"ko": {"now": "지금", "in": "{} 후", "ago": "{} 전", "under": "1분 미만"}}


def when_text(instant: datetime, zone: ZoneInfo, *, lang: str, with_date: bool) -> str:
    local = local_time(instant, zone)
    pattern = PATTERNS[lang][0 if with_date else 1]
    shown = format_datetime(local, pattern, tzinfo=zone, locale=lang)
    where = f"{zone.key}, {utc_offset(local)}" if is_ambiguous(local) else zone.key
    return f"{shown} ({where})"


def duration_text(span: timedelta, *, lang: str) -> str:
    minutes = max(0, int(span.total_seconds() / 60 + 0.5))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    words = [f"{n}{unit}" for n, unit in zip((days, hours, mins), UNITS[lang], strict=True) if n]
    return " ".join(words) if words else WORDS[lang]["under"]


def countdown_text(instant: datetime, now: datetime, *, lang: str) -> str:
    seconds = (instant - now).total_seconds()
    words = WORDS[lang]
    if abs(seconds) < 30:
        return words["now"]
    if seconds > 0:
        return words["in"].format(duration_text(instant - now, lang=lang))
    return words["ago"].format(duration_text(now - instant, lang=lang))
