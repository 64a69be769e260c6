"""Configuration: every key optional, documented defaults in config.example.toml, bad keys named."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from datetime import time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import (
    Config,
    ConfigError,
    DiscordConfig,
    FeedConfig,
    NewsConfig,
    TelegramConfig,
    TvmazeConfig,
    load_config,
    parse_config,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"


def example_raw() -> dict:
    with EXAMPLE.open("rb") as handle:
        return tomllib.load(handle)


def fails(raw: dict, key: str) -> str:
    with pytest.raises(ConfigError) as refused:
        parse_config(raw, "bot.toml")
    message = str(refused.value)
    assert message.startswith(f"bot.toml: key {key!r}: "), message
    return message


# ---- defaults -------------------------------------------------------------------------------


def test_empty_config_gives_the_defaults():
    config = parse_config({})
    assert config.database == "dramabot.sqlite3"
    assert config.timezone == ZoneInfo("UTC")
    assert config.leads == (timedelta(minutes=30),)
    assert config.lead_minutes == (30,)
    assert config.catalog == ""
    assert config.owners == frozenset()
    assert config.telegram == TelegramConfig()
    assert config.discord == DiscordConfig()
    assert config.news == NewsConfig(feeds=(), poll_interval=timedelta(minutes=15))


def test_example_file_lists_every_key():
    raw = example_raw()
    assert set(raw) == {"database", "timezone", "language", "leads", "catalog", "owners", "telegram", "discord", "news", "delivery", "tvmaze",
                        "web"}
    assert set(raw) == set(Config.model_fields) - {"source"}  # a key added to a section must be documented there
    for section in ("telegram", "discord", "news", "delivery", "tvmaze", "web"):
        assert set(raw[section]) == set(type(getattr(Config(), section)).model_fields), section
    assert set(raw["telegram"]) == {
        "token", "paid_broadcast", "mode", "webhook_listen", "webhook_url", "webhook_secret", "base_url", "base_file_url",
        "messages_per_second", "chat_messages_per_second", "group_messages_per_minute",
    }


def test_example_file_values_are_the_defaults():
    assert parse_config(example_raw(), "config.example.toml") == Config(source="config.example.toml")
    assert parse_config({}, "x") == Config(source="x")


def test_load_config_reads_the_example_file():
    database = str(EXAMPLE.parent / "dramabot.sqlite3")  # beside the file that names it
    assert load_config(EXAMPLE, env={}) == Config(source=str(EXAMPLE), database=database)


def test_no_file_means_defaults():
    assert load_config(None, env={}) == Config()


def test_settings_are_read():
    config = parse_config(
        {
            "database": "/var/lib/dramabot/db.sqlite3",
            "timezone": "new york",
            "leads": ["30m", "1d", "30m"],
            "catalog": "shows.toml",
            "owners": ["telegram:12345", "discord:67890"],
            "news": {"feeds": ["https://www.soompi.com/feed"], "poll_interval": "1h"},
        }
    )
    assert config.database == "/var/lib/dramabot/db.sqlite3"
    assert config.timezone.key == "America/New_York"
    assert config.lead_minutes == (24 * 60, 30)
    assert config.catalog == "shows.toml"
    assert config.owners == {"telegram:12345", "discord:67890"}
    assert config.news == NewsConfig(feeds=(FeedConfig("soompi.com", "https://www.soompi.com/feed"),), poll_interval=timedelta(hours=1))


# ---- bad keys and values --------------------------------------------------------------------


def test_unknown_top_level_key_is_named():
    assert "unknown key" in fails({"timezones": "UTC"}, "timezones")


@pytest.mark.parametrize("section, key", [("news", "interval"), ("telegram", "bot_token"), ("discord", "tok")])
def test_unknown_key_in_a_section_is_named_with_its_section(section, key):
    assert "unknown key" in fails({section: {key: "x"}}, f"{section}.{key}")


def test_section_that_is_not_a_table_is_named():
    assert "expected a [news] table" in fails({"news": "https://x.test/feed"}, "news")


@pytest.mark.parametrize(
    "zone, problem", [("PST", "is an abbreviation"), ("Narnia", "Unknown time zone"), ("", "Give a time zone")]
)
def test_bad_timezone_is_named(zone, problem):
    assert problem in fails({"timezone": zone}, "timezone")


def test_timezone_that_is_not_a_string_is_named():
    assert "expected a string" in fails({"timezone": 9}, "timezone")


@pytest.mark.parametrize(
    "leads, problem",
    [
        (["soon"], "not a lead time"),
        (["8d"], "at most 7 days"),
        ([], "one to three"),
        (["1d", "1h", "30m", "0m"], "At most 3"),
        ("30m", "expected a list"),
        ([30], "expected a list"),
    ],
)
def test_bad_leads_are_named(leads, problem):
    assert problem in fails({"leads": leads}, "leads")


@pytest.mark.parametrize("owners", [["12345"], "telegram:12345", [12345]])
def test_bad_owners_are_named(owners):
    assert "telegram:12345" in fails({"owners": owners}, "owners")  # shows the expected form


@pytest.mark.parametrize(
    "interval, problem",
    [("0m", "at least 1m"), ("30s", "expected a duration from 1m to 7d"), ("8d", "expected a duration from 1m to 7d")],
)
def test_poll_interval_below_a_minute_or_malformed_is_named(interval, problem):
    assert problem in fails({"news": {"poll_interval": interval}}, "news.poll_interval")


def test_poll_interval_of_one_minute_is_allowed():
    assert parse_config({"news": {"poll_interval": "1m"}}).news.poll_interval == timedelta(minutes=1)


@pytest.mark.parametrize(
    "raw, key",
    [
        ({"database": ""}, "database"),
        ({"database": 5}, "database"),
        ({"catalog": 5}, "catalog"),
        ({"telegram": {"token": 5}}, "telegram.token"),
        ({"news": {"feeds": [""]}}, "news.feeds"),
        ({"news": {"feeds": "https://x.test/feed"}}, "news.feeds"),
    ],
)
def test_other_bad_values_are_named(raw, key):
    fails(raw, key)


# ---- tokens from the environment ------------------------------------------------------------


def test_environment_token_wins_over_the_file():
    config = parse_config({"telegram": {"token": "from-file"}}, env={"DRAMABOT_TELEGRAM_TOKEN": "from-env"})
    assert config.telegram.token == "from-env"
    assert config.discord.token == ""


def test_empty_environment_token_leaves_the_file_token():
    config = parse_config({"telegram": {"token": "from-file"}}, env={"DRAMABOT_TELEGRAM_TOKEN": ""})
    assert config.telegram.token == "from-file"


def test_discord_token_from_the_environment():
    assert parse_config({}, env={"DRAMABOT_DISCORD_TOKEN": "d-env"}).discord.token == "d-env"


def test_load_config_takes_tokens_from_the_given_environment(tmp_path):
    path = tmp_path / "dramabot.toml"
    path.write_text('[telegram]\ntoken = "from-file"\n', encoding="utf-8")
    assert load_config(path, env={"DRAMABOT_TELEGRAM_TOKEN": "from-env"}).telegram.token == "from-env"
    assert load_config(path, env={}).telegram.token == "from-file"


def test_load_config_reads_os_environ_by_default(tmp_path, monkeypatch):
    path = tmp_path / "dramabot.toml"
    path.write_text('[telegram]\ntoken = "from-file"\n', encoding="utf-8")
    monkeypatch.setenv("DRAMABOT_TELEGRAM_TOKEN", "from-os-env")
    assert load_config(path).telegram.token == "from-os-env"


# ---- files ----------------------------------------------------------------------------------


def test_missing_config_file_is_named(tmp_path):
    path = tmp_path / "missing.toml"
    with pytest.raises(ConfigError) as refused:
        load_config(path, env={})
    assert str(refused.value) == f"{path}: config file not found"


def test_invalid_toml_config_is_named(tmp_path):
    path = tmp_path / "dramabot.toml"
    path.write_text("timezone = Asia/Seoul\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"not valid TOML") as refused:
        load_config(path, env={})
    assert str(refused.value).startswith(f"{path}: ")


def test_bad_key_in_a_file_names_the_file(tmp_path):
    path = tmp_path / "dramabot.toml"
    path.write_text('leads = ["1w"]\n', encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_config(path, env={})
    assert str(refused.value).startswith(f"{path}: key 'leads': ")


def test_config_path_that_is_a_folder_is_named(tmp_path):
    with pytest.raises(ConfigError) as refused:
        load_config(tmp_path, env={})
    assert str(refused.value).startswith(f"{tmp_path}: cannot read config: ")


@pytest.mark.parametrize("owner", ["telegram:", "irc:5", "12345", "discord: 5"])
def test_owners_need_a_platform_and_an_id(owner):
    assert "expected a list like" in fails({"owners": [owner]}, "owners")


def test_relative_paths_in_a_config_file_are_relative_to_that_file(tmp_path):
    folder = tmp_path / "etc" / "dramabot"
    folder.mkdir(parents=True)
    (folder / "dramabot.toml").write_text('database = "data/bot.sqlite3"\ncatalog = "shows.toml"\n')
    config = load_config(folder / "dramabot.toml", env={})
    assert config.database == str(folder / "data" / "bot.sqlite3")
    assert config.catalog == str(folder / "shows.toml")


def test_absolute_paths_and_defaults_are_kept(tmp_path):
    (tmp_path / "a.toml").write_text(f'catalog = "{tmp_path / "x" / "shows.toml"}"\n')
    config = load_config(tmp_path / "a.toml", env={})
    assert config.catalog == str(tmp_path / "x" / "shows.toml")
    assert config.database == "dramabot.sqlite3"  # not in the file: the default, in the working folder


@pytest.mark.parametrize(
    "content, problem",
    [
        (b"\xef\xbb\xbftimezone = 'UTC'\n", "starts with a UTF-8 byte-order mark"),
        (("a = " + "[" * 5000 + "]" * 5000 + "\n").encode(), "nested too deeply"),
        (b"timezone = 'UTC\n", "not valid TOML"),
        (b"\xff\xfe\x00", "cannot read config"),
    ],
)
def test_an_unreadable_config_is_one_line_naming_the_file(tmp_path, content, problem):
    path = tmp_path / "dramabot.toml"
    path.write_bytes(content)
    result = subprocess.run(
        [sys.executable, "-m", "bot", "simulate", "-", "--config", str(path)],
        input="", capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith(f"dramabot: {path}: ")
    assert problem in result.stderr


# ---- news feeds and limits ------------------------------------------------------------------


def test_feeds_are_urls_named_by_host_or_named_tables():
    config = parse_config(
        {"news": {"feeds": ["https://www.soompi.com/feed/", {"name": "kr", "url": "http://news.example.test/rss"}]}}
    )
    assert config.news.feeds == (
        FeedConfig("soompi.com", "https://www.soompi.com/feed/"),
        FeedConfig("kr", "http://news.example.test/rss"),
    )


def test_news_limits_are_read():
    news = parse_config({"news": {"max_age": "1d", "max_bytes": 1_000_000, "timeout": 5, "max_per_hour": 3,
                                  "allow_hosts": ["127.0.0.1", " 10.0.0.0/8", "feeds.internal"]}}).news
    assert (news.max_age, news.max_bytes, news.timeout, news.max_per_hour) == (timedelta(days=1), 1_000_000, 5.0, 3)
    assert news.allow_hosts == ("127.0.0.1", "10.0.0.0/8", "feeds.internal")


@pytest.mark.parametrize(
    "news, key, problem",
    [
        ({"feeds": ["ftp://x.test/feed"]}, "news.feeds", "entry 1: expected an http(s) URL"),
        ({"feeds": [{"name": "a"}]}, "news.feeds", "entry 1: expected an http(s) URL"),
        ({"feeds": [{"url": "https://x.test/", "title": "x"}]}, "news.feeds", "expected only a non-empty name"),
        ({"feeds": ["https://x.test/a", "https://x.test/b"]}, "news.feeds", "entry 2: two feeds are named 'x.test'"),
        ({"max_age": "30m"}, "news.max_age", "must be at least 1h"),
        ({"max_age": 2}, "news.max_age", "expected a duration"),
        ({"max_bytes": 10}, "news.max_bytes", "expected a number from 10000"),
        ({"timeout": True}, "news.timeout", "expected a number from 1 to 300"),
        ({"timeout": 0}, "news.timeout", "expected a number from 1 to 300"),
        ({"feeds": [{"name": "a|b", "url": "https://x.test/"}]}, "news.feeds", "entry 1: the feed name 'a|b' must not contain '|'"),
        ({"max_per_hour": 0}, "news.max_per_hour", "expected a whole number from 1 to 1000, got 0"),
        ({"max_per_hour": 2.5}, "news.max_per_hour", "expected a whole number from 1 to 1000"),
        ({"max_per_hour": True}, "news.max_per_hour", "expected a whole number from 1 to 1000"),
        ({"allow_hosts": "127.0.0.1"}, "news.allow_hosts", "expected a list of host names or addresses"),
        ({"allow_hosts": ["", "x"]}, "news.allow_hosts", "expected a list of host names or addresses"),
        ({"allow_hosts": [1]}, "news.allow_hosts", "expected a list of host names or addresses"),
    ],
)
def test_bad_news_settings_are_named(news, key, problem):
    assert problem in fails({"news": news}, key)


# ---- [telegram] ---------------------------------------------------------------------------------


def test_telegram_settings_are_read_and_the_environment_token_wins():
    config = parse_config(
        {"telegram": {
            "token": "1:file", "mode": "webhook", "webhook_listen": "0.0.0.0:8443",
            "webhook_url": "https://bot.example.com/hook", "webhook_secret": "s3cret_-X",
            "base_url": "http://127.0.0.1:8081/bot", "messages_per_second": 25, "group_messages_per_minute": 15,
        }},
        env={"DRAMABOT_TELEGRAM_TOKEN": "1:env"},
    )
    telegram = config.telegram
    assert (telegram.token, telegram.mode, telegram.webhook_url) == ("1:env", "webhook", "https://bot.example.com/hook")
    assert (telegram.messages_per_second, telegram.chat_messages_per_second, telegram.group_messages_per_minute) == (25, 1, 15)
    assert "1:env" not in repr(telegram) and "s3cret" not in repr(config)


@pytest.mark.parametrize("telegram, key, problem", [
    ({"mode": "push"}, "telegram.mode", 'expected "polling" or "webhook"'),
    ({"mode": "webhook", "webhook_secret": "abc"}, "telegram.webhook_url", "public https:// URL"),
    ({"mode": "webhook", "webhook_url": "https://x.example/h"}, "telegram.webhook_secret", "needs a secret"),
    ({"mode": "webhook", "webhook_url": "https://x.example/h", "webhook_secret": "has space"}, "telegram.webhook_secret", "A-Z"),
    ({"webhook_listen": "8443"}, "telegram.webhook_listen", "host:port"),
    ({"base_url": "ftp://x"}, "telegram.base_url", "http(s)://"),
    ({"messages_per_second": 0}, "telegram.messages_per_second", "above 0"),
    ({"chat_messages_per_second": True}, "telegram.chat_messages_per_second", "above 0"),
])
def test_bad_telegram_settings_are_named(telegram, key, problem):
    assert problem in fails({"telegram": telegram}, key)


# ---- discord ----------------------------------------------------------------------------------


def test_discord_keys_are_read_and_checked():
    config = parse_config({"discord": {"token": "t", "dev_guild": 42, "rest_url": "http://127.0.0.1:9/",
                                       "gateway_url": "ws://127.0.0.1:9/ws", "shards": 3}})
    assert config.discord == DiscordConfig(token="t", dev_guild=42, rest_url="http://127.0.0.1:9", gateway_url="ws://127.0.0.1:9/ws", shards=3)
    assert "dev_guild" in fails({"discord": {"dev_guild": "abc"}}, "discord.dev_guild")
    fails({"discord": {"rest_url": "ftp://x"}}, "discord.rest_url")
    fails({"discord": {"gateway_url": "http://x"}}, "discord.gateway_url")
    fails({"discord": {"shards": 0}}, "discord.shards")
    fails({"discord": {"shards": "many"}}, "discord.shards")
    assert parse_config({}).discord.shards == 1  # one shard unless told: "auto" asks Discord
    assert parse_config({"discord": {"shards": "auto"}}).discord.shards == "auto"


def test_the_discord_token_is_not_in_the_config_repr():
    config = parse_config({"discord": {"token": "secret-discord-token"}}, env={"DRAMABOT_TELEGRAM_TOKEN": "secret-tg"})
    assert "secret-discord-token" not in repr(config) and "secret-tg" not in repr(config)
    assert config.discord.token == "secret-discord-token"
    assert parse_config({"discord": {"token": "a"}}, env={"DRAMABOT_DISCORD_TOKEN": "b"}).discord.token == "b"


def test_tvmaze_defaults_and_settings():
    assert parse_config({}).tvmaze == TvmazeConfig(
        enabled=True, base_url="https://api.tvmaze.com", refresh=timedelta(hours=1), max_requests=20, streaming_hour=time(9, 0)
    )
    tvmaze = parse_config({"tvmaze": {"enabled": False, "base_url": "http://127.0.0.1:8080/", "refresh": "1m",
                                      "max_requests": 5, "streaming_hour": "7:30"}}).tvmaze
    assert tvmaze == TvmazeConfig(
        enabled=False, base_url="http://127.0.0.1:8080", refresh=timedelta(minutes=1), max_requests=5, streaming_hour=time(7, 30)
    )


@pytest.mark.parametrize("tvmaze, key, problem", [
    ({"enabled": "yes"}, "tvmaze.enabled", "expected true or false"),
    ({"base_url": "api.tvmaze.com"}, "tvmaze.base_url", "expected an http(s) URL"),
    ({"refresh": "30s"}, "tvmaze.refresh", "expected a duration from 1m to 7d"),
    ({"refresh": "0m"}, "tvmaze.refresh", "expected a duration from 1m to 7d"),
    ({"max_requests": 0}, "tvmaze.max_requests", "expected a whole number from 1 to 1000"),
    ({"streaming_hour": "25:00"}, "tvmaze.streaming_hour", 'expected a quoted local time "HH:MM"'),
    ({"streaming_hour": 9}, "tvmaze.streaming_hour", 'expected a quoted local time "HH:MM"'),
    ({"color": "red"}, "tvmaze.color", "unknown key"),
])
def test_bad_tvmaze_settings_are_named(tvmaze, key, problem):
    assert problem in fails({"tvmaze": tvmaze}, key)
