"""Wording the handlers share: quoting what was typed, lead times, lists of names, and how to
type a setting in this chat."""

from __future__ import annotations

from datetime import timedelta

from ..domain.render import Message
from ..domain.zones import format_lead
from .spec import Context

LIST_LINES = 30
TVMAZE_CREDIT = "Schedule from TVmaze (tvmaze.com, CC BY-SA); changes and pre-emptions are announced here."
GROUP_HINT = (
    "In a group, admins choose what this chat gets with /channel {sub}. "
    "For reminders of your own, send me {own} in a private chat."
)


def say(*spans) -> Message:
    return Message.of(*spans)


def quote(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return f'"{text[:limit]}…"' if len(text) > limit else f'"{text}"'


def leads_text(minutes: tuple[int, ...]) -> str:
    """"1h and 10m before", "30m before and at air time", "at air time"."""
    shown = [format_lead(timedelta(minutes=m)) for m in sorted(minutes, reverse=True) if m]
    before = (", ".join(shown[:-1]) + " and " + shown[-1] if len(shown) > 1 else "".join(shown)) + " before"
    if 0 not in minutes:
        return before
    return f"{before} and at air time" if shown else "at air time"


def and_(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def typed(ctx: Context, name: str) -> str:
    """How to type a settings command in this chat: "/remind" privately, "/channel remind" in a group."""
    if ctx.msg.private:
        return f"/{name}"
    return "/channel list" if name == "subscriptions" else f"/channel {name}"


def personal(ctx: Context, sub: str, own: str) -> Message | None:
    """Refuse a personal setting in a group chat, pointing at the admin command."""
    if ctx.msg.private:
        return None
    return say(GROUP_HINT.format(sub=sub, own=own))
