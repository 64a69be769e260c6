"""The core: the one owner of state changes, the inbox adapters report to, and the fan-outs.

It is handed a store, a catalog, the config, a clock and the adapters by platform; it imports
no platform library and no scheduler. Every change to a chat (subscriptions, zone, leads,
paused, moved) goes through a method here, which writes the store, notes the chat as changed
(so messages already queued for it are re-checked when sent) and tells the planner when the
set of reminder jobs may have changed. A fan-out reads who follows a show right then, claims one
ledger row per chat, and hands the items to that platform's outbox (`delivery.py`).
"""

from __future__ import annotations

import logging
import operator
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Literal, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from . import commands
from .commands.ports import LiveLookup
from .config import Config, FeedConfig, feed_name, feed_name_problem
from .delivery import DeliveryJob, Item, Ledger, Outbox, chat_now
from .domain.article import Article
from .domain.audiences import Audiences, InUse
from .domain.catalog import Airing, Catalog, Show
from .domain.headlines import article_headline, shorten
from .domain.interfaces import Adapter, ChatRef, Clock, IncomingMessage, Outgoing, Platform, Reply, Upcoming
from .domain.jobkeys import DigestKey, NewsKey, Rebuilders, ReminderKey
from .domain.names import Target
from .domain.pacing import fanout_start
from .domain.render import Bold, Countdown, Message, When, fit_lines
from .domain.sanitize import visible
from .domain.zones import UTC
from .domain.zones import unix_time as _ts  # one definition; the call sites keep their short name
from .feed_admin import FeedInfo, FeedRefused, FeedWatcher
from .storage import Storage
from .storage.values import (
    ChatFlags,
    ChatKey,
    ChatSettings,
    Pending,
    Recipient,
    StoredArticle,
    decode_leads,
    encode_leads,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

NEWS_FRESH_FOR = timedelta(days=2)  # an article not delivered by then is dropped
NO_ADAPTER_RETRY = timedelta(minutes=15)
_UNKNOWN_CHAT = ChatFlags(is_private=True, timezone=None, mention=None)  # a chat the database no longer has
CLAIM_CHUNK = 10_000  # ledger rows claimed in one statement; a fan-out sends one chunk while claiming the next
AT_AIR_GRACE = timedelta(seconds=30)  # an air-time (0m) reminder still says "starts now" this late


_by_chat = operator.itemgetter(0, 1)  # a recipient's (platform, chat id)


HOUR = 3600


def reminder_message(show: Show, airing: Airing, zone: ZoneInfo, now: datetime) -> Message:
    network = f" ({show.network})" if show.network else ""
    return Message.of(
        "⏰ ", Bold(show.title), f", episode {airing.episode}, starts ", Countdown(airing.start, now), ": ",
        When(airing.start, zone), f"{network}.",
    )


NEWS_SUMMARY_MAX = 300
NEWS_NAMES_MAX = 8
NEWS_FEED_MAX = 60


def news_message(article: Article, matched: Iterable[Target]) -> Message:
    """📰 title (linked), a short summary, the feed's name and which of the chat's own
    subscriptions the article names; bounded in size whatever the feed sends (title 200,
    summary 300, feed name 60 characters, at most 8 names)."""
    summary = shorten(article.summary, NEWS_SUMMARY_MAX)
    names = sorted({t.name for t in matched})
    if len(names) > NEWS_NAMES_MAX:
        names = names[:NEWS_NAMES_MAX] + [f"{len(names) - NEWS_NAMES_MAX} more"]
    lines: list[Message | str] = [Message.of("📰 ", article_headline(article.title, article.link))]
    if summary:
        lines.append(summary)
    source = f"From {shorten(article.feed, NEWS_FEED_MAX)}"
    lines.append(f"{source} · You follow: {', '.join(names)}" if names else source)
    return Message.lines(*lines)


DIGEST_TITLE_MAX = 90
DIGEST_LINK_MAX = 200


def digest_message(articles: Sequence[StoredArticle], cap: int) -> Message:
    """One message for the articles over a chat's hourly cap: a line each (title linked, feed), as
    many as fit one Discord or Telegram message, then how many more there were."""
    head = (
        f"📰 {len(articles)} more {'article' if len(articles) == 1 else 'articles'} about what you follow "
        f"came in the last hour, beyond this chat's {cap} an hour:"
    )
    lines = [
        Message.of("• ", article_headline(a.title, a.link, DIGEST_TITLE_MAX, DIGEST_LINK_MAX), f" ({shorten(a.feed, NEWS_FEED_MAX)})")
        for a in articles
    ]
    return fit_lines(head, lines, lambda left: f"…and {left} more. /news shows the latest.")


# ---- jobs as the outbox sees them -----------------------------------------------------------------


class ReminderDelivery:
    """One reminder job (an airing at one lead): its message is written when each is sent."""

    kind: Literal["reminder"] = "reminder"

    def __init__(self, core: Core, show: Show, airing: Airing, lead: int):
        self.core, self.show, self.airing, self.lead = core, show, airing, lead
        self.key = ReminderKey(airing.key, lead).encode()
        self.expires = airing.start + (AT_AIR_GRACE if lead == 0 else timedelta(0))
        self.retry_until = airing.start
        self._bodies: dict[tuple[str | None, int], Outgoing] = {}
        self._checked: tuple[Catalog, bool] | None = None  # (catalog snapshot, airing still in it)

    def _still_airs(self) -> bool:
        """Whether the airing is still in the catalog (it may have moved or been pre-empted since the
        fan-out began); asked once per catalog snapshot, not once per message."""
        catalog = self.core.catalog
        if self._checked is None or self._checked[0] is not catalog:
            self._checked = (catalog, catalog.airing(self.airing.key) is not None)
        return self._checked[1]

    async def message_for(self, item: Item) -> Outgoing | str:
        core = self.core
        now = core.clock.now()
        if now > self.expires or (self.lead and self.airing.start <= now):
            return "too late: the episode began"
        if not self._still_airs():
            return "the episode moved or was cancelled"
        zone = item.zone
        settings: ChatSettings | None = None
        if core.changed_since(item.chat, item.version):
            now_settings = await chat_now(core.store, item.chat)
            if isinstance(now_settings, str):
                return now_settings
            settings = now_settings
            follows = core.catalog.shows_followed(await core.store.subscriptions(
                platform=item.chat.platform, chat_id=item.chat.key
            ))
            if self.show.key not in follows or self.lead not in (settings.leads or core.config.lead_minutes):
                return "the chat no longer follows the show or wants this lead time"
            zone = settings.timezone
        minute = int(now.timestamp()) // 60  # the countdown is right to the minute when each leaves
        body = self._bodies.get((zone, minute))
        if body is None:
            if len(self._bodies) > 4096:
                self._bodies.clear()
            body = Outgoing("reminder", reminder_message(self.show, self.airing, core.zone_of(zone), now))
            self._bodies[(zone, minute)] = body
        mention = settings.mention if settings is not None else item.mention
        if mention:  # a group may want its reminders to notify someone
            body = replace(body, mention=mention)
        return body


class NewsDelivery:
    """One article: each chat's message names the chat's own subscriptions the article matched.

    `matched` holds, per (platform, chat) of the fan-out, what the chat followed then; a chat
    that changed since (or a retry, which has none) is read again. One body per distinct set.
    """

    kind: Literal["news"] = "news"

    def __init__(
        self, core: Core, article: Article, about: set[Target], expires: datetime,
        matched: dict[ChatKey, frozenset[Target]] | None = None,
    ):
        self.core, self.article, self.about, self.expires, self.retry_until = core, article, about, expires, expires
        self.key = NewsKey(article.feed, article.id).encode()
        self._matched = matched or {}
        self._bodies: dict[frozenset[Target], Outgoing] = {}

    async def message_for(self, item: Item) -> Outgoing | str:
        core = self.core
        chat = ChatKey(item.chat.platform, item.chat.key)
        matched = None if core.changed_since(item.chat, item.version) else self._matched.pop(chat, None)
        if matched is None:
            settings = await chat_now(core.store, item.chat)
            if isinstance(settings, str):
                return settings
            follows = set(await core.store.subscriptions(platform=chat.platform, chat_id=chat.chat_id))
            matched = frozenset(t for t in self.about if (t.kind, t.key) in follows)
            if not matched:
                return "the chat no longer follows anything the article names"
        body = self._bodies.get(matched)
        if body is None:
            body = self._bodies[matched] = Outgoing("news", news_message(self.article, matched))
        return body


class DigestDelivery:
    """The articles over each chat's cap in one clock hour, as one message per chat at its end,
    read from the database when sent (so a restart or a retry sends the same list)."""

    kind: Literal["news"] = "news"

    def __init__(self, core: Core, hour: int, expires: datetime):
        self.core, self.hour, self.expires, self.retry_until = core, hour, expires, expires
        self.key = DigestKey(hour).encode()

    async def message_for(self, item: Item) -> Outgoing | str:
        store = self.core.store
        settings = await chat_now(store, item.chat)
        if isinstance(settings, str):
            return settings
        articles = await store.digest_articles(platform=item.chat.platform, chat_id=item.chat.key, hour=self.hour)
        if not articles:
            return "the chat no longer follows anything the held articles name"
        return Outgoing("news", digest_message(articles, self.core.config.news.max_per_hour))


# ---- the core -------------------------------------------------------------------------------------


class Core:
    def __init__(
        self,
        *,
        store: Storage,
        catalog: Catalog,
        config: Config,
        clock: Clock,
        adapters: Mapping[str, Adapter],
    ):
        self.store = store
        self.catalog = catalog
        self.config = config
        self.clock = clock
        self.adapters = dict(adapters)
        self.ledger = Ledger(store, clock, on_retries=self.changed)
        self.outboxes: dict[str, Outbox] = {}
        self._change_listeners: list[Callable[[], object]] = []
        self._version = 0
        self._chat_versions: dict[tuple[str, str], int] = {}
        self.audiences = Audiences(store)  # per show, for deadline plans; forgotten by what changes
        self.in_use = InUse(store)  # lead settings and zones of following chats, for the planner
        self.listening = True
        self._stamp = 0
        self.feed_watcher: FeedWatcher | None = None
        self._digest_noted: int | None = None
        self.live: LiveLookup | None = None  # the catalog's owner while the bot runs (bot.live)
        self._names: tuple[Catalog, list[tuple[str, str]]] | None = None  # names() of one catalog snapshot
        self.rebuilders: Rebuilders[DeliveryJob] = Rebuilders()  # stored key -> its job again, for a retry
        self.rebuilders.register(ReminderKey, self._reminder_job)
        self.rebuilders.register(NewsKey, self._news_job)
        self.rebuilders.register(DigestKey, self._digest_job)

    # ---- lifecycle --------------------------------------------------------------------------------

    def open_delivery(self) -> None:
        """Start the ledger writer and one outbox per adapter (adapters are connected by now)."""
        self.ledger.start()
        for platform, adapter in self.adapters.items():
            outbox = Outbox(
                adapter=adapter, ledger=self.ledger, owner=self,
                send_timeout=self.config.delivery.send_timeout,
                paid_broadcast=self.config.paid_broadcast(platform), on_rate=self.changed,
            )
            outbox.start()
            self.outboxes[platform] = outbox

    async def close_delivery(self, grace: float | None = None) -> None:
        """Let sends in flight finish (bounded), then record every outcome."""
        wait = self.config.delivery.stop_grace if grace is None else grace
        for outbox in self.outboxes.values():
            await outbox.close(wait)
        await self.ledger.close()

    async def abandon_delivery(self) -> None:
        """Cut every send off and forget what is buffered (a simulated crash)."""
        for outbox in self.outboxes.values():
            await outbox.close(0)
        await self.ledger.abandon()

    async def stop_listening(self) -> None:
        """From now on incoming messages change nothing and get no answer (the bot is stopping)."""
        self.listening = False

    async def idle(self) -> None:
        """Wait until every queued message was sent or given up, and recorded."""
        for outbox in self.outboxes.values():
            await outbox.idle()
        await self.ledger.flush()

    # ---- wiring for the scheduler -----------------------------------------------------------------

    def on_change(self, listener: Callable[[], object]) -> None:
        """Call `listener` after anything that can change which jobs exist or when they are due."""
        self._change_listeners.append(listener)

    def changed(self) -> None:
        for listener in self._change_listeners:
            listener()

    async def leads_in_use(self) -> set[int]:
        """Every lead (minutes) some following chat wants: the reminder jobs to plan."""
        leads: set[int] = set()
        for setting in await self.in_use.leads():
            leads.update(decode_leads(setting) or self.config.lead_minutes)
        return leads

    def rates(self) -> dict[str, float | None]:
        """Messages per second each running platform can take."""
        return {platform: outbox.planning_rate for platform, outbox in self.outboxes.items()}

    async def fanout_plan_start(self, airing: Airing, due: datetime) -> datetime:
        """When the reminder job due at `due` must start for its last message to leave before air."""
        show = self.catalog.shows.get(airing.show_key)
        if show is None or not any(self.rates().values()):
            return due
        audience = await self.audiences.of(catalog=self.catalog, show_key=show.key, targets=self.targets(show))
        plan = fanout_start(due=due, air=airing.start, audience=audience, rates=self.rates())
        return plan.start

    # ---- chat state: the one owner of every change -------------------------------------------------

    def _touch(self, chat: ChatRef, *, replan: bool) -> None:
        self._version += 1
        self._chat_versions[(chat.platform, chat.key)] = self._version
        if replan:
            self.changed()

    def changed_since(self, chat: ChatRef, version: int) -> bool:
        versions = self._chat_versions
        return bool(versions) and versions.get((chat.platform, chat.key), 0) > version

    async def recheck(self, item: Item, show_key: str) -> ChatSettings | str | None:
        """For a queued message about a show: None when the chat has not changed since its
        fan-out read it; its settings when it changed and still follows the show; else why the
        message is no longer wanted."""
        if not self.changed_since(item.chat, item.version):
            return None
        settings = await chat_now(self.store, item.chat)
        if isinstance(settings, str):
            return settings
        if show_key not in self.catalog.shows_followed(await self.store.subscriptions(platform=item.chat.platform, chat_id=item.chat.key)):
            return "the chat no longer follows the show"
        return settings

    def zone_of(self, stored: str | None) -> ZoneInfo:
        return ZoneInfo(stored) if stored else self.config.timezone

    async def chat_settings(self, chat: ChatRef) -> tuple[ZoneInfo, tuple[int, ...]]:
        row = await self.store.chat(platform=chat.platform, chat_id=chat.key)
        zone = self.zone_of(row.timezone if row else None)
        leads = (row.leads if row else None) or self.config.lead_minutes
        return zone, leads

    async def subscribe(self, chat: ChatRef, *, private: bool, target: Target) -> bool:
        """Follow a show or actor; True when it is new."""
        now = _ts(self.clock.now())
        is_new = await self.store.subscribe(
            platform=chat.platform, chat_id=chat.key, is_private=private, kind=target.kind, target=target.key, now=now
        )
        if is_new:
            self.audiences.forget(self.catalog.shows_followed([(target.kind, target.key)]))
            settings = await self.store.chat(platform=chat.platform, chat_id=chat.key)
            if settings is not None:
                self.in_use.followed(leads=encode_leads(settings.leads) if settings.leads else None, zone=settings.timezone)
            self._touch(chat, replan=True)
        return is_new

    async def unsubscribe(self, chat: ChatRef, target: Target) -> bool:
        removed = await self.store.unsubscribe(platform=chat.platform, chat_id=chat.key, kind=target.kind, target=target.key)
        if removed:
            self.audiences.forget(self.catalog.shows_followed([(target.kind, target.key)]))
            self.in_use.forget()  # its settings may be in use by nobody else
            self._touch(chat, replan=True)
        return removed

    async def _forget_audiences_of(self, chat: ChatRef) -> None:
        """The chat now counts, or no longer counts, in the audience of every show it follows."""
        self.audiences.forget(self.catalog.shows_followed(await self.store.subscriptions(
            platform=chat.platform, chat_id=chat.key
        )))

    async def set_timezone(self, chat: ChatRef, *, private: bool, zone: ZoneInfo) -> None:
        await self.store.set_timezone(
            platform=chat.platform, chat_id=chat.key, is_private=private, zone=zone.key, now=_ts(self.clock.now())
        )
        self.in_use.forget(leads=False)
        self._touch(chat, replan=True)  # streaming releases are planned per zone in use

    async def set_leads(self, chat: ChatRef, *, private: bool, minutes: Sequence[int]) -> None:
        await self.store.set_leads(
            platform=chat.platform, chat_id=chat.key, is_private=private, minutes=minutes, now=_ts(self.clock.now())
        )
        self.in_use.forget(zones=False)
        self._touch(chat, replan=True)

    async def set_mention(self, chat: ChatRef, *, private: bool, mention: str | None) -> None:
        """Whom the chat's reminders mention (a platform handle; None: no one)."""
        await self.store.set_mention(
            platform=chat.platform, chat_id=chat.key, is_private=private, mention=mention, now=_ts(self.clock.now())
        )
        self._touch(chat, replan=False)

    async def set_events(self, chat: ChatRef, *, private: bool, on: bool) -> None:
        """Whether the platform's event calendar lists the chat's upcoming episodes."""
        await self.store.set_events(
            platform=chat.platform, chat_id=chat.key, is_private=private, on=on, now=_ts(self.clock.now())
        )
        self._touch(chat, replan=False)

    async def chat_unreachable(self, chat: ChatRef, reason: str) -> None:
        """The platform says this chat cannot be reached: pause it, keep its subscriptions."""
        if await self.store.pause_chat(platform=chat.platform, chat_id=chat.key, reason=reason, now=_ts(self.clock.now())):
            log.info("delivery to %s paused: %s", chat, reason)
            await self._forget_audiences_of(chat)
        self._touch(chat, replan=False)

    async def resume(self, chat: ChatRef) -> str | None:
        """The chat wrote again: deliver to it again. Returns why it had been paused, if it was."""
        reason = await self.store.resume_chat(platform=chat.platform, chat_id=chat.key)
        if reason is not None:
            log.info("delivery to %s resumed", chat)
            await self._forget_audiences_of(chat)
            self._touch(chat, replan=False)
        return reason

    async def chat_moved(self, chat: ChatRef, new_chat: ChatRef) -> None:
        """The chat has a new id: settings, subscriptions and pending deliveries move with it."""
        await self.store.move_chat(platform=chat.platform, old=chat.key, new=new_chat.key)
        log.info("%s moved to %s", chat, new_chat)
        await self._forget_audiences_of(new_chat)
        self.in_use.forget()
        self._touch(chat, replan=False)
        self._touch(new_chat, replan=True)

    def is_owner(self, msg: IncomingMessage) -> bool:
        """A bot owner (the config's `owners`): may change what is global, such as the feeds."""
        return f"{msg.platform}:{msg.user}" in self.config.owners

    async def is_admin(self, msg: IncomingMessage) -> bool:
        """Owners everywhere; otherwise the platform is asked (only when an admin command runs)."""
        if self.is_owner(msg):
            return True
        return await msg.ask_admin()

    # ---- the inbox adapters report to -------------------------------------------------------------

    async def handle(self, msg: IncomingMessage) -> Reply | None:
        """The reply to one typed line (None: stay quiet), for the adapter to deliver."""
        if not self.listening:
            return None
        notice = await self._pause_notice(msg)
        reply = await commands.respond(self, msg)
        return self._with_notice(reply, notice)

    async def run(self, msg: IncomingMessage, command: tuple[str, ...], args: Mapping[str, str]) -> Reply:
        """Run a command given as a path and options (a Discord slash command, a tapped choice)."""
        if not self.listening:
            return Reply(Message.of("I am restarting; try again in a minute."))
        notice = await self._pause_notice(msg)
        reply = await commands.execute(self, msg, command, {key: visible(value) for key, value in args.items()})
        return self._with_notice(reply, notice) or reply

    async def _pause_notice(self, msg: IncomingMessage) -> str | None:
        """A message through the chat itself resumes a paused chat; one from elsewhere (a personal
        command typed in a server channel) cannot, so it is told why delivery is paused."""
        if msg.reaches_chat:
            reason = await self.resume(msg.chat)
            return None if reason is None else f"Delivery to this chat had been paused ({reason}); it is back on now."
        settings = await self.store.chat(platform=msg.chat.platform, chat_id=msg.chat.key)
        if settings is None or not settings.paused_reason:
            return None
        return f"Your reminders and news are paused: {settings.paused_reason}."

    @staticmethod
    def _with_notice(reply: Reply | None, notice: str | None) -> Reply | None:
        if reply is None or notice is None:
            return reply
        return replace(reply, body=Message.lines(notice, reply.body))  # a refusal stays one

    def names(self) -> list[tuple[str, str]]:
        """Every name a show or actor goes by, with the text that picks exactly it (autocompletion).
        The same list object until a catalog change alters a name: a new one after."""
        catalog = self.catalog
        if self._names is not None and self._names[0] is catalog:
            return self._names[1]
        index = catalog.names
        labels: dict[tuple[str, str], str] = {}
        found = []
        for name, target in catalog.named_targets():
            key = (target.kind, target.key)
            if key not in labels:
                labels[key] = visible(index.label(target))
            found.append((visible(name), labels[key]))
        if self._names is not None and self._names[1] == found:
            found = self._names[1]  # a change that renamed nothing (a refresh, a correction): nothing to rebuild
        self._names = (catalog, found)
        return found

    async def upcoming(self, chat: ChatRef, days: int) -> list[Upcoming]:
        """The episodes of what `chat` follows that start in the next `days` days, in air order."""
        now = self.clock.now()
        until = now + timedelta(days=days)
        keys = self.catalog.shows_followed(await self.store.subscriptions(platform=chat.platform, chat_id=chat.key))
        found = []
        for key in sorted(keys):
            show = self.catalog.shows[key]
            for airing in self.catalog.by_show.get(key, ()):
                if now < airing.start <= until:
                    end = airing.start + timedelta(minutes=show.runtime or 60)
                    episode = f"{show.key}#{airing.episode}"  # stable when the schedule moves the episode
                    found.append(Upcoming(episode, visible(show.title), airing.episode, visible(show.network),
                                          airing.start, end))
        return sorted(found, key=lambda u: (u.start, u.key))

    async def chats_with_events(self, platform: Platform) -> list[ChatRef]:
        return [ChatRef.from_key(platform, key) for key in await self.store.chats_with_events(platform)]

    async def request_slot(self, platform: Platform) -> None:
        """One slot of the platform's pace for an adapter's own request (no chat, reply priority)."""
        outbox = self.outboxes.get(platform)
        if outbox is not None:
            await outbox.request_slot()

    async def send_reply(self, chat: ChatRef, send: Callable[[], Awaitable[T]]) -> T:
        """Run an adapter's reply call under its platform's pace, ahead of reminders and news."""
        outbox = self.outboxes.get(chat.platform)
        if outbox is None:
            return await send()
        return await outbox.send_reply(chat, send)

    # ---- reminders --------------------------------------------------------------------------------

    def targets(self, show: Show) -> list[tuple[str, str]]:
        """The subscriptions that reach a show: itself and its cast."""
        return [("show", show.key)] + [("actor", key) for key in show.cast]

    async def fan_out(self, job: DeliveryJob, targets: Sequence[tuple[str, str]],
                      where: Callable[[Recipient], bool] | None = None) -> int:
        """Queue `job` once to every chat following any of `targets` now (and passing `where`);
        returns how many."""
        version = self._version
        recipients = await self.store.recipients(targets)
        return await self._claim_and_queue(job, [r for r in recipients if where is None or where(r)], version)

    async def zones_in_use(self) -> set[str]:
        """Every zone some following chat has (the default for chats without one)."""
        return {zone or self.config.timezone.key for zone in await self.in_use.zones()}

    async def fire_reminder(self, airing: Airing, leads: int | Sequence[int]) -> int:
        """Queue the reminder for `airing` to everyone following its show now; returns how many.

        `leads` are the lead times due together (more than one after a restart missed some): a
        chat that wants several of them gets one message, for the latest (the others are
        recorded as superseded, so they are never sent later either).
        """
        due = (leads,) if isinstance(leads, int) else tuple(sorted(set(leads)))
        if self.catalog.airing(airing.key) is None:
            log.info("not reminding of %s: the episode moved or was cancelled", airing.key)
            return 0
        show = self.catalog.shows[airing.show_key]
        version = self._version
        recipients = await self.store.recipients(self.targets(show))
        default = tuple(m for m in due if m in self.config.lead_minutes)
        wanted_by_setting: dict[str | None, tuple[int, ...]] = {}
        chosen: dict[int, list[Recipient]] = {}
        superseded: dict[int, list[tuple[str, str]]] = {}
        for r in recipients:
            wanted = wanted_by_setting.get(r.leads)
            if wanted is None:
                wanted = wanted_by_setting[r.leads] = (
                    tuple(m for m in due if m in (decode_leads(r.leads) or ())) if r.leads else default
                )
            if not wanted:
                continue
            chosen.setdefault(wanted[0], []).append(r)
            for other in wanted[1:]:
                superseded.setdefault(other, []).append((r.platform, r.chat_id))
        expires = _ts(airing.start)
        for lead, chats in superseded.items():
            await self.store.claim(kind="reminder", job=ReminderKey(airing.key, lead).encode(), expires_at=expires, recipients=chats,
                                   state="dropped", note="superseded by a later lead time")
        count = 0
        for lead, group in chosen.items():
            job = ReminderDelivery(self, show, airing, lead)
            count += await self._claim_and_queue(job, group, version)
        return count

    async def _claim_and_queue(self, job: DeliveryJob, recipients: list[Recipient], version: int) -> int:
        """Claim and queue in chunks, so the first messages leave while later chunks are still
        being claimed (the database works in its own thread meanwhile)."""
        recipients.sort(key=_by_chat)
        count = 0
        for start in range(0, len(recipients), CLAIM_CHUNK):
            items = await self._claim(job, recipients[start : start + CLAIM_CHUNK], version)
            for platform, batch in items.items():
                self._queue(job, platform, batch)
                count += len(batch)
        return count

    async def _claim(self, job: DeliveryJob, chunk: list[Recipient], version: int) -> dict[str, list[Item]]:
        """Claim `job` for a chunk of recipients (sorted by chat); the items to queue, by platform:
        one per row this claim inserted."""
        stamp = self._next_stamp()
        claimed = await self.store.claim(kind=job.kind, job=job.key, expires_at=_ts(job.expires), recipients=chunk, stamp=stamp)
        if len(claimed) != len(chunk):  # some had a ledger row already: only the rows this claim inserted
            taken = set(claimed)
            chunk = [r for r in chunk if (r.platform, r.chat_id) in taken]
        items: dict[str, list[Item]] = {}
        for seq, r in enumerate(chunk):  # claims come back sorted by platform and chat, as `chunk` is
            chat = ChatRef(r.platform, r.chat_id) if "/" not in r.chat_id else ChatRef.from_key(r.platform, r.chat_id)  # type: ignore[arg-type]
            items.setdefault(r.platform, []).append(
                Item(job, chat, r.is_private, r.timezone, version, stamp=stamp, seq=seq, mention=r.mention)
            )
        return items

    def _queue(self, job: DeliveryJob, platform: str, items: list[Item]) -> None:
        outbox = self.outboxes.get(platform)
        if outbox is not None:
            outbox.submit(job, items)
            return
        retry_at = self.clock.now() + NO_ADAPTER_RETRY
        log.warning("no %s adapter is running: %d %s deliveries wait until %s", platform, len(items), job.kind, retry_at)
        for item in items:
            self.ledger.failed(item, f"no {platform} adapter is running", retry_at if retry_at < job.expires else None)

    def _next_stamp(self) -> int:
        """A claim stamp no other claim of this database has used (microseconds, strictly increasing)."""
        self._stamp = max(self._stamp + 1, int(self.clock.now().timestamp() * 1_000_000), time.time_ns() // 1000)
        return self._stamp

    # ---- news -------------------------------------------------------------------------------------

    async def publish_article(self, article: Article) -> int:
        """Queue a newly fetched article once to every chat following a show or actor it names.

        Each chat gets at most `[news] max_per_hour` articles in a clock hour; the ones over it
        are held in the database for that chat's digest at the end of the hour. The article, what
        it names, the hour's counts, the held digest entries and the ledger's claims are written in
        one transaction: when any of it fails nothing is kept, and the poller's next try publishes
        the article afresh (it is not taken for one already delivered). Its messages are queued
        once that transaction is committed."""
        now = self.clock.now()
        NewsKey(article.feed, article.id)  # raises (a ValueError) for a feed name no stored key could be read back from
        published = _ts(article.published) if article.published else None
        about = self.catalog.news.find(article.title, article.summary)
        by_key = {(t.kind, t.key): t for t in about}
        job: NewsDelivery | None = None
        claimed: list[dict[str, list[Item]]] = []
        if not about:  # nobody can follow what it names: its entry's identity is all that is kept
            await self.store.note_unmatched_article(
                feed=article.feed, article_id=article.id, title=article.title, link=article.link, now=_ts(now)
            )
            return 0
        async with self.store.transaction():
            is_new = await self.store.save_article(
                feed=article.feed, article_id=article.id, title=article.title, link=article.link, summary=article.summary, published=published, now=_ts(now)
            )
            if not is_new:
                return 0
            await self.store.save_article_targets(feed=article.feed, article_id=article.id, targets=by_key)
            version = self._version
            followers = await self.store.news_recipients(list(by_key))
            hour = _ts(now) // HOUR * HOUR
            under = await self.store.take_news_slots(hour=hour, cap=self.config.news.max_per_hour, recipients=followers)
            over = [chat for chat in followers if chat not in under]
            if over:
                await self.store.hold_for_digest(hour=hour, feed=article.feed, article_id=article.id, chats=over)
            matched = {chat: frozenset(by_key[pair] for pair in pairs) for chat, (_, pairs) in followers.items() if chat in under}
            job = NewsDelivery(self, article, about, now + NEWS_FRESH_FOR, matched)
            recipients = sorted((followers[chat][0] for chat in matched), key=_by_chat)
            for start in range(0, len(recipients), CLAIM_CHUNK):
                claimed.append(await self._claim(job, recipients[start : start + CLAIM_CHUNK], version))
        if over:
            log.info("%d chats are at their hourly news cap: %s|%s waits for their digest", len(over), article.feed, article.id)
            if self._digest_noted != hour:
                self._digest_noted = hour
                self.changed()  # a digest is due at the end of this hour
        count = 0
        for items in claimed:
            for platform, batch in items.items():
                self._queue(job, platform, batch)
                count += len(batch)
        return count

    async def next_digest_at(self) -> datetime | None:
        """When the next digest of held articles is due (the end of the earliest hour holding some)."""
        hour = await self.store.next_digest_hour()
        return None if hour is None else datetime.fromtimestamp(hour + HOUR, UTC)

    async def send_digests(self) -> int:
        """Queue one digest per chat for every hour that has ended with articles held over its cap."""
        now = _ts(self.clock.now())
        count = 0
        while (hour := await self.store.next_digest_hour()) is not None and hour + HOUR <= now:
            chats = await self.store.digest_chats(hour)
            flags = await self.store.chat_flags(chats)
            recipients = [Recipient(p, c, *flags.get(ChatKey(p, c), _UNKNOWN_CHAT)[:2], None) for p, c in chats]
            expires = datetime.fromtimestamp(hour + HOUR, UTC) + NEWS_FRESH_FOR
            count += await self._claim_and_queue(DigestDelivery(self, hour, expires), recipients, self._version)
            await self.store.digest_queued(hour)
        return count

    # ---- feeds: the config's and those owners add at run time ---------------------------------------

    def watch_feeds(self, watcher: FeedWatcher) -> None:
        """The poller to tell about feeds added or removed (set by the process that polls)."""
        self.feed_watcher = watcher

    async def feeds(self) -> list[FeedConfig]:
        """Every feed to poll: the config's, then those added at run time."""
        added = [FeedConfig(name, url) for name, url in await self.store.added_feeds()]
        return list(self.config.news.feeds) + added

    async def feed_report(self) -> list[FeedInfo]:
        feeds = await self.feeds()
        configured = {f.name for f in self.config.news.feeds}
        last = await self.store.last_articles([f.name for f in feeds])
        return [
            FeedInfo(f, f.name in configured, await self.store.feed_state(f.name), last.get(f.name)) for f in feeds
        ]

    async def add_feed(self, url: str, name: str, *, by: str) -> tuple[FeedConfig, int]:
        """Check that `url` is a feed, then store it and have it polled; returns it and how many
        entries it lists now (its first poll delivers none of them). Raises FeedRefused."""
        url = url.strip()
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise FeedRefused(f"{url[:80]!r} is not a web address; a feed URL starts with https:// or http://.")
        name = " ".join(name.split()) or feed_name(url)
        if problem := feed_name_problem(name):
            raise FeedRefused(problem[0].upper() + problem[1:] + ".")
        for feed in await self.feeds():
            if feed.name.casefold() == name.casefold():
                raise FeedRefused(f"There is already a feed named {feed.name!r}; give this one another name.")
            if feed.url == url:
                raise FeedRefused(f"That URL is already polled as {feed.name!r}.")
        if self.feed_watcher is None:
            raise FeedRefused("Feeds are not polled in this process, so none can be added here.")
        entries = await self.feed_watcher.check(url)
        feed = FeedConfig(name, url)
        if not await self.store.add_feed(name=name, url=url, added_by=by, now=_ts(self.clock.now())):
            raise FeedRefused(f"There is already a feed named {name!r}; give this one another name.")
        log.info("feed %s (%s) added by %s", name, url, by)
        self.feed_watcher.watch(feed)
        return feed, entries

    async def remove_feed(self, name: str) -> FeedConfig:
        """Stop polling a feed added at run time; a config feed cannot be removed. Raises FeedRefused."""
        wanted = " ".join(name.split()).casefold()
        configured = next((f for f in self.config.news.feeds if f.name.casefold() == wanted), None)
        if configured is not None:
            raise FeedRefused(
                f"{configured.name!r} comes from the config file ({self.config.source}); it cannot be removed at run "
                "time. Remove it from [news] feeds there and restart."
            )
        feed = next((f for f in await self.feeds() if f.name.casefold() == wanted), None)
        if feed is None:
            raise FeedRefused(f"There is no feed named {name.strip()[:60]!r}. /feeds lists them.")
        if self.feed_watcher is not None:
            await self.feed_watcher.unwatch(feed.name)
        await self.store.remove_feed(feed.name)
        log.info("feed %s (%s) removed", feed.name, feed.url)
        return feed

    # ---- retries ----------------------------------------------------------------------------------

    async def recover(self) -> int:
        """At start: deliveries a stopped process had claimed but not confirmed are retried."""
        return await self.store.requeue_unfinished(now=_ts(self.clock.now()))

    async def next_retry_at(self) -> datetime | None:
        ts = await self.store.next_retry_at()
        return datetime.fromtimestamp(ts, UTC) if ts is not None else None

    async def retry_due(self) -> int:
        """Claim every failed delivery whose time has come and queue it again (all of them, in
        one statement; each is re-checked against the chat's settings when it is sent)."""
        now = self.clock.now()
        pending = await self.store.claim_due_retries(now=_ts(now))
        if not pending:
            return 0
        chats = await self.store.chat_flags({(p.delivery.platform, p.delivery.chat_id) for p in pending})
        jobs: dict[tuple[str, str], DeliveryJob | None] = {}
        count = late = 0
        for p in pending:
            d = p.delivery
            chat = ChatRef.from_key(d.platform, d.chat_id)
            if (d.kind, d.job) not in jobs:
                jobs[(d.kind, d.job)] = await self._job_for(p)
            job = jobs[(d.kind, d.job)]
            if job is None or _ts(now) > p.expires_at:
                self.ledger.outcome(d.kind, d.job, chat, "no longer timely, or gone from the catalog", None)
                late += job is not None
                continue
            private, zone, mention = chats.get(ChatKey(d.platform, d.chat_id), _UNKNOWN_CHAT)
            self._queue(job, d.platform, [Item(job, chat, private, zone, version=-1, attempts=p.attempts, mention=mention)])
            count += 1
        if late:
            log.warning("%d deliveries due for a retry were dropped: too late by now", late)
        return count

    async def _job_for(self, pending: Pending) -> DeliveryJob | None:
        d = pending.delivery
        return await self.rebuilders.rebuild(d.kind, d.job, datetime.fromtimestamp(pending.expires_at, UTC))

    async def _reminder_job(self, key: ReminderKey, _expires: datetime) -> ReminderDelivery | None:
        airing = self.catalog.airing(key.airing)
        return None if airing is None else ReminderDelivery(self, self.catalog.shows[airing.show_key], airing, key.lead)

    async def _digest_job(self, key: DigestKey, expires: datetime) -> DigestDelivery:
        return DigestDelivery(self, key.hour, expires)

    async def _news_job(self, key: NewsKey, expires: datetime) -> NewsDelivery | None:
        stored = await self.store.article(feed=key.feed, article_id=key.article)
        if stored is None:
            return None
        title, link, summary, _published = stored
        article = Article(key.feed, key.article, title, link, summary)
        named = [self.catalog.target(kind, k) for kind, k in await self.store.article_targets(feed=key.feed, article_id=key.article)]
        about = {t for t in named if t is not None} or self.catalog.news.find(title, summary)  # as it was matched
        return NewsDelivery(self, article, about, expires)
