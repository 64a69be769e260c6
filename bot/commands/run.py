"""Running a command: `respond` to a typed line, `execute` a path and options (a Discord slash
command, a tapped choice). The spec's checks are evaluated here (`checks.refusal`), once for
every way a command comes; each handler is given a `Context` with the narrow services it may
use. The reply is returned for the adapter to deliver."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace

from ..domain.i18n import Language, choose
from ..domain.interfaces import IncomingMessage, Reply
from ..domain.render import Message
from ..domain.sanitize import visible
from .checks import checks_of, refusal
from .parse import Typed, parse_line
from .ports import Services
from .registry import BY_NAME, COMMANDS, resolve
from .spec import Command, Context
from .text import quote

log = logging.getLogger(__name__)


async def respond(services: Services, msg: IncomingMessage, *, lang: Language | None = None) -> Reply | None:
    """The reply to one incoming line, or None when the bot should stay quiet (chatter in a group);
    `lang`: the chat's language when the caller already knows it."""
    typed = msg.text or ""
    msg = replace(msg, text=visible(typed))  # a stray control, bidi or zero-width character spoils nothing
    lang = lang or await language_for(services, msg)
    parsed = parse_line(msg, BY_NAME, typed=typed, lang=lang)
    if not isinstance(parsed, Typed):
        return parsed
    return await execute(services, msg, parsed.path, parsed.args, lang=lang)


async def language_for(services: Services, msg: IncomingMessage) -> Language:
    """The chat's saved language, else the writer's platform language (remembered), else the config's."""
    if not msg.reaches_chat:  # a personal command typed in a server channel: the DM chat's choice, or the writer's
        row = await services.chats.store.chat(platform=msg.chat.platform, chat_id=msg.chat.key)
        saved = row.language if row is not None else None
        return choose(saved=saved, platform=msg.language, default=services.settings.config.language)
    command = msg.private or not msg.text or msg.text.lstrip().startswith("/")  # group chatter leaves no trace
    return await services.chats.language(msg.chat, private=msg.private, writer=msg.language if command else None)


async def execute(
    services: Services, msg: IncomingMessage, path: tuple[str, ...], args: Mapping[str, str], *, lang: Language | None = None,
) -> Reply:
    """Run a command given as a path and options; the reply says what happened or what was wrong."""
    path = tuple(p.casefold() for p in path)
    ctx = Context(
        msg=msg, path=path, args=dict(args), now=services.clock.now(), command=resolve(path), commands=COMMANDS,
        chats=services.chats, lookup=services.lookup, feeds=services.feeds, access=services.access,
        settings=services.settings, calendars=services.calendars, lang=lang or await language_for(services, msg),
    )
    try:
        body = await _dispatch(ctx)
    except Exception:
        log.exception("command %r failed", " ".join(path)[:80])
        body = ctx.say("error-internal")
    reply = body if isinstance(body, Reply) else Reply(body)
    if ctx.path[:1] == ("channel",):
        reply = replace(reply, personal=False)
    return reply


async def _dispatch(ctx: Context) -> Message | Reply:
    command = BY_NAME.get(ctx.path[0]) if ctx.path else None
    if command is None or not command.available_on(ctx.msg.platform):
        return ctx.say("error-unknown-command", command="/" + " ".join(ctx.path)[:30])
    if command.subcommands and not command.owner_only and ctx.msg.private:
        return ctx.say("error-group-only", command=command.name)
    sub = next((s for s in command.subcommands if ctx.path[1:2] == (s.name,)), None)
    refused = await refusal(ctx.access, ctx.msg, name=command.name, checks=checks_of((command, sub) if sub else (command,)), lang=ctx.lang)
    if refused is not None:
        return refused
    if not command.subcommands:
        assert command.handler is not None
        return await command.handler(ctx)
    return await _dispatch_group(command, sub, ctx)


async def _dispatch_group(group: Command, sub: Command | None, ctx: Context) -> Message | Reply:
    options = ", ".join(s.usage(group.name) for s in group.subcommands)
    if len(ctx.path) < 2:
        return await group.handler(ctx) if group.handler is not None else ctx.say("error-use-one-of", options=options)
    if sub is None:
        return ctx.say("error-no-subcommand", command=group.name, typed=quote(ctx.path[1], 20), options=options)
    if sub.args and sub.args[0].required and not ctx.text.strip():
        return ctx.say("error-usage", usage=sub.usage(group.name))
    assert sub.handler is not None
    return await sub.handler(ctx)
