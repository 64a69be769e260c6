"""The configuration's typed, frozen sections: one pydantic model per TOML table.

Each key is a field whose check (in `values.py`) is strict and names the problem; an unknown key
is refused (extra="forbid"). `config.example.toml` documents the same defaults (a test checks).
"""

from __future__ import annotations

from datetime import time, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from . import values
from .values import FeedConfig, KeyProblem

SECTION = ConfigDict(frozen=True, extra="forbid", validate_default=True)
HTTP = ("http://", "https://")


def checked(check: values.Check) -> BeforeValidator:
    return BeforeValidator(check)


Text = Annotated[str, checked(values.text)]
Flag = Annotated[bool, checked(values.flag)]


class TelegramConfig(BaseModel):
    model_config = SECTION

    token: Text = Field(default="", repr=False)  # never in a log line or a traceback
    paid_broadcast: Flag = False  # allow_paid_broadcast: up to 1,000 messages/s, paid in Telegram Stars
    mode: Annotated[Literal["polling", "webhook"], checked(values.mode)] = "polling"
    webhook_listen: Annotated[str, checked(values.listen)] = "127.0.0.1:8443"  # host:port the webhook server binds
    webhook_url: Annotated[str, checked(values.stripped)] = ""  # the public https URL Telegram posts updates to
    # sent by Telegram in X-Telegram-Bot-Api-Secret-Token; required for webhooks; never in a log line
    webhook_secret: Annotated[str, checked(values.stripped)] = Field(default="", repr=False)
    # a self-hosted Bot API server, e.g. "http://127.0.0.1:8081/bot" (the token is appended); empty: Telegram's
    base_url: Annotated[str, checked(values.url(HTTP, "expected an http(s):// URL, got {value!r}", trim=False))] = ""
    base_file_url: Annotated[str, checked(values.url(HTTP, "expected an http(s):// URL, got {value!r}", trim=False))] = ""
    messages_per_second: Annotated[float, checked(values.rate(1000))] = 30.0  # overall
    chat_messages_per_second: Annotated[float, checked(values.rate(100))] = 1.0  # to one chat
    group_messages_per_minute: Annotated[float, checked(values.rate(6000))] = 20.0  # to one group or channel

    @model_validator(mode="after")
    def _webhook_needs_url_and_secret(self) -> TelegramConfig:
        if self.mode == "webhook":
            if not self.webhook_url.lower().startswith(HTTP):
                raise KeyProblem("webhook_url", "webhook mode needs the public https:// URL Telegram posts updates to")
            if not values.WEBHOOK_SECRET.fullmatch(self.webhook_secret):
                raise KeyProblem("webhook_secret", "webhook mode needs a secret of 1 to 256 characters A-Z, a-z, 0-9, _ and -")
        return self


class DeliveryConfig(BaseModel):
    model_config = SECTION

    # seconds one send may take before it counts as failed
    send_timeout: Annotated[float, checked(values.number(0.01, 600.0, "expected a number of seconds from {low:g} to {high:g}"))] = 30.0
    # seconds sends in flight may take to finish when the bot stops
    stop_grace: Annotated[float, checked(values.number(0.0, 60.0, "expected a number of seconds from {low:g} to {high:g}"))] = 10.0


def _ws_or_http(schemes: tuple[str, ...]) -> BeforeValidator:
    return checked(values.url(schemes, f"expected a URL starting with {' or '.join(schemes)}, or \"\"; got {{value!r}}"))


class DiscordConfig(BaseModel):
    model_config = SECTION

    token: Text = Field(default="", repr=False)  # never in a log line or a traceback
    dev_guild: Annotated[int, checked(values.guild)] = 0  # a server to sync commands to as well (instant); 0: none
    rest_url: Annotated[str, _ws_or_http(HTTP)] = ""  # REST base replacing https://discord.com; "": Discord
    gateway_url: Annotated[str, _ws_or_http(("ws://", "wss://"))] = ""  # replacing wss://gateway.discord.gg
    shards: Annotated[int | Literal["auto"], checked(values.shards)] = 1  # a count, or "auto": Discord says, once per database


class NewsConfig(BaseModel):
    model_config = SECTION

    feeds: Annotated[tuple[FeedConfig, ...], checked(values.feeds)] = ()
    poll_interval: Annotated[
        timedelta, checked(values.duration(timedelta(minutes=1), "expected a duration from {low} to 7d, like 15m or 2d"))
    ] = timedelta(minutes=15)
    max_age: Annotated[  # older entries are not delivered
        timedelta, checked(values.duration(timedelta(hours=1), "expected a duration from {low} to 7d, like 15m or 2d"))
    ] = timedelta(days=2)
    # a larger response is abandoned unread
    max_bytes: Annotated[int, checked(lambda v: int(values.number(10_000, 100_000_000)(v)))] = 5_000_000
    timeout: Annotated[float, checked(values.number(1, 300))] = 20.0  # seconds for one whole fetch
    # articles one chat gets per clock hour; the rest come in one digest at its end
    max_per_hour: Annotated[int, checked(values.whole(1, 1000))] = 20
    # hosts, addresses or networks fetched although not public (loopback, private...)
    allow_hosts: Annotated[tuple[str, ...], checked(values.allow_hosts)] = ()


REFRESH = "expected a duration from {low} to 7d, like 1h, got {value!r}"


class TvmazeConfig(BaseModel):
    """Live schedules from TVmaze (https://www.tvmaze.com/api, data CC BY-SA)."""

    model_config = SECTION

    enabled: Flag = True
    base_url: Annotated[
        str, checked(values.url(HTTP, "expected an http(s) URL like https://api.tvmaze.com, got {value!r}", empty=False))
    ] = "https://api.tvmaze.com"
    # followed shows airing within 48 hours are read again this often
    refresh: Annotated[
        timedelta, checked(values.duration(timedelta(minutes=1), REFRESH, below=REFRESH))
    ] = timedelta(hours=1)
    max_requests: Annotated[int, checked(values.whole(1, 1000))] = 20  # per 10 seconds, across the whole bot
    # date-only (streaming) episodes are announced at this local time
    streaming_hour: Annotated[time, checked(values.clock_time)] = time(9, 0)


class WebConfig(BaseModel):
    """The web server inside `dramabot run`: calendar feeds, health, metrics, the status page."""

    model_config = SECTION

    listen: Annotated[str, checked(values.optional_listen)] = ""  # "host:port"; empty: no web server
    # the address fans' calendar links use, e.g. "https://bot.example.com"; empty: http://<listen>
    public_url: Annotated[str, checked(values.url(HTTP, "expected an http(s):// URL, got {value!r}", trim=True))] = ""
    # the file holding the calendar links' secret key (made when missing); every process of one bot
    # must read the same key. Empty: beside the SQLite database file (a PostgreSQL bot must set it)
    calendar_key_file: Text = ""

    @property
    def base_url(self) -> str:
        """Where fans' links point: `public_url`, or the listen address over http."""
        return (self.public_url or f"http://{self.listen}").rstrip("/")


class Config(BaseSettings):
    """The whole configuration. Built from exactly its arguments: `load_config` layers the
    defaults, the TOML file and the environment (DRAMABOT_DATABASE, DRAMABOT_WEB__LISTEN...),
    which `model_config` names, and passes the result here."""

    model_config = SettingsConfigDict(
        frozen=True, extra="forbid", validate_default=True,
        env_prefix="DRAMABOT_", env_nested_delimiter="__", env_ignore_empty=True,
    )

    database: Annotated[str, checked(values.database)] = "dramabot.sqlite3"
    timezone: Annotated[ZoneInfo, checked(values.zone)] = ZoneInfo("UTC")
    language: str = "en"  # chats that chose none and whose writer's platform gave none; other than en/ko: English
    leads: Annotated[tuple[timedelta, ...], checked(values.leads)] = (timedelta(minutes=30),)
    catalog: Text = ""  # empty: the bundled catalog
    owners: Annotated[frozenset[str], checked(values.owners)] = frozenset()  # "platform:user id"
    telegram: TelegramConfig = TelegramConfig()
    discord: DiscordConfig = DiscordConfig()
    news: NewsConfig = NewsConfig()
    delivery: DeliveryConfig = DeliveryConfig()
    tvmaze: TvmazeConfig = TvmazeConfig()
    web: WebConfig = WebConfig()
    source: str = "<defaults>"  # where it was read from, for messages; not a key of the file

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Config(...) is its arguments only, so a config built in code (tests, benchmarks) never
        # depends on the process environment; load_config reads the environment as its own layer.
        return (init_settings,)

    def paid_broadcast(self, platform: str) -> bool:
        section = getattr(self, platform, None)
        return bool(getattr(section, "paid_broadcast", False))

    @property
    def lead_minutes(self) -> tuple[int, ...]:
        return tuple(int(lead.total_seconds() // 60) for lead in self.leads)


KEYS = tuple(name for name in Config.model_fields if name != "source")  # what a file or the environment may set
