"""Polling news feeds: one `await poller.poll(feed)` fetches a feed, publishes what is new, and
says when to poll it next.

A fetch is a conditional GET (ETag, Last-Modified) with gzip, a whole-fetch timeout, at most
MAX_REDIRECTS redirects, a descriptive User-Agent, and a size cap: the body is streamed and
abandoned, never parsed, once it passes `max_bytes` (decompressed by `capped.py`, which stops at
the cap: a gzip bomb costs no more memory than an honest feed). Only public addresses are
connected to, unless `[news] allow_hosts` allows a host (`addresses.py`, checked on each
connection, redirects included). Failures back off exponentially per feed;
a feed is logged when it starts failing, when it turns unhealthy, and when it recovers, each
time with its name and URL (in English words); the feed's state keeps why it failed as a message id
of the catalogues with its values (`Said.stored`), which the owners' `/feeds` writes in their
language. All state lives in the store, so a restart redelivers nothing.

Delivery rules: the first successful poll of a feed only records what it lists; an entry seen
before, published longer ago than `max_age`, or with the link of an article already delivered
from another feed (syndication) is not published. An entry whose `publish` raises is retried at
the next poll (the validators are not kept, so that poll gets the whole document again).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import httpx

from bot.config import FeedConfig, NewsConfig
from bot.domain.article import Article
from bot.domain.i18n import SaidError
from bot.domain.interfaces import Clock
from bot.domain.zones import unix_time
from bot.integrations.feeds import FeedError, link_key, parse_feed
from bot.storage import Storage
from bot.storage.values import FeedState

from .addresses import AddressGuard, AddressRefused, GuardedTransport
from .capped import ACCEPT_ENCODING, BadEncoding, BodyTooLarge, read_capped

log = logging.getLogger(__name__)

USER_AGENT = "dramabot/0.1 (+https://github.com/dramabot/dramabot; K-drama news for fan chats)"
ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"
MAX_REDIRECTS = 5
UNHEALTHY_AFTER = 3  # consecutive failures
MAX_BACKOFF = timedelta(hours=6)  # or the poll interval, if longer
JITTER = 0.1  # next polls spread over +-10% of the delay
KEEP_ENTRIES = timedelta(days=30)  # an entry no longer listed for this long is forgotten
KEEP_ENTRIES_PER_FEED = 20_000  # and beyond this many, those listed longest ago (never one listed now)
REFUSED = "not a public address (loopback, private, link-local and reserved ones are refused; see [news] allow_hosts)"

Publish = Callable[[Article], Awaitable[object]]


def next_poll_at(
    now: datetime,
    interval: timedelta,
    failures: int = 0,
    *,
    rand: float = 0.5,
    jitter: float = JITTER,
    retry_after: timedelta | None = None,
) -> datetime:
    """When to poll again: `interval` after a success; after n consecutive failures interval * 2**n,
    at most MAX_BACKOFF (or `interval` when longer), at least the server's Retry-After; then spread
    by +-jitter of that delay according to `rand` in [0, 1) (0.5: no spread)."""
    ceiling = max(MAX_BACKOFF, interval)
    delay = interval if failures <= 0 else min(interval * 2 ** min(failures, 30), ceiling)
    if retry_after is not None:
        delay = max(delay, min(retry_after, ceiling))
    return now + delay * (1 + jitter * (2 * rand - 1))


class FetchError(SaidError):
    """A fetch that produced no usable document; the message is the log's reason, `said` the
    reader's (a message id of the catalogues and its values)."""

    def __init__(self, reason: str, msg_id: str, *, retry_after: timedelta | None = None, **values: object):
        super().__init__(reason, msg_id, **values)
        self.retry_after = retry_after


class FetchRefused(FetchError):
    """The URL (or a redirect) leads to an address feeds may not be fetched from."""


@dataclass(frozen=True)
class Fetched:
    """A 200 with its body, or a 304 (body None); the validators to send next time."""

    body: bytes | None
    content_type: str | None
    etag: str | None
    last_modified: str | None


class FeedPoller:
    """Polls feeds for one store; `publish` receives each article to deliver."""

    def __init__(
        self,
        store: Storage,
        publish: Publish,
        *,
        settings: NewsConfig,
        clock: Clock,
        client: httpx.AsyncClient | None = None,
        rand: Callable[[], float] = random.random,
    ):
        self.store, self.publish, self.settings, self.clock, self.rand = store, publish, settings, clock, rand
        self.results: Counter[tuple[str, str]] = Counter()  # (feed, "new" | "not_modified" | "failed") -> polls, for /metrics
        self.client = client or httpx.AsyncClient(
            transport=GuardedTransport(AddressGuard(settings.allow_hosts)),
            trust_env=False,  # no proxy from the environment: the guard checks the address actually connected
            timeout=settings.timeout,
            follow_redirects=True,
            max_redirects=MAX_REDIRECTS,
            headers={"User-Agent": USER_AGENT, "Accept": ACCEPT, "Accept-Encoding": ACCEPT_ENCODING},
        )

    async def aclose(self) -> None:
        await self.client.aclose()

    async def due_at(self, feed: FeedConfig) -> datetime:
        """When the feed should next be polled, as stored (now for a feed never polled)."""
        state = await self.store.feed_state(feed.name)
        now = self.clock.now()
        if state is None or state.next_poll_at is None:
            return now
        return max(now, datetime.fromtimestamp(state.next_poll_at, tz=now.tzinfo))

    async def check(self, url: str) -> list[Article]:
        """Fetch `url` once, as a feed never polled (no validators, nothing stored), and parse it:
        the entries it lists. Raises FetchError or FeedError when it is not a readable feed."""
        fetched = await self._fetch(FeedConfig("check", url), FeedState("check", url))
        return await _parse("check", fetched)

    async def poll(self, feed: FeedConfig) -> datetime:
        """Fetch `feed` once, publish its new entries, store its state; returns the next poll instant."""
        state = await self.store.feed_state(feed.name) or FeedState(feed.name, feed.url)
        if state.url != feed.url:  # moved: the old validators mean nothing to the new URL
            state = replace(state, url=feed.url, etag=None, last_modified=None)
        now = self.clock.now()
        try:
            fetched = await self._fetch(feed, state)
            articles = None if fetched.body is None else await _parse(feed.name, fetched)
        except (FetchError, FeedError) as exc:
            self.results[(feed.name, "failed")] += 1
            return await self._failed(feed, state, now, exc)
        self.results[(feed.name, "not_modified" if articles is None else "fetched")] += 1
        if state.failures:
            log.info("feed %s (%s) is healthy again after %d failed polls", feed.name, feed.url, state.failures)
        kept_validators = True
        baseline = state.baseline_at
        if articles is not None:
            if baseline is None:
                await self._record_baseline(feed, articles, now)
                baseline = int(now.timestamp())
            else:
                kept_validators = await self._deliver_new(feed, articles, now)
            await self.store.prune_entries(feed=feed.name, before=int((now - KEEP_ENTRIES).timestamp()),
                                           keep=max(KEEP_ENTRIES_PER_FEED, len(articles)))
        due = next_poll_at(now, self.settings.poll_interval, rand=self.rand())
        await self.store.save_feed_state(
            replace(
                state,
                etag=fetched.etag if kept_validators else None,
                last_modified=fetched.last_modified if kept_validators else None,
                healthy=True, failures=0, last_error=None, next_poll_at=int(due.timestamp()), baseline_at=baseline,
            )
        )
        return due

    async def _record_baseline(self, feed: FeedConfig, articles: list[Article], now: datetime) -> None:
        await self.store.record_entries(feed=feed.name, entries=[(a.id, link_key(a.link), False) for a in articles], now=unix_time(now))
        log.info("feed %s (%s): first poll, %d entries recorded, none delivered", feed.name, feed.url, len(articles))

    async def _deliver_new(self, feed: FeedConfig, articles: list[Article], now: datetime) -> bool:
        """Publish the entries not seen before; False when one of them failed to publish."""
        known = await self.store.known_entries(feed=feed.name, entry_ids=[a.id for a in articles])
        oldest = now - self.settings.max_age
        skipped: list[tuple[str, str, bool]] = []
        all_published = True
        for article in _oldest_first(articles):
            link = link_key(article.link)
            if article.id in known:
                skipped.append((article.id, link, False))
                continue
            known.add(article.id)
            if (article.published is not None and article.published < oldest) or await self.store.link_delivered(link):
                skipped.append((article.id, link, False))
                continue
            try:
                await self.publish(article)
            except Exception:
                log.exception(
                    "feed %s (%s): publishing %s failed; retried at the next poll", feed.name, feed.url, article.id
                )
                all_published = False
                continue
            await self.store.record_entries(feed=feed.name, entries=[(article.id, link, True)], now=unix_time(now))
        await self.store.record_entries(feed=feed.name, entries=skipped, now=unix_time(now))
        return all_published

    async def _failed(self, feed: FeedConfig, state: FeedState, now: datetime, exc: SaidError) -> datetime:
        failures = state.failures + 1
        healthy = failures < UNHEALTHY_AFTER
        retry_after = exc.retry_after if isinstance(exc, FetchError) else None
        due = next_poll_at(now, self.settings.poll_interval, failures, rand=self.rand(), retry_after=retry_after)
        wait = _describe(due - now)
        if state.failures == 0:
            log.warning("feed %s (%s) failed: %s; next try in %s", feed.name, feed.url, exc, wait)
        elif state.healthy and not healthy:
            log.warning(
                "feed %s (%s) is unhealthy after %d failed polls in a row: %s; polled less often, next in %s",
                feed.name, feed.url, failures, exc, wait,
            )
        else:
            log.debug("feed %s (%s) failed again (%d): %s; next try in %s", feed.name, feed.url, failures, exc, wait)
        await self.store.save_feed_state(
            replace(state, healthy=healthy, failures=failures, last_error=exc.said.stored()[:500], next_poll_at=unix_time(due))
        )
        return due

    async def _fetch(self, feed: FeedConfig, state: FeedState) -> Fetched:
        headers = {}
        if state.etag:
            headers["If-None-Match"] = state.etag
        if state.last_modified:
            headers["If-Modified-Since"] = state.last_modified
        limit = self.settings.max_bytes
        try:
            async with asyncio.timeout(self.settings.timeout):
                async with self.client.stream("GET", feed.url, headers=headers) as response:
                    if response.status_code == 304:
                        return Fetched(None, None, state.etag, state.last_modified)
                    if response.status_code >= 300:
                        raise FetchError(f"HTTP {response.status_code}", "feed-error-http", status=response.status_code,
                                         retry_after=_retry_after(response))
                    declared = response.headers.get("content-length", "")
                    if declared.isdigit() and "content-encoding" not in response.headers and int(declared) > limit:
                        raise FetchError(f"response of {declared} bytes is over the {limit}-byte limit; not read",
                                         "feed-error-too-large", size=int(declared), limit=limit)
                    try:
                        body = await read_capped(response.aiter_raw(), response.headers.get("content-encoding", ""), limit)
                    except BodyTooLarge:
                        raise FetchError(f"response passed the {limit}-byte limit; abandoned unparsed",
                                         "feed-error-over-limit", limit=limit) from None
                    except BadEncoding as exc:
                        raise FetchError(str(exc), "feed-error-encoding", encoding=exc.encoding) from None
                    return Fetched(
                        body,
                        response.headers.get("content-type"),
                        response.headers.get("etag"),
                        response.headers.get("last-modified"),
                    )
        except (TimeoutError, httpx.TimeoutException):
            seconds = f"{self.settings.timeout:g}"
            raise FetchError(f"timed out after {seconds} s", "feed-error-timeout", seconds=seconds) from None
        except AddressRefused:
            raise FetchRefused(REFUSED, "feed-error-refused") from None
        except httpx.TooManyRedirects:
            raise FetchError(f"more than {MAX_REDIRECTS} redirects (a redirect loop?)", "feed-error-redirects",
                             most=MAX_REDIRECTS) from None
        except httpx.HTTPError as exc:
            kind = type(exc).__name__
            raise FetchError(f"unreachable: {kind}: {exc}", "feed-error-unreachable", kind=kind) from None


async def _parse(feed: str, fetched: Fetched) -> list[Article]:
    """The fetched document's entries, parsed in a worker thread: a feed of several megabytes takes
    seconds of CPU that must not stall the event loop (commands, sends, other polls)."""
    return await asyncio.to_thread(parse_feed, feed, fetched.body or b"", fetched.content_type)


def _oldest_first(articles: list[Article]) -> list[Article]:
    """Dated entries by date, then undated ones in reverse document order (feeds list newest first)."""
    dated = sorted((a for a in articles if a.published is not None), key=lambda a: a.published or 0)
    return dated + [a for a in reversed(articles) if a.published is None]


def _retry_after(response: httpx.Response) -> timedelta | None:
    value = response.headers.get("retry-after", "")
    return timedelta(seconds=min(int(value), 86_400)) if value.isdigit() else None


def _describe(span: timedelta) -> str:
    minutes = max(1, round(span.total_seconds() / 60))
    return f"{minutes // 60}h{minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m"
