"""Configuration: a TOML file (every key optional), environment variables for tokens.

Unknown keys and bad values stop start-up with a message naming the key. The documented
defaults live in `config.example.toml`; `DEFAULTS` below must agree with it (a test checks).
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from .dbfile import NotSqlite, sqlite_path
from .zones import LeadError, ZoneError, format_lead, parse_lead, parse_leads, resolve_zone


class ConfigError(ValueError):
    """A bad configuration; the message names the key."""


@dataclass(frozen=True)
class TelegramConfig:
    token: str = field(default="", repr=False)  # never in a log line or a traceback
    paid_broadcast: bool = False  # allow_paid_broadcast: up to 1,000 messages/s, paid in Telegram Stars
    mode: str = "polling"  # or "webhook"
    webhook_listen: str = "127.0.0.1:8443"  # host:port the webhook server binds (behind a TLS proxy)
    webhook_url: str = ""  # the public https URL Telegram posts updates to
    webhook_secret: str = ""  # sent by Telegram in X-Telegram-Bot-Api-Secret-Token; required for webhooks
    base_url: str = ""  # a self-hosted Bot API server, e.g. "http://127.0.0.1:8081/bot"; empty: Telegram's
    base_file_url: str = ""
    messages_per_second: float = 30.0  # overall
    chat_messages_per_second: float = 1.0  # to one chat
    group_messages_per_minute: float = 20.0  # to one group or channel

    def __repr__(self) -> str:  # the token and the webhook secret never reach a log line
        shown = {k: ("<hidden>" if k in ("token", "webhook_secret") and v else v) for k, v in vars(self).items()}
        return "TelegramConfig(" + ", ".join(f"{k}={v!r}" for k, v in shown.items()) + ")"


@dataclass(frozen=True)
class DeliveryConfig:
    send_timeout: float = 30.0  # seconds one send may take before it counts as failed
    stop_grace: float = 10.0  # seconds sends in flight may take to finish when the bot stops


@dataclass(frozen=True)
class DiscordConfig:
    token: str = field(default="", repr=False)  # never in a log line or a traceback
    dev_guild: int = 0  # a server to sync commands to as well (instant, while developing); 0: none
    rest_url: str = ""  # REST base replacing https://discord.com (a proxy, or a fake in tests); "": Discord
    gateway_url: str = ""  # gateway replacing wss://gateway.discord.gg; "": Discord
    shards: int | str = "auto"  # "auto" (AutoShardedClient asks Discord) or a shard count


@dataclass(frozen=True)
class FeedConfig:
    """One RSS or Atom feed: a name for logs and article identity, and its URL."""

    name: str
    url: str


@dataclass(frozen=True)
class NewsConfig:
    feeds: tuple[FeedConfig, ...] = ()
    poll_interval: timedelta = timedelta(minutes=15)
    max_age: timedelta = timedelta(days=2)  # older entries are not delivered
    max_bytes: int = 5_000_000  # a larger response is abandoned unread
    timeout: float = 20.0  # seconds for one whole fetch
    max_per_hour: int = 20  # articles one chat gets per clock hour; the rest come in one digest at its end
    allow_hosts: tuple[str, ...] = ()  # hosts, addresses or networks fetched although not public (loopback, private...)


@dataclass(frozen=True)
class TvmazeConfig:
    """Live schedules from TVmaze (https://www.tvmaze.com/api, data CC BY-SA)."""

    enabled: bool = True
    base_url: str = "https://api.tvmaze.com"
    refresh: timedelta = timedelta(hours=1)  # followed shows airing within 48 hours are read again this often
    max_requests: int = 20  # per 10 seconds, across the whole bot
    streaming_hour: time = time(9, 0)  # date-only (streaming) episodes are announced at this local time


@dataclass(frozen=True)
class Config:
    database: str = "dramabot.sqlite3"
    timezone: ZoneInfo = ZoneInfo("UTC")
    leads: tuple[timedelta, ...] = (timedelta(minutes=30),)
    catalog: str = ""  # empty: the bundled catalog
    owners: frozenset[str] = frozenset()  # "platform:user id"
    telegram: TelegramConfig = field(default_factory=TelegramConfig)
    discord: DiscordConfig = field(default_factory=DiscordConfig)
    news: NewsConfig = field(default_factory=NewsConfig)
    delivery: DeliveryConfig = field(default_factory=DeliveryConfig)
    tvmaze: TvmazeConfig = field(default_factory=TvmazeConfig)
    source: str = "<defaults>"

    def paid_broadcast(self, platform: str) -> bool:
        section = getattr(self, platform, None)
        return bool(getattr(section, "paid_broadcast", False))

    @property
    def lead_minutes(self) -> tuple[int, ...]:
        return tuple(int(lead.total_seconds() // 60) for lead in self.leads)


TOP_KEYS = {"database", "timezone", "leads", "catalog", "owners", "telegram", "discord", "news", "delivery", "tvmaze"}
NEWS_KEYS = {"feeds", "poll_interval", "max_age", "max_bytes", "timeout", "max_per_hour", "allow_hosts"}
SECTION_KEYS = {
    "telegram": {
        "token", "paid_broadcast", "mode", "webhook_listen", "webhook_url", "webhook_secret", "base_url", "base_file_url",
        "messages_per_second", "chat_messages_per_second", "group_messages_per_minute",
    },
    "discord": {"token", "dev_guild", "rest_url", "gateway_url", "shards"},
    "news": NEWS_KEYS,
    "delivery": {"send_timeout", "stop_grace"},
    "tvmaze": {"enabled", "base_url", "refresh", "max_requests", "streaming_hour"},
}
OWNER = re.compile(r"(telegram|discord|console):\S+")
ENV_TOKENS = {"telegram": "DRAMABOT_TELEGRAM_TOKEN", "discord": "DRAMABOT_DISCORD_TOKEN"}


def load_config(path: str | Path | None, env: Mapping[str, str] | None = None) -> Config:
    """Read the config file (None: defaults only), then tokens from the environment."""
    env = os.environ if env is None else env
    raw: dict[str, Any] = {}
    source = "<defaults>"
    if path:
        source = str(path)
        raw = read_toml(Path(path), ConfigError, "config")
    config = parse_config(raw, source, env)
    if path:  # paths written in a config file are relative to that file, wherever the bot starts
        base = Path(path).expanduser().parent
        config = replace(
            config,
            database=_beside(base, config.database) if "database" in raw else config.database,
            catalog=_beside(base, config.catalog) if config.catalog else "",
        )
    return config


def _beside(base: Path, written: str) -> str:
    path = Path(written).expanduser()
    return str(path if path.is_absolute() else base / path)


def read_toml(path: Path, error: type[ValueError], what: str) -> dict[str, Any]:
    """Parse a TOML file; any failure raises `error` with the file named, on one line."""
    try:
        text = path.read_text(encoding="utf-8")
        if text.startswith("\ufeff"):
            raise error(
                f"{path}: the {what} file starts with a UTF-8 byte-order mark, which TOML does not allow; "
                "save it as UTF-8 without BOM"
            )
        return tomllib.loads(text)
    except RecursionError:
        raise error(f"{path}: not valid {what}: arrays or tables are nested too deeply") from None
    except FileNotFoundError:
        raise error(f"{path}: {what} file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path}: cannot read {what}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{path}: not valid TOML: {exc}") from None


def _discord(section: Mapping[str, Any], token: str, fail: Any) -> DiscordConfig:
    defaults = DiscordConfig()
    guild = section.get("dev_guild", defaults.dev_guild)
    if isinstance(guild, bool) or not isinstance(guild, int) or guild < 0:
        raise fail("discord.dev_guild", f"expected a server id (a number), or 0 for none; got {guild!r}")
    urls = {}
    for key, schemes in (("rest_url", ("http://", "https://")), ("gateway_url", ("ws://", "wss://"))):
        value = section.get(key, getattr(defaults, key))
        if not isinstance(value, str) or (value and not value.lower().startswith(schemes)):
            raise fail(f"discord.{key}", f"expected a URL starting with {' or '.join(schemes)}, or \"\"; got {value!r}")
        urls[key] = value.rstrip("/")
    shards = section.get("shards", defaults.shards)
    if shards != "auto" and (isinstance(shards, bool) or not isinstance(shards, int) or not 1 <= shards <= 10_000):
        raise fail("discord.shards", f'expected "auto" or a shard count from 1; got {shards!r}')
    return DiscordConfig(token, guild, urls["rest_url"], urls["gateway_url"], shards)


def parse_config(raw: Mapping[str, Any], source: str = "<memory>", env: Mapping[str, str] | None = None) -> Config:
    env = {} if env is None else env

    def fail(key: str, problem: str) -> ConfigError:
        return ConfigError(f"{source}: key {key!r}: {problem}")

    for key in raw:
        if key not in TOP_KEYS:
            raise fail(key, f"unknown key (known: {', '.join(sorted(TOP_KEYS))})")
    for section, allowed in SECTION_KEYS.items():
        value = raw.get(section, {})
        if not isinstance(value, dict):
            raise fail(section, f"expected a [{section}] table")
        for key in value:
            if key not in allowed:
                raise fail(f"{section}.{key}", f"unknown key (known: {', '.join(sorted(allowed))})")

    def text(key: str, value: Any) -> str:
        if not isinstance(value, str):
            raise fail(key, f"expected a string, got {value!r}")
        return value

    defaults = Config()
    database = text("database", raw.get("database", defaults.database))
    if not database.strip():
        raise fail("database", "must not be empty")
    try:
        database = sqlite_path(database)
    except NotSqlite as exc:
        raise fail("database", str(exc)) from None
    try:
        zone = resolve_zone(text("timezone", raw.get("timezone", defaults.timezone.key)))
    except ZoneError as exc:
        raise fail("timezone", str(exc)) from None
    leads_raw = raw.get("leads", ["30m"])
    if not isinstance(leads_raw, list) or not all(isinstance(v, str) for v in leads_raw):
        raise fail("leads", f'expected a list of lead times like ["30m"], got {leads_raw!r}')
    try:
        leads = parse_leads(leads_raw)
    except LeadError as exc:
        raise fail("leads", str(exc)) from None
    owners_raw = raw.get("owners", [])
    if not isinstance(owners_raw, list) or not all(isinstance(v, str) and OWNER.fullmatch(v) for v in owners_raw):
        raise fail("owners", f'expected a list like ["telegram:12345", "discord:67890"], got {owners_raw!r}')

    def token(section: str) -> str:
        value = text(f"{section}.token", raw.get(section, {}).get("token", ""))
        return env.get(ENV_TOKENS[section], "") or value

    telegram = _telegram(raw.get("telegram", {}), token("telegram"), fail)
    delivery = raw.get("delivery", {})

    def seconds(key: str, default: float, low: float, high: float) -> float:
        value = delivery.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            raise fail(f"delivery.{key}", f"expected a number of seconds from {low:g} to {high:g}, got {value!r}")
        return float(value)

    return Config(
        database=database,
        timezone=zone,
        leads=leads,
        catalog=text("catalog", raw.get("catalog", "")),
        owners=frozenset(owners_raw),
        telegram=telegram,
        discord=_discord(raw.get("discord", {}), token("discord"), fail),
        news=parse_news(raw.get("news", {}), fail),
        delivery=DeliveryConfig(seconds("send_timeout", 30.0, 0.01, 600.0), seconds("stop_grace", 10.0, 0.0, 60.0)),
        tvmaze=parse_tvmaze(raw.get("tvmaze", {}), fail),
        source=source,
    )


def feed_name(url: str) -> str:
    """The name of a feed given only by URL: its host without "www." ("soompi.com")."""
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    return host or url


FEED_NAME_MAX = 60


def feed_name_problem(name: str) -> str | None:
    """Why `name` cannot name a feed (None: it can): articles are keyed "feed|id"."""
    if "|" in name:
        return f"the feed name {name!r} must not contain '|'"
    if len(name) > FEED_NAME_MAX:
        return f"the feed name {name[:20]!r}… is longer than {FEED_NAME_MAX} characters"
    return None


def parse_news(news: Mapping[str, Any], fail: Callable[[str, str], ConfigError]) -> NewsConfig:
    """The [news] section: feeds as URLs or {name, url} tables, durations, limits."""
    feeds: list[FeedConfig] = []
    raw_feeds = news.get("feeds", [])
    if not isinstance(raw_feeds, list):
        raise fail("news.feeds", f"expected a list of feed URLs or {{name, url}} tables, got {raw_feeds!r}")
    for i, entry in enumerate(raw_feeds):
        if isinstance(entry, str):
            entry = {"url": entry}
        url = entry.get("url") if isinstance(entry, dict) else None
        url = url.strip() if isinstance(url, str) else ""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            example = '{name = "...", url = "https://..."}'
            raise fail("news.feeds", f"entry {i + 1}: expected an http(s) URL or {example}, got {entry!r}")
        unknown = set(entry) - {"name", "url"}
        name = entry.get("name", feed_name(url))
        if unknown or not isinstance(name, str) or not name.strip():
            raise fail("news.feeds", f"entry {i + 1}: expected only a non-empty name and a url, got {entry!r}")
        if problem := feed_name_problem(name.strip()):
            raise fail("news.feeds", f"entry {i + 1}: {problem}")
        if any(f.name == name.strip() for f in feeds):
            raise fail("news.feeds", f"entry {i + 1}: two feeds are named {name.strip()!r}; give one a name = \"...\"")
        feeds.append(FeedConfig(name.strip(), url))

    def duration(key: str, default: str, low: timedelta) -> timedelta:
        value = news.get(key, default)
        try:
            span = parse_lead(value) if isinstance(value, str) else None
        except LeadError:
            span = None
        if span is None:
            raise fail(f"news.{key}", f"expected a duration from {format_lead(low)} to 7d, like 15m or 2d")
        if span < low:
            raise fail(f"news.{key}", f"must be at least {format_lead(low)}")
        return span

    def number(key: str, default: float, low: float, high: float) -> float:
        value = news.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            raise fail(f"news.{key}", f"expected a number from {low:g} to {high:g}, got {value!r}")
        return value

    return NewsConfig(
        feeds=tuple(feeds),
        poll_interval=duration("poll_interval", "15m", timedelta(minutes=1)),
        max_age=duration("max_age", "2d", timedelta(hours=1)),
        max_bytes=int(number("max_bytes", 5_000_000, 10_000, 100_000_000)),
        timeout=float(number("timeout", 20, 1, 300)),
        max_per_hour=_whole(news.get("max_per_hour", 20), "news.max_per_hour", 1, 1000, fail),
        allow_hosts=_allow_hosts(news.get("allow_hosts", []), fail),
    )


def _allow_hosts(value: Any, fail: Callable[[str, str], ConfigError]) -> tuple[str, ...]:
    """Host names, addresses or networks ("127.0.0.1", "10.0.0.0/8", "feeds.internal") as written."""
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() and " " not in v.strip() for v in value):
        raise fail("news.allow_hosts", f'expected a list of host names or addresses, like ["127.0.0.1"], got {value!r}')
    return tuple(v.strip() for v in value)


WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what Telegram accepts as a secret_token
LISTEN = re.compile(r"(?P<host>[^\s:]+|\[[0-9a-fA-F:]+\]):(?P<port>[0-9]{1,5})")


def _telegram(section: Mapping[str, Any], token: str, fail: Callable[[str, str], ConfigError]) -> TelegramConfig:
    """The [telegram] section, checked: mode, webhook settings, server URLs and delivery limits."""
    defaults = TelegramConfig()

    def text(key: str) -> str:
        value = section.get(key, getattr(defaults, key))
        if not isinstance(value, str):
            raise fail(f"telegram.{key}", f"expected a string, got {value!r}")
        return value.strip()

    def rate(key: str, high: float) -> float:
        value = section.get(key, getattr(defaults, key))
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= high:
            raise fail(f"telegram.{key}", f"expected a number above 0 and at most {high:g}, got {value!r}")
        return float(value)

    paid = section.get("paid_broadcast", False)
    if not isinstance(paid, bool):
        raise fail("telegram.paid_broadcast", f"expected true or false, got {paid!r}")
    mode = text("mode")
    if mode not in ("polling", "webhook"):
        raise fail("telegram.mode", f'expected "polling" or "webhook", got {mode!r}')
    listen, url, secret = text("webhook_listen"), text("webhook_url"), text("webhook_secret")
    match = LISTEN.fullmatch(listen)
    if not match or not 0 < int(match["port"]) < 65536:
        raise fail("telegram.webhook_listen", f'expected "host:port" like "127.0.0.1:8443", got {listen!r}')
    if mode == "webhook":
        if not url.lower().startswith(("https://", "http://")):
            raise fail("telegram.webhook_url", "webhook mode needs the public https:// URL Telegram posts updates to")
        if not WEBHOOK_SECRET.fullmatch(secret):
            raise fail("telegram.webhook_secret", "webhook mode needs a secret of 1 to 256 characters A-Z, a-z, 0-9, _ and -")
    urls = {}
    for key in ("base_url", "base_file_url"):
        urls[key] = text(key)
        if urls[key] and not urls[key].lower().startswith(("https://", "http://")):
            raise fail(f"telegram.{key}", f"expected an http(s):// URL, got {urls[key]!r}")
    return TelegramConfig(
        token=token, paid_broadcast=paid, mode=mode, webhook_listen=listen, webhook_url=url, webhook_secret=secret,
        base_url=urls["base_url"], base_file_url=urls["base_file_url"],
        messages_per_second=rate("messages_per_second", 1000), chat_messages_per_second=rate("chat_messages_per_second", 100),
        group_messages_per_minute=rate("group_messages_per_minute", 6000),
    )


def _whole(value: Any, key: str, low: int, high: int, fail: Callable[[str, str], ConfigError]) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise fail(key, f"expected a whole number from {low} to {high}, got {value!r}")
    return value


def parse_tvmaze(section: Mapping[str, Any], fail: Callable[[str, str], ConfigError]) -> TvmazeConfig:
    """The [tvmaze] section: on or off, where, how often, how fast, and the streaming hour."""
    enabled = section.get("enabled", True)
    if not isinstance(enabled, bool):
        raise fail("tvmaze.enabled", f"expected true or false, got {enabled!r}")
    base_url = section.get("base_url", TvmazeConfig.base_url)
    parts = urlsplit(base_url) if isinstance(base_url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise fail("tvmaze.base_url", f"expected an http(s) URL like https://api.tvmaze.com, got {base_url!r}")
    raw_refresh = section.get("refresh", "1h")
    try:
        refresh = parse_lead(raw_refresh) if isinstance(raw_refresh, str) else None
    except LeadError:
        refresh = None
    if refresh is None or refresh < timedelta(minutes=1):
        raise fail("tvmaze.refresh", f"expected a duration from 1m to 7d, like 1h, got {raw_refresh!r}")
    max_requests = section.get("max_requests", 20)
    if isinstance(max_requests, bool) or not isinstance(max_requests, int) or not 1 <= max_requests <= 1000:
        raise fail("tvmaze.max_requests", f"expected a whole number from 1 to 1000, got {max_requests!r}")
    raw_hour = section.get("streaming_hour", "09:00")
    hour = _clock_time(raw_hour)
    if hour is None:
        raise fail("tvmaze.streaming_hour", f'expected a quoted local time "HH:MM" like "09:00", got {raw_hour!r}')
    return TvmazeConfig(enabled, base_url.rstrip("/"), refresh, max_requests, hour)


def _clock_time(value: Any) -> time | None:
    if isinstance(value, time):
        return value
    if not isinstance(value, str) or not re.fullmatch(r"\d{1,2}:\d{2}", value.strip()):
        return None
    hours, minutes = (int(p) for p in value.strip().split(":"))
    return time(hours, minutes) if hours < 24 and minutes < 60 else None
