"""A person in a terminal: `dramabot run` with no token starts the console adapter."""

import subprocess
import sys
from pathlib import Path


def test_console_session_subscribes_and_answers(tmp_path):
    typed = "/timezone Seoul\n/subscribe The Interest of Love\n/subscriptions\nhello\n"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--db", str(tmp_path / "console.sqlite3")],
        input=typed, capture_output=True, text=True, timeout=60, cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "dramabot console: type /help to begin, Ctrl-D to quit."
    assert lines[1].startswith("Time zone set to Asia/Seoul. Local time now: ")
    assert "Subscribed to The Interest of Love: reminders before every episode, and its news." in lines
    assert "• The Interest of Love (show, finished airing 9 Feb 2023)" in lines
    assert "Reminders 30m before each episode, times in Asia/Seoul." in lines
    assert lines[-1] == "I answer commands that start with /. Type /help to see them."


def test_a_line_longer_than_the_input_buffer_is_refused_and_the_session_goes_on(tmp_path):
    typed = "/subscribe " + "x" * 300_000 + "\n/timezone Seoul\n"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--db", str(tmp_path / "console.sqlite3")],
        input=typed, capture_output=True, text=True, timeout=60, cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 3, lines
    assert lines[1].startswith("That message is ") and "commands are at most 500" in lines[1]
    assert lines[2].startswith("Time zone set to Asia/Seoul.")


def test_console_with_nothing_to_read_stops_at_once(tmp_path):
    with open("/dev/null") as nothing:  # not a pipe: the event loop cannot wait on it
        result = subprocess.run(
            [sys.executable, "-m", "bot", "run", "--db", str(tmp_path / "console.sqlite3")],
            stdin=nothing, capture_output=True, text=True, timeout=30, cwd=tmp_path,
            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "dramabot console: type /help to begin, Ctrl-D to quit.\n"
    assert result.stderr == ""


def test_a_configured_token_without_its_adapter_is_refused(tmp_path):
    config = tmp_path / "dramabot.toml"
    config.write_text('[telegram]\ntoken = "123:abc"\n')
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--config", str(config)], input="", capture_output=True, text=True,
        timeout=60, cwd=tmp_path, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    assert result.returncode == 2
    assert "telegram" in result.stderr


def test_unknown_config_key_stops_start_up_naming_it(tmp_path):
    config = tmp_path / "dramabot.toml"
    config.write_text('timezone = "Asia/Seoul"\nreminder_lead = "30m"\n')
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"], input="", capture_output=True, text=True, timeout=60, cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    assert result.returncode == 2
    assert "dramabot.toml: key 'reminder_lead': unknown key" in result.stderr
