"""No text a person reads is written in the code of the commands and the app: every reply is a
message id of the catalogues (tested there in every language). This walks the source of
`bot/commands` and `bot/app` and fails on any English words handed to what builds a reply; in the
platform adapters, also on English handed to what sends a message or answers an interaction."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from bot.domain.i18n import catalogue

ROOT = Path(__file__).resolve().parents[2] / "bot"
PACKAGES = ("commands", "app")
# what builds a reader's text: spans of a message, a catalogue message, a reason given for later
BUILDERS = {"of", "lines", "fit_lines", "Reply", "say", "msg_text", "message", "text", "said", "Said", "FeedRefused",
            "Choice"}
ADAPTERS = ROOT.parent / "adapters"
SENDERS = BUILDERS | {"send_message", "send", "edit_message_text"}  # a platform's calls that show a text
MESSAGE_ID = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)+$")
WORDS = re.compile(r"[A-Za-z]{2,}[^A-Za-z]+[A-Za-z]{2,}")  # two words: a phrase, not a symbol or a key


def _name(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _texts(node: ast.expr) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return ["".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))]
    if isinstance(node, (ast.BinOp, ast.IfExp, ast.Tuple, ast.List)):
        return [t for child in ast.iter_child_nodes(node) if isinstance(child, ast.expr) for t in _texts(child)]
    return []


def english_literals(path: Path, root: Path = ROOT.parent, builders: set[str] = BUILDERS) -> list[str]:
    """Each phrase of English words handed to a reply's builder in `path`: "file:line: 'text'"."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or _name(node.func) not in builders:
            continue
        for arg in [*node.args, *(k.value for k in node.keywords)]:
            for text in _texts(arg):
                if WORDS.search(text) and not MESSAGE_ID.match(text):
                    found.append(f"{path.relative_to(root)}:{node.lineno}: {text!r}")
    return found


def test_the_check_finds_english_handed_to_a_reply(tmp_path):
    path = tmp_path / "sample.py"
    path.write_text('def f(ctx, n):\n    ctx.say("feeds-none")\n    return Message.of(Bold("x"), f"{n} feeds polled")\n')
    assert english_literals(path, tmp_path) == ["sample.py:3: ' feeds polled'"]


@pytest.mark.parametrize("package", PACKAGES)
def test_no_english_phrase_is_handed_to_what_builds_a_reply(package):
    found = [line for path in sorted((ROOT / package).rglob("*.py")) for line in english_literals(path)]
    assert found == []


def test_the_adapters_hand_no_english_phrase_to_a_platform(tmp_path):
    sample = tmp_path / "adapter.py"
    sample.write_text('async def f(interaction):\n    await interaction.response.send_message("I am starting up.")\n')
    assert english_literals(sample, tmp_path, SENDERS) == ["adapter.py:2: 'I am starting up.'"]
    found = [line for path in sorted(ADAPTERS.rglob("*.py")) for line in english_literals(path, builders=SENDERS)]
    assert found == []


# where a call takes a message id: its position among the arguments (errors take the log's words first)
ID_AT = {"say": 0, "msg_text": 0, "said": 0, "FeedRefused": 0, "SaidError": 1, "TvmazeError": 1, "FeedError": 1,
         "FetchError": 1, "FetchRefused": 1, "_own_text": 1}
CORE_ONLY = {"say", "msg_text", "said"}  # elsewhere (the simulator's `say`) these names mean something else


def test_every_message_id_the_code_names_is_in_the_catalogues():
    ids = catalogue().ids
    named = set()
    core = [p for package in PACKAGES for p in (ROOT / package).rglob("*.py")]
    others = [*(ROOT / "integrations").rglob("*.py"), *(ROOT.parent / "scheduler").rglob("*.py"), *ADAPTERS.rglob("*.py")]
    for path in core + others:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or (path not in core and _name(node.func) in CORE_ONLY):
                continue
            at = ID_AT.get(_name(node.func), -1)
            if 0 <= at < len(node.args) and isinstance(arg := node.args[at], ast.Constant) and isinstance(arg.value, str):
                named.add(arg.value)
    assert {"feed-error-http", "tvmaze-slow", "error-starting-up"} <= named, "the walk missed message ids"
    assert sorted(n for n in named if not all(n in ids[lang] for lang in ids)) == []
