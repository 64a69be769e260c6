"""Command handlers see narrow services, never the core: nothing under bot/commands/ imports
`bot.core`, nor any module that reaches it (`bot.live`, `bot.releases`...), not even under
TYPE_CHECKING or inside a function. Read from the source, following every import in bot/."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = ROOT / "bot" / "commands"
OFF_LIMITS = {"bot.core", "bot.live", "bot.releases"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def source_of(module: str) -> Path | None:
    base = ROOT.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


def imports_of(path: Path) -> set[str]:
    """Every bot module `path` imports, anywhere in it (relative imports resolved)."""
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - (node.level - 1)] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names if source_of(f"{module}.{alias.name}"))
    return {m for m in found if m == "bot" or m.startswith("bot.")}


def reached_from(start: set[str]) -> dict[str, str]:
    """Each bot module reachable from `start`, with the module that first imports it."""
    seen: dict[str, str] = {m: m for m in start}
    todo = list(start)
    while todo:
        module = todo.pop()
        path = source_of(module)
        for name in imports_of(path) if path else ():
            if name not in seen:
                seen[name] = module
                todo.append(name)
    return seen


def test_no_command_module_imports_the_core_even_for_type_checking():
    direct = {module_name(p): imports_of(p) & OFF_LIMITS for p in sorted(COMMANDS.rglob("*.py"))}
    assert direct and {name: bad for name, bad in direct.items() if bad} == {}


def test_nothing_the_commands_import_reaches_the_core():
    reached = reached_from({module_name(p) for p in COMMANDS.rglob("*.py")})
    assert {m: reached[m] for m in OFF_LIMITS if m in reached} == {}
