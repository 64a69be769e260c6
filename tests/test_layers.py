"""A house with one-way floors: every import in bot/, scheduler/ and adapters/ points down a floor
(or stays on its own), and no modules import each other in a circle. Imports are read from the
source at any depth: under `TYPE_CHECKING`, inside functions, relative or absolute.

Floors, bottom to top (docs/architecture.md says what each holds). Layers on one floor may not
import each other: storage and the integrations know nothing of one another, nor do the scheduler
and the adapters, which meet only in the cli.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "scheduler", "adapters")

FLOORS: list[set[str]] = [
    {"domain"},
    {"config"},
    {"integrations", "storage"},
    {"delivery"},
    {"app"},
    {"commands"},
    {"scheduler", "adapters"},
    {"cli"},
]

# Each module's layer, by the longest prefix that names it; a module named by none is a failure.
LAYERS: dict[str, str] = {
    "bot.domain": "domain",
    "bot.config": "config",
    "bot.integrations": "integrations",
    "bot.storage": "storage",
    "bot.delivery": "delivery",
    "bot.app": "app",
    "bot.commands": "commands",
    "scheduler": "scheduler",
    "scheduler.simulator": "cli",  # `dramabot simulate`: a composition root, the scheduler with mock adapters
    "adapters": "adapters",
    "bot.cli": "cli",
    "bot.__main__": "cli",
}

PLATFORM_LIBRARIES = ("discord", "telegram", "apscheduler", "aiohttp")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, modules: set[str]) -> set[str]:
    """Every module `path` imports, anywhere in it; `from package import module` counts as the module."""
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            parts = package.split(".")
            base = parts[: len(parts) - (node.level - 1)] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            submodules = {f"{module}.{alias.name}" for alias in node.names} & modules
            found.update(submodules or {module})
    return found


def import_graph() -> dict[str, set[str]]:
    """Module -> the project modules it imports (package roots, which hold only a docstring, left out)."""
    paths = {module_name(p): p for package in PACKAGES for p in (ROOT / package).rglob("*.py")}
    modules = set(paths) - set(PACKAGES)
    return {name: imports_of(paths[name], modules) & modules for name in sorted(modules)}


def layer_of(module: str, layers: Mapping[str, str]) -> str | None:
    named = [prefix for prefix in layers if module == prefix or module.startswith(prefix + ".")]
    return layers[max(named, key=len)] if named else None


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The import cycles: each strongly connected group of two or more modules (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in sorted(graph.get(module, ())):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def problems(graph: Mapping[str, set[str]], *, floors: list[set[str]], layers: Mapping[str, str]) -> list[str]:
    """Every module without a floor, every import that points up a floor or across one, every cycle."""
    height = {layer: level for level, floor in enumerate(floors) for layer in floor}
    found = []
    for module, targets in sorted(graph.items()):
        source = layer_of(module, layers)
        if source is None:
            found.append(f"{module} is on no floor")
            continue
        for target in sorted(targets):
            goal = layer_of(target, layers)
            if goal is None or goal == source:
                continue
            if height[goal] >= height[source]:
                way = "up" if height[goal] > height[source] else "across"
                found.append(f"{module} ({source}) imports {target} ({goal}): {way} a floor")
    found.extend(f"cycle: {' <-> '.join(group)}" for group in cycles(graph))
    return found


def test_the_checker_reports_an_upward_import_a_sideways_one_a_cycle_and_a_module_on_no_floor():
    graph = {
        "bot.domain.zones": {"bot.app.core"},
        "bot.app.core": {"bot.app.live"},
        "bot.app.live": {"bot.app.releases"},
        "bot.app.releases": {"bot.app.core"},
        "scheduler.jobs": {"adapters.mock"},
        "adapters.mock": {"bot.domain.zones"},
        "bot.stray": set(),
    }
    assert problems(graph, floors=FLOORS, layers=LAYERS) == [
        "bot.domain.zones (domain) imports bot.app.core (app): up a floor",
        "bot.stray is on no floor",
        "scheduler.jobs (scheduler) imports adapters.mock (adapters): across a floor",
        "cycle: bot.app.core <-> bot.app.live <-> bot.app.releases",
    ]


def test_the_graph_is_read_at_any_depth_with_relative_imports_resolved():
    graph = import_graph()
    assert "bot.domain.interfaces" in graph["bot.cli"]  # under TYPE_CHECKING, relative, and in a function
    assert {"scheduler.process", "adapters.console"} <= graph["bot.cli"]  # imported inside functions
    assert "bot.app.core" in graph["bot.commands.inbox"]  # `from ..app.core import Core`
    assert "bot.config.values" in graph["bot.config.sections"]  # `from . import values`


def test_every_import_points_down_and_no_modules_import_each_other_in_a_circle():
    assert problems(import_graph(), floors=FLOORS, layers=LAYERS) == []


def test_the_bot_imports_no_platform_library():
    """Only the cli, the composition root, starts the platforms (through adapters/ and scheduler/)."""
    offenders = {}
    for path in sorted((ROOT / "bot").rglob("*.py")):
        if module_name(path) in ("bot.cli", "bot.__main__"):
            continue
        bad = {m for m in imports_of(path, set()) if m.split(".")[0] in PLATFORM_LIBRARIES}
        if bad:
            offenders[module_name(path)] = bad
    assert offenders == {}


def test_every_entry_of_the_floor_map_names_modules_that_exist():
    """A module moved (bot/app/, bot/delivery/) renames its entry: none is left naming nothing."""
    graph = import_graph()
    assert [prefix for prefix in LAYERS if not any(layer_of(m, {prefix: "x"}) for m in graph)] == []


def test_no_handler_imports_the_whole_app_only_the_inbox_is_built_from_it():
    """Handlers get narrow services (bot/commands/ports.py); only the inbox adapters report to sees `Core`."""
    graph = import_graph()
    assert [m for m, targets in graph.items() if m.startswith("bot.commands") and "bot.app.core" in targets] == [
        "bot.commands.inbox"
    ]
    assert [m for m, targets in graph.items() if m.startswith("bot.app") and any(t.startswith("bot.commands") for t in targets)] == []
