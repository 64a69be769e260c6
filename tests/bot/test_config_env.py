"""Every configuration key can also come from the environment, over the file: DRAMABOT_ and the
key's path joined by "__", as operators running several processes or containers expect."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import ConfigError, load_config, parse_config


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "etc" / "dramabot.toml"
    path.parent.mkdir()
    path.write_text(
        'database = "from-file.sqlite3"\ntimezone = "Asia/Seoul"\n'
        '[telegram]\ntoken = "1:file"\nmessages_per_second = 10\ngroup_messages_per_minute = 15\n',
        encoding="utf-8",
    )
    return path


def refusal(env: dict[str, str], raw: dict | None = None) -> str:
    with pytest.raises(ConfigError) as refused:
        parse_config(raw or {}, "bot.toml", env=env)
    return str(refused.value)


def test_the_environment_wins_over_the_file_and_the_file_over_the_defaults(config_file):
    env = {"DRAMABOT_DATABASE": "/srv/dramabot/one.sqlite3", "DRAMABOT_TELEGRAM__MESSAGES_PER_SECOND": "25"}
    config = load_config(config_file, env=env)
    assert config.database == "/srv/dramabot/one.sqlite3"
    assert config.telegram.messages_per_second == 25.0  # the variable
    assert config.telegram.group_messages_per_minute == 15.0  # the file, same section
    assert config.telegram.token == "1:file" and config.timezone.key == "Asia/Seoul"  # the file
    assert config.telegram.chat_messages_per_second == 1.0  # the default
    assert config.source == str(config_file)


def test_a_relative_database_from_the_environment_is_relative_to_where_the_bot_starts(config_file):
    assert load_config(config_file, env={"DRAMABOT_DATABASE": "two.sqlite3"}).database == "two.sqlite3"
    assert load_config(config_file, env={}).database == str(config_file.parent / "from-file.sqlite3")


def test_values_are_read_as_toml_and_text_keys_as_written():
    config = parse_config({}, env={
        "DRAMABOT_LEADS": '["1h", "30m"]', "DRAMABOT_TIMEZONE": "New York", "DRAMABOT_OWNERS": '["telegram:7"]',
        "DRAMABOT_TVMAZE__ENABLED": "false", "DRAMABOT_NEWS__POLL_INTERVAL": "5m", "DRAMABOT_DISCORD__SHARDS": "4",
        "DRAMABOT_NEWS__FEEDS": '["https://www.soompi.com/feed/"]', "DRAMABOT_TELEGRAM__TOKEN": "12345",
        "dramabot_delivery__stop_grace": "2.5",  # any case, as pydantic-settings reads variables
    })
    assert config.lead_minutes == (60, 30) and config.timezone.key == "America/New_York"
    assert config.owners == {"telegram:7"}
    assert config.tvmaze.enabled is False and config.news.poll_interval == timedelta(minutes=5)
    assert config.discord.shards == 4 and config.news.feeds[0].name == "soompi.com"
    assert config.telegram.token == "12345"  # a token of digits stays text
    assert config.delivery.stop_grace == 2.5


def test_the_token_variables_from_before_still_work_and_the_nested_name_wins():
    assert parse_config({}, env={"DRAMABOT_TELEGRAM_TOKEN": "1:old"}).telegram.token == "1:old"
    both = {"DRAMABOT_TELEGRAM_TOKEN": "1:old", "DRAMABOT_TELEGRAM__TOKEN": "1:new"}
    assert parse_config({}, env=both).telegram.token == "1:new"


def test_a_bad_value_from_the_environment_names_the_variable_and_the_key():
    message = refusal({"DRAMABOT_TELEGRAM__MESSAGES_PER_SECOND": "fast"}, {"telegram": {"messages_per_second": 10}})
    assert message == (
        "environment variable DRAMABOT_TELEGRAM__MESSAGES_PER_SECOND: key 'telegram.messages_per_second': "
        "expected a number above 0 and at most 1000, got 'fast'"
    )
    assert refusal({"DRAMABOT_LEADS": "soon"}).startswith("environment variable DRAMABOT_LEADS: key 'leads': expected a list")
    assert refusal({"DRAMABOT_DATABASE": "mysql://u:pw@db/bot"}).startswith(
        "environment variable DRAMABOT_DATABASE: key 'database': a mysql:// database cannot be used"
    )
    assert parse_config({}, env={"DRAMABOT_DATABASE": "postgresql://u@db/bot"}).database == "postgresql://u@db/bot"


def test_a_bad_value_from_the_file_still_names_the_file():
    message = refusal({"DRAMABOT_TIMEZONE": "Asia/Seoul"}, {"leads": ["1w"]})
    assert message.startswith("bot.toml: key 'leads': ")


def test_an_unknown_key_under_a_section_variable_is_refused_naming_the_variable():
    message = refusal({"DRAMABOT_TELEGRAM__MESAGES_PER_SECOND": "5"})
    assert message.startswith(
        "environment variable DRAMABOT_TELEGRAM__MESAGES_PER_SECOND: key 'telegram.mesages_per_second': unknown key (known: "
    )
    assert "messages_per_second" in message


def test_every_bad_key_is_named_on_its_own_line():
    lines = refusal({"DRAMABOT_NEWS__TIMEOUT": "0"}, {"tvmaze": {"max_requests": 0}}).splitlines()
    assert [line.split(": key ")[1].split(":")[0] for line in lines] == ["'news.timeout'", "'tvmaze.max_requests'"]


def test_other_dramabot_variables_are_not_keys():
    config = parse_config({}, env={"DRAMABOT_CONFIG": "/etc/dramabot.toml", "DRAMABOT_SOURCE": "x", "DRAMABOT_": "y"})
    assert config == parse_config({})


def test_source_is_not_a_key_of_the_file():
    assert "unknown key" in refusal({}, {"source": "elsewhere"})


def test_a_bad_variable_stops_the_real_command_with_one_line(tmp_path):
    env = {"PATH": "", "DRAMABOT_TELEGRAM__MESSAGES_PER_SECOND": "0", "DRAMABOT_CONFIG": str(tmp_path / "none.toml")}
    (tmp_path / "none.toml").write_text("", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "simulate", "-"], input="", capture_output=True, text=True, timeout=60, env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert result.stderr == (
        "dramabot: environment variable DRAMABOT_TELEGRAM__MESSAGES_PER_SECOND: key 'telegram.messages_per_second': "
        "expected a number above 0 and at most 1000, got 0\n"
    )
