"""Pure time helpers: resolve zone names, parse lead times, format instants for people.

Everything here works on aware UTC instants and `zoneinfo` zones. Zone abbreviations
("PST", "EST") are never accepted or shown as identity: several zones share them.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

UTC = UTC
MAX_LEAD = timedelta(days=7)
MAX_LEADS = 3


def unix_time(instant: datetime) -> int:
    """An aware instant as whole seconds since the epoch, as the database stores it."""
    return int(instant.timestamp())


# Well-known places whose name is not the last part of an IANA zone name.
CITY_ALIASES = {
    "nyc": "America/New_York",
    "new york city": "America/New_York",
    "washington": "America/New_York",
    "washington dc": "America/New_York",
    "boston": "America/New_York",
    "miami": "America/New_York",
    "atlanta": "America/New_York",
    "philadelphia": "America/New_York",
    "la": "America/Los_Angeles",
    "san francisco": "America/Los_Angeles",
    "seattle": "America/Los_Angeles",
    "san diego": "America/Los_Angeles",
    "las vegas": "America/Los_Angeles",
    "houston": "America/Chicago",
    "dallas": "America/Chicago",
    "austin": "America/Chicago",
    "busan": "Asia/Seoul",
    "incheon": "Asia/Seoul",
    "korea": "Asia/Seoul",
    "서울": "Asia/Seoul",
    "부산": "Asia/Seoul",
    "osaka": "Asia/Tokyo",
    "beijing": "Asia/Shanghai",
    "mumbai": "Asia/Kolkata",
    "delhi": "Asia/Kolkata",
    "new delhi": "Asia/Kolkata",
    "bangalore": "Asia/Kolkata",
    "hanoi": "Asia/Bangkok",
    "ho chi minh city": "Asia/Ho_Chi_Minh",
    "saigon": "Asia/Ho_Chi_Minh",
    "rio": "America/Sao_Paulo",
    "rio de janeiro": "America/Sao_Paulo",
    "manchester": "Europe/London",
    "edinburgh": "Europe/London",
    "munich": "Europe/Berlin",
    "frankfurt": "Europe/Berlin",
    "barcelona": "Europe/Madrid",
    "milan": "Europe/Rome",
    "kiev": "Europe/Kyiv",
    "calcutta": "Asia/Kolkata",
    "istanbul": "Europe/Istanbul",
    "rangoon": "Asia/Yangon",
    "katmandu": "Asia/Kathmandu",
    "montreal": "America/Toronto",
    "ottawa": "America/Toronto",
    "quebec": "America/Toronto",
    "melbourne": "Australia/Melbourne",
    "canberra": "Australia/Sydney",
    "utc": "UTC",
    "gmt": "Etc/GMT",
}


COMMON_ABBREVIATIONS = {
    "PST", "PDT", "EST", "EDT", "HST", "AKST", "MSK", "CST", "CDT", "MST", "MDT", "KST", "JST", "BST", "IST", "CET", "CEST",
    "EET", "EEST", "WET", "WEST", "AEST", "AEDT", "ACST", "AWST", "NZST", "NZDT", "HKT", "SGT", "PHT", "WIB",
}


class InputError(ValueError):
    """Input a user must type differently: the message (English) is fit to show a user; `text_id`
    and `values` name the same message in the catalogues (bot/locales) for other languages."""

    def __init__(self, message: str, text_id: str, **values: str) -> None:
        super().__init__(message)
        self.text_id, self.values = text_id, values


class ZoneError(InputError):
    """A zone name that cannot be resolved."""


class LeadError(InputError):
    """A lead time that cannot be parsed or is out of range."""


def _squash(text: str) -> str:
    """"São_Paulo" and "sao-paulo" alike: accents, case, underscores and hyphens folded away."""
    decomposed = unicodedata.normalize("NFKD", text.replace("_", " ").replace("-", " "))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split()).casefold()


# Legacy region folders whose last part names no city ("US/Pacific", "Canada/Eastern").
_NOT_CITIES = ("Etc/", "SystemV/", "US/", "Canada/", "Mexico/", "Brazil/", "Chile/")


@lru_cache(maxsize=1)
def _zone_index() -> tuple[dict[str, str], dict[str, str]]:
    """(lowercase IANA name -> name, for every zone; city name -> zone)."""
    names = set(available_timezones()) | {"UTC"}
    exact = {z.casefold(): z for z in names}
    cities: dict[str, str] = {}
    # Prefer canonical-looking continents when a city name repeats (e.g. "Asia/Istanbul" vs "Europe/Istanbul").
    for zone in sorted(z for z in names if "/" in z and not z.startswith(_NOT_CITIES)):
        cities.setdefault(_squash(zone.rsplit("/", 1)[-1]), zone)
    for alias, zone in CITY_ALIASES.items():
        cities[_squash(alias)] = zone
    return exact, cities


def _abbreviation_refusal(raw: str) -> ZoneError:
    return ZoneError(
        f'"{raw}" is an abbreviation, and several zones share most of them '
        "(PST is both US Pacific and Asia/Manila). Type a city (Los Angeles) or an IANA zone (America/Los_Angeles).",
        "zone-abbreviation", typed=raw,
    )


def resolve_zone(text: str, command: str = "/timezone") -> ZoneInfo:
    """Turn "Asia/Seoul", "asia/seoul", "Seoul", "São Paulo" or "New York" into a ZoneInfo.

    Every IANA name is accepted, in any case. Raises ZoneError with a message for the user
    (examples written with `command`) when nothing fits; abbreviations such as "PST" or "KST"
    are refused because several zones share them, even the few that are also IANA names (EST).
    """
    raw = " ".join(text.split())
    if not raw:
        raise ZoneError(f"Give a time zone, e.g. {command} America/New_York or {command} Seoul.", "zone-empty", command=command)
    if len(raw) > 64:
        raise ZoneError("That is too long for a time zone. Type a city (Seoul) or an IANA zone (Asia/Seoul).", "zone-too-long")
    exact, cities = _zone_index()
    looks_abbreviated = re.fullmatch(r"[A-Za-z]{2,5}", raw) is not None
    if looks_abbreviated and raw.upper() in COMMON_ABBREVIATIONS:
        raise _abbreviation_refusal(raw)
    key = raw.casefold()
    for candidate in (key, key.replace(" ", "_")):
        if candidate in exact:
            return ZoneInfo(exact[candidate])
    city = _squash(raw)
    if city in cities:
        return ZoneInfo(cities[city])
    if looks_abbreviated and raw.isupper():
        raise _abbreviation_refusal(raw)
    raise ZoneError(
        f'Unknown time zone "{raw}". Type an IANA zone such as Asia/Seoul or America/New_York, '
        "or a city such as Seoul, London or New York.",
        "zone-unknown", typed=raw,
    )


_LEAD_RE = re.compile(r"(?:(\d{1,3})d)?(?:(\d{1,4})h)?(?:(\d{1,5})m)?")


def parse_lead(text: str) -> timedelta:
    """Parse "30m", "1h", "1h30m", "1d", "0m" into a timedelta between 0 and 7 days."""
    token = text.strip().casefold()
    match = _LEAD_RE.fullmatch(token)
    if not token or not match or not any(match.groups()):
        raise LeadError(
            f'"{text.strip()[:20]}" is not a lead time. Use forms like 30m, 1h, 1h30m, 1d or 0m (at air time).',
            "lead-bad", typed=text.strip()[:20],
        )
    days, hours, minutes = (int(g) if g else 0 for g in match.groups())
    lead = timedelta(days=days, hours=hours, minutes=minutes)
    if lead > MAX_LEAD:
        raise LeadError(f"{format_lead(lead)} is too early: a lead time can be at most 7 days (7d).", "lead-too-early",
                        lead=format_lead(lead))
    return lead


def parse_leads(words: list[str], command: str = "/remind") -> tuple[timedelta, ...]:
    """Parse one to three lead times; duplicates are merged, result sorted longest first."""
    if not words:
        raise LeadError(f"Give one to three lead times, e.g. {command} 30m or {command} 1d 1h.", "leads-empty", command=command)
    if len(words) > MAX_LEADS:
        raise LeadError(f"At most {MAX_LEADS} lead times, e.g. {command} 1d 1h 10m.", "leads-too-many", command=command,
                        limit=str(MAX_LEADS))
    leads = {parse_lead(w) for w in words}
    return tuple(sorted(leads, reverse=True))


def format_lead(lead: timedelta) -> str:
    """1h30m, 1d, 0m: the compact form users type."""
    minutes = int(lead.total_seconds() // 60)
    if minutes == 0:
        return "0m"
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    return "".join(f"{n}{u}" for n, u in ((days, "d"), (hours, "h"), (mins, "m")) if n)


def describe_duration(span: timedelta) -> str:
    """"2 days 3 hours 4 minutes", "1 hour 30 minutes", "5 minutes": every unit that is not zero,
    to the nearest minute (a 30-minute reminder fired a second late still says "30 minutes")."""
    minutes = max(0, int(span.total_seconds() / 60 + 0.5))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [(days, "day"), (hours, "hour"), (mins, "minute")]
    words = [f"{n} {u}{'' if n == 1 else 's'}" for n, u in parts if n]
    return " ".join(words) if words else "less than a minute"


def local_time(instant: datetime, zone: ZoneInfo) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("naive datetime: instants must carry a UTC offset")
    return instant.astimezone(zone)


def is_ambiguous(local: datetime) -> bool:
    """Whether this wall-clock time happens twice in its zone (the repeated hour when clocks go back)."""
    return local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()


def utc_offset(local: datetime) -> str:
    """"UTC-04:00": the offset in force at that local instant."""
    offset = local.utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds() // 60))
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def format_local(instant: datetime, zone: ZoneInfo) -> str:
    """"Wed 08:30 (America/New_York)": weekday and wall-clock time in the zone, named by its IANA key.
    In the repeated hour of a daylight-saving change the offset tells the two apart:
    "Sun 01:30 (America/New_York, UTC-04:00)" then "Sun 01:30 (America/New_York, UTC-05:00)"."""
    local = local_time(instant, zone)
    if is_ambiguous(local):
        return f"{local:%a %H:%M} ({zone.key}, {utc_offset(local)})"
    return f"{local:%a %H:%M} ({zone.key})"


def format_local_date(instant: datetime, zone: ZoneInfo) -> str:
    """"21 Dec 2022": the local calendar date in the zone."""
    local = local_time(instant, zone)
    return f"{local.day} {local:%b %Y}"


def to_utc_iso(instant: datetime) -> str:
    """"2022-12-21T13:00:00Z"."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
