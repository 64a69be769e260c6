"""A polite TVmaze client (httpx, async) and the shapes it turns TVmaze's JSON into.

TVmaze (https://www.tvmaze.com/api, data CC BY-SA) needs no key and allows at least 20 calls per
10 seconds per address. One `TvmazeClient` serves the whole bot: every request waits for a slot
of the shared `RateLimiter` (`max_requests` per `period` seconds), a 429 pauses every request
for its Retry-After (else a doubling backoff) and is tried again, each request has a timeout,
at most IN_FLIGHT requests are under way at once (a slot is taken only when a request can go
out, so TVmaze sees the pace the limiter grants), and answers TVmaze marks cacheable (`Cache-Control: max-age`) are kept in a small cache. Any
failure (unreachable, timeout, 5xx, malformed JSON) raises `TvmazeError`: callers say so plainly.

Parsing is separate and pure: `parse_show` turns a show (with `_embedded.episodes`) into an
`ImportedShow`, `parse_person` a person with cast credits into an `ImportedPerson`; both round-trip
through plain JSON for the database.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import Counter, OrderedDict, deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any, Literal

import httpx

from ..domain.i18n import SaidError

log = logging.getLogger(__name__)

EARLIEST_YEAR, LATEST_YEAR = 1900, 2200  # air times outside these years are data errors

USER_AGENT = "dramabot/0.1 (+https://github.com/dramabot/dramabot; K-drama reminders)"
PERIOD = 10.0  # TVmaze counts calls per 10 seconds
MAX_RETRIES = 3  # after a 429
MAX_BACKOFF = 30.0
CACHE_ENTRIES = 256
IN_FLIGHT = 4  # requests awaiting TVmaze at once: a rate slot is taken only when one can be sent
SHOW_PREFIX, PERSON_PREFIX = "tvmaze:", "tvmaze:person:"
Imports = Literal["best", "exact", "none"]  # what a TVmaze lookup may import (LiveCatalog.lookup)


class TvmazeError(SaidError):
    """TVmaze could not answer usefully; the message says why, in plain words (for the log), and
    `said` the same for a reader, as a message id of the catalogues."""


class RateLimiter:
    """At most `max_requests` starts per `period` seconds, shared by every caller; `pause` holds
    every caller until a given time (a 429's Retry-After). Clock and sleep are injectable."""

    def __init__(self, max_requests: int, period: float = PERIOD, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[object]] = asyncio.sleep):
        self.max_requests, self.period = max_requests, period
        self.clock, self.sleep = clock, sleep
        self._starts: deque[float] = deque()
        self._paused_until = 0.0
        self._lock = asyncio.Lock()

    def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, self.clock() + seconds)

    async def acquire(self) -> None:
        """Wait for a slot (callers are served in arrival order)."""
        async with self._lock:
            while True:
                now = self.clock()
                while self._starts and self._starts[0] <= now - self.period:
                    self._starts.popleft()
                wait = self._paused_until - now
                if len(self._starts) >= self.max_requests:
                    wait = max(wait, self._starts[0] + self.period - now)
                if wait <= 0:
                    self._starts.append(now)
                    return
                await self.sleep(wait)


@dataclass(frozen=True)
class Episode:
    id: int
    season: int
    number: int | None
    name: str
    airdate: str  # "YYYY-MM-DD" or ""
    airtime: str  # "HH:MM" or "" (streaming releases)
    airstamp: str  # UTC ISO instant, or ""
    runtime: int | None
    impossible: bool = False  # TVmaze sent an air time or date out of range: dropped (see `parse_episode`)


@dataclass(frozen=True)
class ImportedShow:
    """A TVmaze show as dramabot keeps it: what reminders and messages need, nothing more."""

    id: int
    name: str
    network: str  # network or web channel name
    country: str  # country code, "" when unknown
    timezone: str  # the network's country's zone; "" when unknown
    status: str  # "Running", "Ended", "To Be Determined", "In Development"
    premiered: str  # "YYYY-MM-DD" or ""
    runtime: int | None
    streaming: bool  # a web channel and no network
    episodes: tuple[Episode, ...] = ()
    aliases: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{SHOW_PREFIX}{self.id}"

    @property
    def ended(self) -> bool:
        return self.status == "Ended"

    def describe(self) -> str:
        """"JTBC, KR, 2022": what tells two shows of one name apart."""
        year = self.premiered[:4]
        return ", ".join(p for p in (self.network, self.country, year) if p) or "no details"

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> ImportedShow:
        data = json.loads(text)
        data["episodes"] = tuple(Episode(**e) for e in data.get("episodes", ()))
        data["aliases"] = tuple(data.get("aliases", ()))
        return cls(**data)


@dataclass(frozen=True)
class ImportedPerson:
    id: int
    name: str
    country: str = ""
    birthday: str = ""
    shows: tuple[int, ...] = ()  # TVmaze ids of the shows of their cast credits
    show_data: tuple[ImportedShow, ...] = field(default=(), compare=False)  # embedded, not stored

    @property
    def key(self) -> str:
        return f"{PERSON_PREFIX}{self.id}"

    def describe(self) -> str:
        return ", ".join(p for p in (self.country, f"born {self.birthday[:4]}" if self.birthday else "") if p) or "no details"

    def to_json(self) -> str:
        return json.dumps({"id": self.id, "name": self.name, "country": self.country, "birthday": self.birthday,
                           "shows": list(self.shows)}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> ImportedPerson:
        data = json.loads(text)
        return cls(data["id"], data["name"], data.get("country", ""), data.get("birthday", ""), tuple(data.get("shows", ())))


@dataclass(frozen=True)
class Found:
    """One search result: a show or a person, TVmaze's score, and the parsed record."""

    score: float
    show: ImportedShow | None = None
    person: ImportedPerson | None = None

    @property
    def name(self) -> str:
        return self.show.name if self.show else self.person.name if self.person else ""


# ---- parsing (pure) ----------------------------------------------------------------------------


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def airstamp_instant(stamp: str) -> datetime | None:
    """An episode's airstamp as a UTC instant; None when it is missing, malformed, without a
    zone, or outside the years a broadcast can have (EARLIEST_YEAR to LATEST_YEAR: TVmaze has
    sent 0001 and 9999, which break the arithmetic of leads and runtimes)."""
    try:
        at = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        if at.tzinfo is None or not EARLIEST_YEAR <= at.year <= LATEST_YEAR:
            return None
        return at.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def airdate_day(text: str) -> date | None:
    """An episode's airdate; None when missing, malformed or out of range."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day if EARLIEST_YEAR <= day.year <= LATEST_YEAR else None


def parse_episode(raw: Any) -> Episode | None:
    """One episode; an air time or date out of range is dropped with a warning (the episode is
    then no airing: see `bot.integrations.sources.imported_show`), so one bad record breaks nothing else."""
    data = _dict(raw)
    episode_id = _int(data.get("id"))
    if episode_id is None:
        return None
    airdate, airtime, airstamp = _text(data.get("airdate")), _text(data.get("airtime")), _text(data.get("airstamp"))
    impossible = bool((airstamp and airstamp_instant(airstamp) is None) or (airdate and airdate_day(airdate) is None))
    if impossible:
        log.warning("TVmaze episode %d has an impossible air time (%r, %r); skipped", episode_id, airdate[:40], airstamp[:40])
        airdate = airstamp = ""
    return Episode(
        id=episode_id, season=_int(data.get("season")) or 1, number=_int(data.get("number")), name=_text(data.get("name")),
        airdate=airdate, airtime=airtime, airstamp=airstamp, runtime=_int(data.get("runtime")), impossible=impossible,
    )


def keep_known_air_times(fresh: ImportedShow, known: ImportedShow | None) -> ImportedShow:
    """A refreshed show whose episodes lost their air time to bad data (see `parse_episode`)
    keeps what was known of those episodes, rather than announcing them cancelled."""
    if known is None:
        return fresh
    lost = {e.id for e in fresh.episodes if e.impossible}
    if not lost:
        return fresh
    before = {e.id: e for e in known.episodes if e.id in lost}
    return replace(fresh, episodes=tuple(before.get(e.id, e) for e in fresh.episodes))


def parse_show(raw: Any) -> ImportedShow:
    """A TVmaze show object (episodes from `_embedded.episodes` when present). Raises TvmazeError
    when it has no id or name."""
    data = _dict(raw)
    show_id, name = _int(data.get("id")), _text(data.get("name"))
    if show_id is None or not name:
        raise TvmazeError("TVmaze sent a show without an id or a name", "tvmaze-incomplete", kind="show")
    network, web = _dict(data.get("network")), _dict(data.get("webChannel"))
    channel = network or web
    country = _dict(channel.get("country"))
    embedded = _dict(data.get("_embedded"))
    episodes = tuple(e for e in map(parse_episode, embedded.get("episodes") or ()) if e is not None)
    akas = embedded.get("akas")
    korean = [
        aka for item in (akas if isinstance(akas, list) else [])
        if _text(_dict(_dict(item).get("country")).get("code")) == "KR" and (aka := _text(_dict(item).get("name")))
    ]
    return ImportedShow(
        id=show_id, name=name, network=_text(channel.get("name")), country=_text(country.get("code")),
        timezone=_text(country.get("timezone")), status=_text(data.get("status")), premiered=_text(data.get("premiered")),
        runtime=_int(data.get("runtime")) or _int(data.get("averageRuntime")), streaming=not network and bool(web),
        episodes=episodes, aliases=tuple(dict.fromkeys(korean)),
    )


def parse_person(raw: Any, credits: Any = ()) -> ImportedPerson:
    """A TVmaze person and their cast credits (`/people/:id/castcredits?embed=show`)."""
    data = _dict(raw)
    person_id, name = _int(data.get("id")), _text(data.get("name"))
    if person_id is None or not name:
        raise TvmazeError("TVmaze sent a person without an id or a name", "tvmaze-incomplete", kind="person")
    shows: list[ImportedShow] = []
    for credit in credits if isinstance(credits, list) else ():
        embedded = _dict(_dict(credit).get("_embedded")).get("show")
        if embedded is not None:
            try:
                shows.append(parse_show(embedded))
            except TvmazeError:
                continue
    return ImportedPerson(
        person_id, name, _text(_dict(data.get("country")).get("code")), _text(data.get("birthday")),
        tuple(dict.fromkeys(s.id for s in shows)), tuple(shows),
    )


def tvmaze_id(key: str, prefix: str = SHOW_PREFIX) -> int | None:
    """123 for "tvmaze:123" (or "tvmaze:person:123" with PERSON_PREFIX); None otherwise."""
    rest = key.strip().lower().removeprefix(prefix) if key.strip().lower().startswith(prefix) else ""
    return int(rest) if rest.isascii() and rest.isdigit() and len(rest) < 10 else None


# ---- the client --------------------------------------------------------------------------------


class TvmazeClient:
    """One per bot; `close()` when done. `timeout` bounds each request (seconds)."""

    def __init__(self, base_url: str, *, max_requests: int = 20, timeout: float = 4.0, limiter: RateLimiter | None = None,
                 transport: httpx.AsyncBaseTransport | None = None, on_request: Callable[[str], object] | None = None):
        self.base_url = base_url.rstrip("/")
        self.limiter = limiter or RateLimiter(max_requests)
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout), headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            follow_redirects=True, transport=transport,
            limits=httpx.Limits(max_connections=IN_FLIGHT, max_keepalive_connections=IN_FLIGHT),
        )
        self._in_flight = asyncio.Semaphore(IN_FLIGHT)
        self._on_request = on_request  # called with the URL as each request leaves (logs, tests)
        self._cache: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self.requests = 0  # sent, for tests and logs
        self.results: Counter[str] = Counter()  # requests by result ("200", "404", "429", "timeout", "unreachable"), for /metrics

    async def close(self) -> None:
        await self._http.aclose()

    async def get(
        self, path: str, params: Mapping[str, str] | Sequence[tuple[str, str]] | None = None, *, cached: bool = True,
    ) -> Any:
        """The decoded JSON of GET `path`; None for a 404. Raises TvmazeError."""
        url = str(httpx.URL(self.base_url + path, params=params))
        hit = self._cache.get(url) if cached else None
        if hit is not None and hit[0] > self.limiter.clock():
            self._cache.move_to_end(url)
            return hit[1]
        backoff = 1.0
        for attempt in range(MAX_RETRIES + 1):
            async with self._in_flight:  # so what TVmaze receives keeps to the pace the limiter grants
                await self.limiter.acquire()
                self.requests += 1
                if self._on_request is not None:
                    self._on_request(url)
                try:
                    response = await self._http.get(url)
                except httpx.TimeoutException:
                    self.results["timeout"] += 1
                    raise TvmazeError("TVmaze did not answer in time", "tvmaze-slow") from None
                except httpx.HTTPError as exc:
                    self.results["unreachable"] += 1
                    raise TvmazeError(f"TVmaze cannot be reached ({type(exc).__name__})", "tvmaze-unreachable",
                                      error=type(exc).__name__) from None
            self.results[str(response.status_code)] += 1
            if response.status_code == 429 and attempt < MAX_RETRIES:
                wait = _retry_after(response.headers.get("Retry-After"), backoff)
                log.info("TVmaze asked us to slow down: waiting %.1f s", wait)
                self.limiter.pause(wait)
                backoff = min(MAX_BACKOFF, backoff * 2)
                continue
            return self._decode(url, response)
        raise TvmazeError("TVmaze is busy; try again in a minute", "tvmaze-busy")  # pragma: no cover - loop always returns

    def _decode(self, url: str, response: httpx.Response) -> Any:
        if response.status_code == 404:
            return None
        if response.status_code == 429:
            raise TvmazeError("TVmaze is busy; try again in a minute", "tvmaze-busy")
        if response.status_code >= 400:
            raise TvmazeError(f"TVmaze answered with an error ({response.status_code})", "tvmaze-status",
                              status=str(response.status_code))
        try:
            body = response.json()
        except ValueError:
            raise TvmazeError("TVmaze sent something that is not valid JSON", "tvmaze-invalid") from None
        max_age = _max_age(response.headers.get("Cache-Control", ""))
        if max_age:
            self._cache[url] = (self.limiter.clock() + max_age, body)
            if len(self._cache) > CACHE_ENTRIES:
                self._cache.popitem(last=False)
        return body

    # ---- endpoints ---------------------------------------------------------------------------

    async def search_shows(self, query: str) -> list[Found]:
        results = await self.get("/search/shows", {"q": query})
        return [Found(score, show=parse_show(raw)) for score, raw in _results(results, "show")]

    async def search_people(self, query: str) -> list[Found]:
        results = await self.get("/search/people", {"q": query})
        return [Found(score, person=parse_person(raw)) for score, raw in _results(results, "person")]

    async def show(self, show_id: int, *, cached: bool = True) -> ImportedShow | None:
        """A show with all its episodes and its alternative titles (the Korean one becomes its first
        alias, the title Korean readers see); None: TVmaze has no such show."""
        raw = await self.get(f"/shows/{show_id}", [("embed[]", "episodes"), ("embed[]", "akas")], cached=cached)
        return parse_show(raw) if raw is not None else None

    async def person(self, person_id: int, *, cached: bool = True) -> ImportedPerson | None:
        """A person with the shows of their cast credits (None: no such person)."""
        raw = await self.get(f"/people/{person_id}", cached=cached)
        if raw is None:
            return None
        credits = await self.get(f"/people/{person_id}/castcredits", {"embed": "show"}, cached=cached)
        return parse_person(raw, credits or [])


def _results(results: Any, name: str) -> list[tuple[float, Mapping[str, Any]]]:
    """(score, object) of each search result that has an id and a name; others are skipped."""
    found = []
    for item in results if isinstance(results, list) else ():
        raw, score = _dict(_dict(item).get(name)), _dict(item).get("score")
        if _int(raw.get("id")) is not None and _text(raw.get("name")):
            found.append((float(score) if isinstance(score, (int, float)) and not isinstance(score, bool) else 0.0, raw))
    return found


def _retry_after(header: str | None, default: float) -> float:
    try:
        return min(MAX_BACKOFF, max(0.0, float(header))) if header else default
    except ValueError:
        return default


def _max_age(header: str) -> int:
    parts = [p.strip().lower() for p in header.split(",")]
    if "no-store" in parts or "no-cache" in parts or "private" in parts:
        return 0
    for part in parts:
        if part.startswith("max-age="):
            value = part.removeprefix("max-age=")
            return min(int(value), 3600) if value.isdigit() else 0
    return 0
