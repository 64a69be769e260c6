"""Shared links: `/share` makes https://t.me/<bot>?start=<payload>, which arrives as
`/start <payload>` and follows what it names (`/start` alone greets with the help)."""

from __future__ import annotations

import base64
import re

from ..domain.catalog import Catalog
from ..domain.interfaces import Reply
from ..domain.names import Target
from ..domain.render import Bold, Link, Message
from .checks import refusal
from .find import find
from .help import cmd_help
from .spec import ADMIN, NAME, Argument, Command, Context
from .subscriptions import follow_target
from .text import target_name

PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")  # what Telegram carries in a start parameter
_PAYLOAD_KINDS = {"show": "s", "actor": "a"}


def share_payload(target: Target) -> str | None:
    """The start parameter that follows `target`: "s-<key>" / "a-<key>", or "sx-"/"ax-" and the key in
    base64url when it is not plain ASCII (Hangul names); None when it would not fit 64 characters."""
    kind = _PAYLOAD_KINDS[target.kind]
    if re.fullmatch(r"[a-z0-9]+", target.key):
        payload = f"{kind}-{target.key}"
    else:
        payload = f"{kind}x-" + base64.urlsafe_b64encode(target.key.encode()).decode().rstrip("=")
    return payload if PAYLOAD.fullmatch(payload) else None


def payload_target(catalog: Catalog, payload: str) -> Target | None:
    """The show or actor a start parameter names, or None for a stale or forged one."""
    kind_code, sep, rest = payload.partition("-")
    if not sep or not PAYLOAD.fullmatch(payload):
        return None
    kind = next((k for k, code in _PAYLOAD_KINDS.items() if kind_code in (code, code + "x")), None)
    if kind is None:
        return None
    key = rest
    if kind_code.endswith("x"):
        try:
            key = base64.urlsafe_b64decode(rest + "=" * (-len(rest) % 4)).decode()
        except (ValueError, UnicodeDecodeError):
            return None
    return catalog.target(kind, key)


async def cmd_start(ctx: Context) -> Message | Reply:
    """/start greets with the help text; /start <payload> (a shared link) follows what it names."""
    payload = ctx.text.strip()
    if not payload:
        return await cmd_help(ctx)
    target = payload_target(ctx.lookup.catalog, payload)
    if target is None:
        return Message.lines(
            ctx.say("start-unknown"),
            await cmd_help(ctx),
        )
    if not ctx.msg.private:  # in a group, following is the admins' choice, as with /channel subscribe
        refused = await refusal(ctx.access, ctx.msg, name="start", checks=(ADMIN,), lang=ctx.lang)
        if refused is not None:
            return refused
    return await follow_target(ctx, target)


async def cmd_share(ctx: Context) -> Message | Reply:
    """A one-tap link that makes whoever opens it follow a show or actor."""
    found = find(ctx, ctx.text, "/share")
    if isinstance(found, Reply):
        return found
    payload = share_payload(found)
    if payload is None or not ctx.msg.bot_username:
        return ctx.say("share-none", name=Bold(target_name(ctx, found)), typed=found.name)
    url = f"https://t.me/{ctx.msg.bot_username}?start={payload}"
    return Message.lines(ctx.say("share-link", name=Bold(target_name(ctx, found))), Message.of(Link(url, url)))


SHARE = Command("share", cmd_share, (NAME,), platforms=("telegram",))
START = Command("start", cmd_start,
                (Argument("payload", "link code", required=False),), hidden=True)
