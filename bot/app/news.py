"""News: an article published once to the chats following what it names (saved, matched, counted
against each chat's hourly cap and claimed in one transaction), the digests of what went over the
cap, and the messages of both, written when each is sent."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Literal

from ..delivery import Item, chat_now
from ..domain.article import Article
from ..domain.catalog import Catalog
from ..domain.headlines import article_headline, shorten
from ..domain.i18n import DEFAULT_LANGUAGE, Language, catalogue, choose, title_in
from ..domain.interfaces import Outgoing
from ..domain.jobkeys import DigestKey, NewsKey
from ..domain.names import Target
from ..domain.render import Message, fit_lines
from ..domain.zones import UTC, unix_time
from ..storage.values import ChatKey, Recipient, StoredArticle
from .chats import ChatOwner
from .fanout import CLAIM_CHUNK, Fanout, by_chat
from .sending import UNKNOWN_CHAT
from .state import AppState

log = logging.getLogger(__name__)

NEWS_FRESH_FOR = timedelta(days=2)  # an article not delivered by then is dropped
HOUR = 3600

NEWS_SUMMARY_MAX = 300
NEWS_NAMES_MAX = 8
NEWS_FEED_MAX = 60


def news_message(
    article: Article, matched: Iterable[Target], lang: Language = DEFAULT_LANGUAGE, catalog: Catalog | None = None,
) -> Message:
    """📰 title (linked), a short summary, the feed's name and which of the chat's own
    subscriptions the article names; bounded in size whatever the feed sends (title 200,
    summary 300, feed name 60 characters, at most 8 names)."""
    summary = shorten(article.summary, NEWS_SUMMARY_MAX)
    messages = catalogue()
    names = sorted({_name(t, lang, catalog) for t in matched})
    if len(names) > NEWS_NAMES_MAX:
        names = names[:NEWS_NAMES_MAX] + [messages.text(lang, "news-more-names", count=len(names) - NEWS_NAMES_MAX)]
    lines: list[Message | str] = [Message.of("📰 ", article_headline(article.title, article.link))]
    if summary:
        lines.append(summary)
    feed = shorten(article.feed, NEWS_FEED_MAX)
    lines.append(
        messages.text(lang, "news-source-follow", feed=feed, names=", ".join(names)) if names
        else messages.text(lang, "news-source", feed=feed)
    )
    return Message.lines(*lines)


def _name(target: Target, lang: Language, catalog: Catalog | None) -> str:
    """A followed show's or actor's name as the reader knows it (Korean: its Hangul alias)."""
    if catalog is None or lang == DEFAULT_LANGUAGE:
        return target.name
    found = catalog.shows.get(target.key) if target.kind == "show" else catalog.actors.get(target.key)
    return title_in(lang, target.name, found.aliases if found is not None else ())


DIGEST_TITLE_MAX = 90
DIGEST_LINK_MAX = 200


def digest_message(articles: Sequence[StoredArticle], cap: int, lang: Language = DEFAULT_LANGUAGE) -> Message:
    """One message for the articles over a chat's hourly cap: a line each (title linked, feed), as
    many as fit one Discord or Telegram message, then how many more there were."""
    messages = catalogue()
    head = messages.text(lang, "digest-head", count=len(articles), cap=cap)
    lines = [
        Message.of("• ", article_headline(a.title, a.link, DIGEST_TITLE_MAX, DIGEST_LINK_MAX), f" ({shorten(a.feed, NEWS_FEED_MAX)})")
        for a in articles
    ]
    return fit_lines(head, lines, lambda left: messages.text(lang, "digest-more", count=left))


class NewsDelivery:
    """One article: each chat's message names the chat's own subscriptions the article matched.

    `matched` holds, per (platform, chat) of the fan-out, what the chat followed then; a chat
    that changed since (or a retry, which has none) is read again. One body per distinct set.
    """

    kind: Literal["news"] = "news"

    def __init__(
        self, news: News, article: Article, about: set[Target], expires: datetime,
        matched: dict[ChatKey, frozenset[Target]] | None = None,
    ):
        self.state, self.chats = news.state, news.chats
        self.article, self.about, self.expires, self.retry_until = article, about, expires, expires
        self.key = NewsKey(article.feed, article.id).encode()
        self._matched = matched or {}
        self._bodies: dict[tuple[frozenset[Target], Language], Outgoing] = {}

    async def message_for(self, item: Item) -> Outgoing | str:
        store = self.state.store
        chat = ChatKey(item.chat.platform, item.chat.key)
        matched = None if self.chats.changed_since(item.chat, item.version) else self._matched.pop(chat, None)
        language = item.language
        if matched is None:
            settings = await chat_now(store, item.chat)
            if isinstance(settings, str):
                return settings
            language = settings.language
            follows = set(await store.subscriptions(platform=chat.platform, chat_id=chat.chat_id))
            matched = frozenset(t for t in self.about if (t.kind, t.key) in follows)
            if not matched:
                return "the chat no longer follows anything the article names"
        lang = choose(saved=language, platform=None, default=self.state.config.language)
        body = self._bodies.get((matched, lang))
        if body is None:
            body = self._bodies[(matched, lang)] = Outgoing("news", news_message(self.article, matched, lang, self.state.catalog))
        return body


class DigestDelivery:
    """The articles over each chat's cap in one clock hour, as one message per chat at its end,
    read from the database when sent (so a restart or a retry sends the same list)."""

    kind: Literal["news"] = "news"

    def __init__(self, news: News, hour: int, expires: datetime):
        self.state, self.hour, self.expires, self.retry_until = news.state, hour, expires, expires
        self.key = DigestKey(hour).encode()

    async def message_for(self, item: Item) -> Outgoing | str:
        store = self.state.store
        settings = await chat_now(store, item.chat)
        if isinstance(settings, str):
            return settings
        articles = await store.digest_articles(platform=item.chat.platform, chat_id=item.chat.key, hour=self.hour)
        if not articles:
            return "the chat no longer follows anything the held articles name"
        lang = choose(saved=settings.language, platform=None, default=self.state.config.language)
        return Outgoing("news", digest_message(articles, self.state.config.news.max_per_hour, lang))


class News:
    def __init__(self, state: AppState, *, chats: ChatOwner, fanout: Fanout):
        self.state, self.chats, self.fanout = state, chats, fanout
        self._digest_noted: int | None = None

    async def publish_article(self, article: Article) -> int:
        """Queue a newly fetched article once to every chat following a show or actor it names.

        Each chat gets at most `[news] max_per_hour` articles in a clock hour; the ones over it
        are held in the database for that chat's digest at the end of the hour. The article, what
        it names, the hour's counts, the held digest entries and the ledger's claims are written in
        one transaction: when any of it fails nothing is kept, and the poller's next try publishes
        the article afresh (it is not taken for one already delivered). Its messages are queued
        once that transaction is committed."""
        store = self.state.store
        now = self.state.clock.now()
        NewsKey(article.feed, article.id)  # raises (a ValueError) for a feed name no stored key could be read back from
        published = unix_time(article.published) if article.published else None
        about = self.state.catalog.news.find(article.title, article.summary)
        by_key = {(t.kind, t.key): t for t in about}
        job: NewsDelivery | None = None
        claimed: list[dict[str, list[Item]]] = []
        if not about:  # nobody can follow what it names: its entry's identity is all that is kept
            await store.note_unmatched_article(
                feed=article.feed, article_id=article.id, title=article.title, link=article.link, now=unix_time(now)
            )
            return 0
        async with store.transaction():
            is_new = await store.save_article(
                feed=article.feed, article_id=article.id, title=article.title, link=article.link, summary=article.summary, published=published, now=unix_time(now)
            )
            if not is_new:
                return 0
            await store.save_article_targets(feed=article.feed, article_id=article.id, targets=by_key)
            version = self.chats.version
            followers = await store.news_recipients(list(by_key))
            hour = unix_time(now) // HOUR * HOUR
            under = await store.take_news_slots(hour=hour, cap=self.state.config.news.max_per_hour, recipients=followers)
            over = [chat for chat in followers if chat not in under]
            if over:
                await store.hold_for_digest(hour=hour, feed=article.feed, article_id=article.id, chats=over)
            matched = {chat: frozenset(by_key[pair] for pair in pairs) for chat, (_, pairs) in followers.items() if chat in under}
            job = NewsDelivery(self, article, about, now + NEWS_FRESH_FOR, matched)
            recipients = sorted((followers[chat][0] for chat in matched), key=by_chat)
            for start in range(0, len(recipients), CLAIM_CHUNK):
                claimed.append(await self.fanout.claim(job, recipients[start : start + CLAIM_CHUNK], version))
        if over:
            log.info("%d chats are at their hourly news cap: %s|%s waits for their digest", len(over), article.feed, article.id)
            if self._digest_noted != hour:
                self._digest_noted = hour
                self.state.changed()  # a digest is due at the end of this hour
        count = 0
        for items in claimed:
            for platform, batch in items.items():
                self.fanout.queue(job, platform, batch)
                count += len(batch)
        return count

    async def next_digest_at(self) -> datetime | None:
        """When the next digest of held articles is due (the end of the earliest hour holding some)."""
        hour = await self.state.store.next_digest_hour()
        return None if hour is None else datetime.fromtimestamp(hour + HOUR, UTC)

    async def send_digests(self) -> int:
        """Queue one digest per chat for every hour that has ended with articles held over its cap."""
        store = self.state.store
        now = unix_time(self.state.clock.now())
        count = 0
        while (hour := await store.next_digest_hour()) is not None and hour + HOUR <= now:
            chats = await store.digest_chats(hour)
            flags = await store.chat_flags(chats)
            recipients = [Recipient(p, c, *flags.get(ChatKey(p, c), UNKNOWN_CHAT)[:2], None) for p, c in chats]
            expires = datetime.fromtimestamp(hour + HOUR, UTC) + NEWS_FRESH_FOR
            count += await self.fanout.claim_and_queue(DigestDelivery(self, hour, expires), recipients, self.chats.version)
            await store.digest_queued(hour)
        return count

    # ---- the jobs a stored key names again (for a retry) ------------------------------------------

    async def digest_job(self, key: DigestKey, expires: datetime) -> DigestDelivery:
        return DigestDelivery(self, key.hour, expires)

    async def news_job(self, key: NewsKey, expires: datetime) -> NewsDelivery | None:
        state, store = self.state, self.state.store
        stored = await store.article(feed=key.feed, article_id=key.article)
        if stored is None:
            return None
        title, link, summary, _published = stored
        article = Article(key.feed, key.article, title, link, summary)
        named = [state.catalog.target(kind, k) for kind, k in await store.article_targets(feed=key.feed, article_id=key.article)]
        about = {t for t in named if t is not None} or state.catalog.news.find(title, summary)  # as it was matched
        return NewsDelivery(self, article, about, expires)
