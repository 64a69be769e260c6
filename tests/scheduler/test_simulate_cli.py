"""`dramabot simulate` as developers run it: JSON Lines in, one JSON line per sent message out."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

STORY = [
    {"at": "2022-12-20T00:00:00+00:00", "message": {"platform": "telegram", "chat": "100", "user": "100", "text": "/timezone America/New_York", "admin": False}},
    {"at": "2022-12-20T00:00:01+00:00", "message": {"platform": "telegram", "chat": "100", "user": "100", "text": "/remind 30m", "admin": False}},
    {"at": "2022-12-20T00:00:02+00:00", "message": {"platform": "telegram", "chat": "100", "user": "100", "text": "/subscribe The Interest of Love", "admin": False}},
    {"at": "2022-12-23T00:00:00+00:00", "advance": True},
]


def simulate(tmp_path: Path, lines: list, *extra: str, stdin: bool = False) -> subprocess.CompletedProcess:
    text = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n"
    scenario = tmp_path / "story.jsonl"
    scenario.write_text(text, encoding="utf-8")
    args = [sys.executable, "-m", "bot", "simulate", "-" if stdin else str(scenario), *extra]
    return subprocess.run(
        args, input=text if stdin else None, capture_output=True, text=True, timeout=60, cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )


def sent(result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_new_york_fan_story_prints_replies_then_two_reminders(tmp_path):
    result = simulate(tmp_path, ["# a fan in New York", "", *STORY])
    assert result.returncode == 0, result.stderr
    out = sent(result)
    assert [o["kind"] for o in out] == ["reply", "reply", "reply", "reminder", "reminder"]
    assert out[3] == {
        "at": "2022-12-21T13:00:00Z", "platform": "telegram", "chat": "100", "kind": "reminder",
        "text": "⏰ <b>The Interest of Love</b>, episode 1, starts in 30 minutes: Wed 08:30 (America/New_York), 21 Dec 2022 (JTBC).",
    }
    assert out[4]["at"] == "2022-12-22T13:00:00Z"
    assert list(out[0]) == ["at", "platform", "chat", "kind", "text"]


def test_scenario_from_standard_input_with_stop_and_start(tmp_path):
    lines = STORY[:3] + [
        {"at": "2022-12-21T12:00:00Z", "stop": True},
        {"at": "2022-12-21T13:10:00Z", "start": True},
        {"at": "2022-12-21T14:00:00Z", "advance": True},
    ]
    result = simulate(tmp_path, lines, stdin=True)
    assert result.returncode == 0, result.stderr
    reminders = [o for o in sent(result) if o["kind"] == "reminder"]
    assert [(r["at"], "starts in 20 minutes" in r["text"]) for r in reminders] == [("2022-12-21T13:10:00Z", True)]


def test_database_survives_between_runs_with_db_option(tmp_path):
    db = str(tmp_path / "kept.sqlite3")
    first = simulate(tmp_path, STORY[:3], "--db", db)
    assert first.returncode == 0, first.stderr
    second = simulate(tmp_path, [{"at": "2022-12-21T00:00:00Z", "advance": True}, {"at": "2022-12-21T14:00:00Z", "advance": True}], "--db", db)
    assert [o["kind"] for o in sent(second)] == ["reminder"]


def test_custom_catalog_replaces_the_bundled_one(tmp_path):
    catalog = tmp_path / "catalog.toml"
    catalog.write_text(
        '[[shows]]\ntitle = "Night Owl Test"\naliases = ["NOT"]\nnetwork = "JTBC"\ntimezone = "Asia/Seoul"\n'
        'days = ["sun"]\ntime = "23:50"\npremiere = 2026-03-01\nepisodes = 4\nruntime = 70\nskip = [2026-03-08]\n'
        'cast = ["Some Actor"]\n\n[[actors]]\nname = "Some Actor"\naliases = ["Some-actor", "썸액터"]\n',
        encoding="utf-8",
    )
    lines = [
        {"at": "2026-02-28T00:00:00Z", "message": {"platform": "discord", "chat": "5", "user": "5", "text": "/subscribe 썸액터"}},
        {"at": "2026-02-28T00:00:01Z", "message": {"platform": "discord", "chat": "5", "user": "5", "text": "/subscribe The Interest of Love"}},
        {"at": "2026-03-16T00:00:00Z", "advance": True},
    ]
    result = simulate(tmp_path, lines, "--catalog", str(catalog))
    assert result.returncode == 0, result.stderr
    out = sent(result)
    assert "Following **Some Actor**" in out[0]["text"]
    assert "I know no show or actor called" in out[1]["text"]
    assert [o["at"] for o in out if o["kind"] == "reminder"] == ["2026-03-01T14:20:00Z", "2026-03-15T14:20:00Z"]


@pytest.mark.parametrize(
    "bad, problem",
    [
        ("{not json", "line 3: not valid JSON"),
        ('{"at": "2022-12-19T00:00:00Z", "advance": true}', "line 3: out of time order"),
        ('{"advance": true}', 'line 3: missing "at"'),
        ('{"at": "2022-12-21T00:00:00", "advance": true}', "line 3: \"at\": '2022-12-21T00:00:00' has no UTC offset"),
        ('{"at": "2022-12-21T00:00:00Z", "advance": true, "stop": true}', "line 3: needs exactly one of"),
        ('{"at": "2022-12-21T00:00:00Z"}', "line 3: needs exactly one of"),
        ('{"at": "2022-12-21T00:00:00Z", "message": {"platform": "irc", "chat": "1", "user": "1", "text": "/help"}}', 'line 3: "message.platform" must be one of telegram, discord'),
        ('{"at": "2022-12-21T00:00:00Z", "message": {"platform": "telegram", "chat": "1", "text": "/help"}}', 'line 3: "message.user" must be a non-empty string'),
        ('{"at": "2022-12-21T00:00:00Z", "article": {"feed": "x", "id": "1", "title": "t"}}', 'line 3: "article.link" must be a non-empty string'),
        ('{"at": "2022-12-21T00:00:00Z", "start": true}', "line 3: start, but the bot is already running"),
        ('{"at": "2022-12-21T00:00:00Z", "advance": false}', 'line 3: "advance" must be true'),
        ("[1, 2]", "line 3: each line must be a JSON object"),
        ('{"at": "9999-12-31T00:00:00Z", "advance": true}', "line 3: \"at\": '9999-12-31T00:00:00Z' is outside the years 1970 to 9000"),
    ],
)
def test_malformed_scenarios_fail_before_anything_is_applied(tmp_path, bad, problem):
    db = tmp_path / "untouched.sqlite3"
    result = simulate(tmp_path, [STORY[2], "# comment", bad, STORY[3]], "--db", str(db))
    assert result.returncode == 2
    assert problem in result.stderr
    assert result.stdout == ""
    assert not db.exists()


def test_a_database_path_that_cannot_be_opened_is_named(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = simulate(tmp_path, STORY, "--db", str(blocker / "bot.sqlite3"))
    assert result.returncode == 2
    assert f"dramabot: {blocker / 'bot.sqlite3'}: cannot open the database" in result.stderr
    assert "Traceback" not in result.stderr
    result = simulate(tmp_path, STORY, "--db", str(blocker))
    assert result.returncode == 2
    assert f"dramabot: {blocker}: cannot use the database: file is not a database" in result.stderr


def test_bad_catalog_stops_with_file_entry_and_field(tmp_path):
    catalog = tmp_path / "broken.toml"
    catalog.write_text('[[shows]]\ntitle = "Broken"\ndays = ["sun"]\ntime = "25:99"\npremiere = 2026-03-01\nepisodes = 2\n')
    result = simulate(tmp_path, STORY, "--catalog", str(catalog))
    assert result.returncode == 2
    assert "broken.toml: shows[0] 'Broken': field 'time'" in result.stderr
