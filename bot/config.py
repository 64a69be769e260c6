"""Configuration: a TOML file (every key optional), environment variables for tokens.

Unknown keys and bad values stop start-up with a message naming the key. The documented
defaults live in `config.example.toml`; `DEFAULTS` below must agree with it (a test checks).
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from .zones import LeadError, ZoneError, parse_lead, parse_leads, resolve_zone


class ConfigError(ValueError):
    """A bad configuration; the message names the key."""


@dataclass(frozen=True)
class TelegramConfig:
    token: str = field(default="", repr=False)  # never in a log line or a traceback
    paid_broadcast: bool = False  # allow_paid_broadcast: up to 1,000 messages/s, paid in Telegram Stars


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
class NewsConfig:
    feeds: tuple[str, ...] = ()
    poll_interval: timedelta = timedelta(minutes=15)


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
    source: str = "<defaults>"

    def paid_broadcast(self, platform: str) -> bool:
        section = getattr(self, platform, None)
        return bool(getattr(section, "paid_broadcast", False))

    @property
    def lead_minutes(self) -> tuple[int, ...]:
        return tuple(int(lead.total_seconds() // 60) for lead in self.leads)


TOP_KEYS = {"database", "timezone", "leads", "catalog", "owners", "telegram", "discord", "news", "delivery"}
SECTION_KEYS = {
    "telegram": {"token", "paid_broadcast"},
    "discord": {"token", "dev_guild", "rest_url", "gateway_url", "shards"},
    "news": {"feeds", "poll_interval"},
    "delivery": {"send_timeout", "stop_grace"},
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
    """Parse a TOML file; any failure raises `error` with the file named."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
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

    news = raw.get("news", {})
    feeds = news.get("feeds", [])
    if not isinstance(feeds, list) or not all(isinstance(v, str) and v.strip() for v in feeds):
        raise fail("news.feeds", f"expected a list of feed URLs, got {feeds!r}")
    try:
        poll = parse_lead(text("news.poll_interval", news.get("poll_interval", "15m")))
    except LeadError:
        raise fail("news.poll_interval", "expected a duration from 1m to 7d, like 15m or 1h") from None
    if poll < timedelta(minutes=1):
        raise fail("news.poll_interval", "must be at least 1m")
    telegram = raw.get("telegram", {})
    paid = telegram.get("paid_broadcast", False)
    if not isinstance(paid, bool):
        raise fail("telegram.paid_broadcast", f"expected true or false, got {paid!r}")
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
        telegram=TelegramConfig(token("telegram"), paid),
        discord=_discord(raw.get("discord", {}), token("discord"), fail),
        news=NewsConfig(tuple(feeds), poll),
        delivery=DeliveryConfig(seconds("send_timeout", 30.0, 0.01, 600.0), seconds("stop_grace", 10.0, 0.0, 60.0)),
        source=source,
    )
