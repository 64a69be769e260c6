"""The core knows no platform: bot/ imports neither adapters/, scheduler/, nor a platform library."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = ("adapters", "scheduler", "discord", "telegram", "apscheduler")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_core_modules_import_no_platform_and_no_outer_layer():
    offenders = {}
    for path in sorted((ROOT / "bot").glob("*.py")):
        if path.name == "cli.py":  # the composition root wires everything together
            continue
        bad = {m for m in imported_modules(path) if m.split(".")[0] in FORBIDDEN}
        if bad:
            offenders[path.name] = bad
    assert offenders == {}


def test_adapters_hold_no_scheduler():
    for path in sorted((ROOT / "adapters").rglob("*.py")):  # packages too (adapters/telegram/)
        assert not {m for m in imported_modules(path) if m.split(".")[0] == "scheduler"}, str(path.relative_to(ROOT))
