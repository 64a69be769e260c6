"""The language a chat reads: `/language` (a private chat) and `/channel language` (a group's
admins). `/language` alone shows the current one and the choices."""

from __future__ import annotations

from dataclasses import replace

from ..domain.i18n import NAMES, catalogue, language_of
from ..domain.render import Bold, Message
from .spec import Argument, Command, Context
from .text import personal, quote

LANGUAGE_ARG = Argument("language", "en|ko", required=False)


async def set_language(ctx: Context, text: str) -> Message:
    if not text.strip():
        return ctx.say("language-current", name=Bold(NAMES[ctx.lang]))
    chosen = language_of(text)
    if chosen is None:
        return ctx.say("language-unknown", typed=quote(text, 20))
    await ctx.chats.set_language(ctx.chat, private=ctx.msg.private, language=chosen)
    return catalogue().message(chosen, "language-set", name=Bold(NAMES[chosen]))  # said in the new language


async def cmd_language(ctx: Context) -> Message:
    refusal = personal(ctx, "language <en|ko>", "/language") if ctx.text.strip() else None
    return refusal or await set_language(ctx, ctx.text)


async def cmd_channel_language(ctx: Context) -> Message:
    return await set_language(ctx, ctx.text)


LANGUAGE = Command("language", cmd_language, (LANGUAGE_ARG,))
CHANNEL_LANGUAGE = Command(
    "language", cmd_channel_language, (replace(LANGUAGE_ARG, required=True),),
    admin_only=True,
)
