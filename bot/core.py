"""The core: answer a message, fan out a reminder, deliver an article, retry what failed.

It is handed a store, a catalog, the config, a clock and the adapters by platform; it imports
no platform library and no scheduler. Fan-out happens here, when a job fires: it reads who
follows the show right then, claims one ledger row per recipient, sends, and marks it sent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Iterable, Mapping
from zoneinfo import ZoneInfo

from . import commands
from .catalog import Airing, Catalog, Show
from .config import Config
from .interfaces import Adapter, Clock, DeliveryError, IncomingMessage, Outgoing
from .names import Target, plain_text
from .render import Bold, Countdown, Link, Message, When
from .store import Delivery, Pending, Store, decode_leads
from .zones import UTC

log = logging.getLogger(__name__)

MARK_BATCH = 500  # sends between two ledger commits
MAX_ATTEMPTS = 6
NEWS_FRESH_FOR = timedelta(days=2)  # an article not delivered by then is dropped
NO_ADAPTER_RETRY = timedelta(minutes=15)
RETRY_BASE = timedelta(seconds=30)  # doubled after each failed attempt


@dataclass(frozen=True)
class Article:
    feed: str
    id: str
    title: str
    link: str
    summary: str = ""
    published: datetime | None = None


def _ts(instant: datetime) -> int:
    return int(instant.timestamp())


def reminder_job(airing: Airing, lead_minutes: int) -> str:
    return f"{airing.key}|{lead_minutes}"


def news_job(feed: str, article_id: str) -> str:
    return f"{feed}|{article_id}"


def reminder_message(show: Show, airing: Airing, zone: ZoneInfo, now: datetime) -> Message:
    network = f" ({show.network})" if show.network else ""
    return Message.of(
        "⏰ ", Bold(show.title), f", episode {airing.episode}, starts ", Countdown(airing.start, now), ": ",
        When(airing.start, zone), f"{network}.",
    )


NEWS_TITLE_MAX = 200
NEWS_SUMMARY_MAX = 300
NEWS_LINK_MAX = 500  # longer links are not shown: no platform message could hold them
NEWS_NAMES_MAX = 8


def _shorten(text: str, limit: int) -> str:
    """`text` on one line, cut at a word before `limit` characters with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut[limit // 2 :] else cut) + "…"


def _linkable(url: str) -> bool:
    """A web address every platform can carry as a link."""
    return (
        url.lower().startswith(("https://", "http://"))
        and len(url) <= NEWS_LINK_MAX
        and not any(c.isspace() or c in '<>"`' for c in url)
    )


def news_message(article: Article, about: Iterable[Target]) -> Message:
    """📰 title (linked), a short summary, and what the article is about; bounded in size
    whatever the feed sends (title 200, summary 300 characters, at most 8 names)."""
    title = _shorten(plain_text(article.title), NEWS_TITLE_MAX) or "(untitled article)"
    summary = _shorten(plain_text(article.summary), NEWS_SUMMARY_MAX)
    link = article.link.strip()
    headline = Link(title, link) if _linkable(link) else title
    names = sorted({t.name for t in about})
    if len(names) > NEWS_NAMES_MAX:
        names = names[:NEWS_NAMES_MAX] + [f"{len(names) - NEWS_NAMES_MAX} more"]
    lines: list[Message | str] = [Message.of("📰 ", headline)]
    if summary:
        lines.append(summary)
    if names:
        lines.append(f"About: {', '.join(names)}")
    return Message.lines(*lines)


class Core:
    def __init__(
        self,
        *,
        store: Store,
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
        self._airings_by_key = {a.key: a for a in catalog.airings}
        self._change_listeners: list[Callable[[], object]] = []

    # ---- wiring for the scheduler ---------------------------------------------------------------

    def on_change(self, listener: Callable[[], object]) -> None:
        """Call `listener` after anything that can change which reminder jobs exist."""
        self._change_listeners.append(listener)

    def changed(self) -> None:
        for listener in self._change_listeners:
            listener()

    async def leads_in_use(self) -> set[int]:
        """Every lead (minutes) some following chat wants: the reminder jobs to plan."""
        leads: set[int] = set()
        for setting in await self.store.lead_settings_in_use():
            leads.update(decode_leads(setting) or self.config.lead_minutes)
        return leads

    # ---- settings -------------------------------------------------------------------------------

    def zone_of(self, stored: str | None) -> ZoneInfo:
        return ZoneInfo(stored) if stored else self.config.timezone

    async def chat_settings(self, platform: str, chat: str) -> tuple[ZoneInfo, tuple[int, ...]]:
        row = await self.store.chat(platform, chat)
        zone = self.zone_of(row.timezone if row else None)
        leads = (row.leads if row else None) or self.config.lead_minutes
        return zone, leads

    def is_admin(self, msg: IncomingMessage) -> bool:
        return msg.is_admin or f"{msg.platform}:{msg.user}" in self.config.owners

    # ---- incoming messages ----------------------------------------------------------------------

    async def handle(self, msg: IncomingMessage) -> None:
        """Answer one incoming message (the adapters' callback)."""
        reply = await commands.respond(self, msg)
        if reply is None:
            return
        adapter = self.adapters.get(msg.platform)
        if adapter is None:
            log.error("no adapter for platform %r; reply dropped", msg.platform)
            return
        try:
            await adapter.send(msg.chat, Outgoing("reply", reply, msg.thread))
        except DeliveryError as exc:
            log.warning("reply to %s:%s failed: %s", msg.platform, msg.chat, exc)

    # ---- reminders ------------------------------------------------------------------------------

    async def fire_reminder(self, airing: Airing, lead_minutes: int) -> int:
        """Send the reminder for `airing` at `lead_minutes` to everyone following its show now."""
        show = self.catalog.shows[airing.show_key]
        targets = [("show", show.key)] + [("actor", key) for key in show.cast]
        default_has_lead = lead_minutes in self.config.lead_minutes
        wants: dict[str | None, bool] = {}
        recipients: dict[tuple[str, str], str | None] = {}
        for platform, chat, zone, leads in await self.store.recipients(targets):
            wanted = wants.get(leads)
            if wanted is None:
                wanted = wants[leads] = lead_minutes in decode_leads(leads) if leads else default_has_lead
            if wanted:
                recipients[(platform, chat)] = zone
        if not recipients:
            return 0
        now = self.clock.now()
        bodies: dict[str | None, Outgoing] = {}
        for zone in set(recipients.values()):
            bodies[zone] = Outgoing("reminder", reminder_message(show, airing, self.zone_of(zone), now))
        messages = {recipient: bodies[zone] for recipient, zone in recipients.items()}
        return await self._deliver("reminder", reminder_job(airing, lead_minutes), airing.start, messages)

    # ---- news -----------------------------------------------------------------------------------

    async def publish_article(self, article: Article) -> int:
        """Deliver a newly fetched article once to every chat following a show or actor it names."""
        now = self.clock.now()
        if "|" in article.feed:
            raise ValueError(f"feed name {article.feed!r} must not contain '|'")
        published = _ts(article.published) if article.published else None
        is_new = await self.store.save_article(
            article.feed, article.id, article.title, article.link, article.summary, published, _ts(now)
        )
        if not is_new:
            return 0
        about = self.catalog.news.find(article.title, article.summary)
        if not about:
            return 0
        rows = await self.store.recipients([(t.kind, t.key) for t in about])
        body = Outgoing("news", news_message(article, about))
        messages = {(platform, chat): body for platform, chat, _, _ in rows}
        return await self._deliver("news", news_job(article.feed, article.id), now + NEWS_FRESH_FOR, messages)

    # ---- delivery through the ledger ------------------------------------------------------------

    async def _deliver(
        self, kind: str, job: str, expires: datetime, messages: Mapping[tuple[str, str], Outgoing]
    ) -> int:
        """Claim, send and confirm one job to every recipient; returns how many were sent.

        Confirmations are committed every MARK_BATCH sends: a crash can repeat at most that many
        sends at the next start, and loses none.
        """
        claimed = await self.store.claim(kind, job, _ts(expires), messages.keys())
        count = 0
        for start in range(0, len(claimed), MARK_BATCH):
            batch = claimed[start : start + MARK_BATCH]
            for recipient in batch:
                count += await self._send(kind, job, *recipient, messages[recipient], 0, expires)
            await self.store.mark_sent(kind, job, batch[0], batch[-1], _ts(self.clock.now()))
        return count

    async def _send(
        self, kind: str, job: str, platform: str, chat: str, out: Outgoing, attempts: int, expires: datetime
    ) -> bool:
        """Hand one message to its adapter; a failure is recorded for retry (or dropped)."""
        adapter = self.adapters.get(platform)
        try:
            if adapter is None:
                raise DeliveryError(f"no {platform} adapter is running", retry_after=NO_ADAPTER_RETRY.total_seconds())
            await adapter.send(chat, out)
            return True
        except Exception as exc:  # one failed chat must not stop the fan-out to everyone else
            await self._failed(Delivery(kind, job, platform, chat), attempts, expires, exc)
            return False

    async def _failed(self, delivery: Delivery, attempts: int, expires: datetime, exc: Exception) -> None:
        """Schedule a retry with backoff, or drop the delivery when retrying cannot help or is too late."""
        if not isinstance(exc, DeliveryError):  # an adapter bug: log it, treat it as transient
            log.error("sending %s to %s:%s raised", delivery.job, delivery.platform, delivery.chat_id, exc_info=exc)
            exc = DeliveryError(f"{type(exc).__name__}: {exc}")
        now = self.clock.now()
        wait = exc.retry_after if exc.retry_after is not None else RETRY_BASE.total_seconds() * 2**attempts
        retry_at = now + timedelta(seconds=max(1.0, wait))
        give_up = exc.permanent or attempts + 1 >= MAX_ATTEMPTS or retry_at > expires
        log.warning(
            "%s %s to %s:%s failed (%s)%s", delivery.kind, delivery.job, delivery.platform, delivery.chat_id, exc,
            "; dropped" if give_up else f"; retry at {retry_at:%Y-%m-%d %H:%M:%S}Z",
        )
        await self.store.mark_failed(delivery, str(exc), None if give_up else _ts(retry_at))

    async def recover(self) -> int:
        """At start: deliveries a stopped process had claimed but not confirmed are retried."""
        return await self.store.requeue_unfinished(_ts(self.clock.now()))

    async def next_retry_at(self) -> datetime | None:
        ts = await self.store.next_retry_at()
        return datetime.fromtimestamp(ts, UTC) if ts is not None else None

    async def retry_due(self) -> int:
        """Try again every failed delivery whose time has come, if it is still worth sending."""
        count = 0
        now = self.clock.now()
        for pending in await self.store.due_retries(_ts(now)):
            out = await self._rebuild(pending, now)
            if out is None:
                continue
            d = pending.delivery
            expires = datetime.fromtimestamp(pending.expires_at, UTC)
            await self.store.reclaim(d)
            if await self._send(d.kind, d.job, d.platform, d.chat_id, out, pending.attempts, expires):
                recipient = (d.platform, d.chat_id)
                await self.store.mark_sent(d.kind, d.job, recipient, recipient, _ts(self.clock.now()))
                count += 1
        return count

    async def _rebuild(self, pending: Pending, now: datetime) -> Outgoing | None:
        """The message a retry sends, built afresh (zone and countdown as of now), or None when
        it is no longer worth sending."""
        d = pending.delivery
        if _ts(now) > pending.expires_at:
            await self.store.drop(d, "too late: the episode began or the news went stale")
            return None
        if d.kind == "reminder":
            airing_key, _, _lead = d.job.rpartition("|")
            airing = self._airings_by_key.get(airing_key)
            if airing is None or airing.start <= now:
                await self.store.drop(d, "the airing is no longer in the catalog or has begun")
                return None
            zone, leads = await self.chat_settings(d.platform, d.chat_id)
            follows = self.catalog.shows_followed(await self.store.subscriptions(d.platform, d.chat_id))
            if airing.show_key not in follows or int(_lead) not in leads:
                await self.store.drop(d, "the chat no longer follows the show or wants this lead time")
                return None
            return Outgoing("reminder", reminder_message(self.catalog.shows[airing.show_key], airing, zone, now))
        feed, _, article_id = d.job.partition("|")
        stored = await self.store.article(feed, article_id)
        if stored is None:
            await self.store.drop(d, "the article is gone")
            return None
        title, link, summary, published = stored
        about = self.catalog.news.find(title, summary)
        follows = set(await self.store.subscriptions(d.platform, d.chat_id))
        if not any((t.kind, t.key) in follows for t in about):
            await self.store.drop(d, "the chat no longer follows anything the article names")
            return None
        return Outgoing("news", news_message(Article(feed, article_id, title, link, summary), about))
