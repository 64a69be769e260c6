"""What Discord's answers to a send mean for the core's outbox.

A chat that refuses (403, 404, DMs closed) is paused at its first refusal and never retried
until it is reachable again: every 401, 403 and 429 counts toward Discord's invalid-request
ban (10,000 in 10 minutes), so retrying refusals is what must not happen. Rate limits
discord.py could not absorb come back as `RateLimited`; anything else is passing.
"""

from __future__ import annotations

import asyncio

import aiohttp
import discord

from bot.domain.interfaces import DeliveryError, RateLimited, Unreachable

DMS_CLOSED = 50007  # Cannot send messages to this user
MISSING_ACCESS = 50001
MISSING_PERMISSIONS = 50013
UNKNOWN_CHANNEL = 10003
UNKNOWN_USER = 10013
CLOUDFLARE_WAIT = 600.0  # a 429 without Discord's headers: a Cloudflare ban; stay away for a while

# Stored as the pause reason (a message id of the catalogues, and its detail: at most 200 characters)
# and shown to the fan, in their language, on their next command (bot.domain.i18n.stored_reason).
DMS_CLOSED_REASON = "pause-dms-closed"


def delivery_error(exc: BaseException) -> DeliveryError:
    """The outbox's reading of one failed send."""
    if isinstance(exc, discord.RateLimited):
        return RateLimited(exc.retry_after, reason=f"Discord asked to wait {exc.retry_after:.0f} s")
    if isinstance(exc, discord.Forbidden):
        if exc.code == DMS_CLOSED:
            return Unreachable(DMS_CLOSED_REASON)
        return Unreachable(f"pause-lost-permission {exc.code}: {exc.text[:80]}")
    if isinstance(exc, discord.NotFound):
        if exc.code == UNKNOWN_CHANNEL:
            return Unreachable("pause-channel-deleted")
        if exc.code == UNKNOWN_USER:
            return Unreachable("pause-account-gone")
        return DeliveryError(f"Discord answered 404 (error {exc.code}: {exc.text[:80]})")
    if isinstance(exc, discord.HTTPException):
        if exc.status == 429:  # no Via header: Cloudflare, not Discord's API; discord.py does not retry it
            retry = exc.response.headers.get("Retry-After") if exc.response is not None else None
            wait = float(retry) if retry and retry.replace(".", "", 1).isdigit() else CLOUDFLARE_WAIT
            return RateLimited(wait, reason=f"Cloudflare refused the request (429); waiting {wait:.0f} s")
        return DeliveryError(f"Discord answered {exc.status} (error {exc.code}: {exc.text[:80]})")
    if isinstance(exc, (aiohttp.ClientError, OSError, asyncio.TimeoutError)):
        return DeliveryError(f"cannot reach Discord: {type(exc).__name__}: {exc}")
    return DeliveryError(f"{type(exc).__name__}: {exc}")
