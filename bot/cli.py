"""`dramabot run` and `dramabot simulate`: the composition root.

This is the one module of `bot` that imports `adapters` and `scheduler`: it wires a core,
its adapters and a clock driver together, and nothing else does.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
import tempfile
from pathlib import Path

from .catalog import Catalog, CatalogError, load_catalog
from .config import Config, ConfigError, load_config

log = logging.getLogger("dramabot")

DEFAULT_CONFIG = "dramabot.toml"


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", help=f"config file (default: $DRAMABOT_CONFIG, else ./{DEFAULT_CONFIG} if present)")
    common.add_argument("--catalog", help="catalog TOML file replacing the bundled one")
    common.add_argument("--db", help="SQLite database file (overrides the config's `database`)")
    common.add_argument(
        "--log-level", default="WARNING", choices=["DEBUG", "INFO", "WARNING", "ERROR"], type=str.upper,
        help="log detail on standard error (default WARNING)",
    )
    parser = argparse.ArgumentParser(prog="dramabot", description="K-drama broadcast reminders and news.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", parents=[common], help="run the bot (console adapter when no token is configured)")
    simulate = sub.add_parser("simulate", parents=[common], help="run a JSON Lines scenario on a virtual clock")
    simulate.add_argument("scenario", help="scenario file, or - for standard input")
    return parser


def _load(args: argparse.Namespace) -> tuple[Config, Catalog]:
    path = args.config or os.environ.get("DRAMABOT_CONFIG") or (DEFAULT_CONFIG if Path(DEFAULT_CONFIG).exists() else None)
    config = load_config(path)
    catalog = load_catalog(args.catalog or config.catalog or None)
    return config, catalog


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=args.log_level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        config, catalog = _load(args)
    except (ConfigError, CatalogError) as exc:
        print(f"dramabot: {exc}", file=sys.stderr)
        return 2
    if args.command == "simulate":
        return _simulate(args, config, catalog)
    return asyncio.run(_run(args, config, catalog))


def _simulate(args: argparse.Namespace, config: Config, catalog: Catalog) -> int:
    from scheduler.simulator import ScenarioError, parse_scenario, run_scenario

    try:
        if args.scenario == "-":
            lines = sys.stdin.read().splitlines()
        else:
            lines = Path(args.scenario).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        print(f"dramabot: cannot read scenario {args.scenario}: {exc}", file=sys.stderr)
        return 2
    try:
        events = parse_scenario(lines)
    except ScenarioError as exc:
        print(f"dramabot: {args.scenario}: {exc}", file=sys.stderr)
        return 2
    from scheduler.process import StartupError

    with tempfile.TemporaryDirectory(prefix="dramabot-sim-") as scratch:
        db_path = args.db or str(Path(scratch) / "simulation.sqlite3")
        try:
            asyncio.run(run_scenario(events, catalog=catalog, config=config, db_path=db_path, out=sys.stdout))
        except StartupError as exc:
            print(f"dramabot: {exc}", file=sys.stderr)
            return 2
    return 0


async def _run(args: argparse.Namespace, config: Config, catalog: Catalog) -> int:
    from adapters.console import ConsoleAdapter
    from bot.interfaces import SystemClock
    from scheduler.process import BotProcess

    configured = [name for name, token in (("telegram", config.telegram.token), ("discord", config.discord.token)) if token]
    if configured:
        print(
            f"dramabot: a {' and '.join(configured)} token is configured, but this version has no "
            f"{' or '.join(configured)} adapter yet; remove the token to use the console.",
            file=sys.stderr,
        )
        return 2
    from scheduler.process import StartupError

    console = ConsoleAdapter()
    try:
        process = await BotProcess.start(
            config=config, catalog=catalog, clock=SystemClock(), adapters={"console": console}, db_path=args.db
        )
    except StartupError as exc:
        print(f"dramabot: {exc}", file=sys.stderr)
        return 2
    log.info("running with %d shows, database %s", len(catalog.shows), args.db or config.database)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    closed = loop.create_task(console.closed.wait())
    stopping = loop.create_task(stop.wait())
    await asyncio.wait({closed, stopping}, return_when=asyncio.FIRST_COMPLETED)
    for task in (closed, stopping):
        task.cancel()
    await process.stop()
    return 0
