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

from .config import Config, ConfigError, load_config
from .domain.catalog import Catalog, CatalogError, load_catalog
from .domain.interfaces import Adapter, SystemClock

log = logging.getLogger("dramabot")

DEFAULT_CONFIG = "dramabot.toml"


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", help=f"config file (default: $DRAMABOT_CONFIG, else ./{DEFAULT_CONFIG} if present)")
    common.add_argument("--catalog", help="catalog TOML file replacing the bundled one")
    common.add_argument("--db", help="the database: a SQLite file or a postgresql:// URL (overrides the config's `database`)")
    common.add_argument(
        "--log-level", default="WARNING", choices=["DEBUG", "INFO", "WARNING", "ERROR"], type=str.upper,
        help="log detail on standard error (default WARNING)",
    )
    parser = argparse.ArgumentParser(prog="dramabot", description="K-drama broadcast reminders and news.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", parents=[common], help="run the bot (console adapter when no token is configured)")
    simulate = sub.add_parser("simulate", parents=[common], help="run a JSON Lines scenario on a virtual clock")
    simulate.add_argument("scenario", help="scenario file, or - for standard input")
    sub.add_parser("status", parents=[common], help="which process holds which role (several processes on PostgreSQL)")
    migrate = sub.add_parser("migrate", help="copy a stopped bot's SQLite database into an empty PostgreSQL database")
    migrate.add_argument("--from", dest="source", required=True, metavar="SQLITE_FILE", help="the bot's SQLite database")
    migrate.add_argument("--to", dest="target", required=True, metavar="URL", help="postgresql://user@host:port/name (empty)")
    return parser


def _load(args: argparse.Namespace) -> tuple[Config, Catalog]:
    path = args.config or os.environ.get("DRAMABOT_CONFIG") or (DEFAULT_CONFIG if Path(DEFAULT_CONFIG).exists() else None)
    config = load_config(path)
    catalog = load_catalog(args.catalog or config.catalog or None)
    return config, catalog


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "migrate":
        return asyncio.run(_migrate(args.source, args.target))
    logging.basicConfig(level=args.log_level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        config, catalog = _load(args)
    except (ConfigError, CatalogError) as exc:
        print(f"dramabot: {exc}", file=sys.stderr)
        return 2
    if args.command == "simulate":  # no network: TVmaze stays off on the virtual clock
        return _simulate(args, config.model_copy(update={"tvmaze": config.tvmaze.model_copy(update={"enabled": False})}), catalog)
    if args.command == "status":
        return asyncio.run(_status(args.db or config.database))
    return asyncio.run(_run(args, config, catalog))


async def _status(database: str) -> int:
    """Print each role's holder, generation and seconds until its lease expires, then the live processes."""
    import time

    from bot.storage import StorageError, database_name, open_storage
    from scheduler.roles import describe

    try:
        store = await open_storage(database, exclusive=False)
    except StorageError as exc:
        print(f"dramabot: {exc}", file=sys.stderr)
        return 2
    try:
        rows = await store.leases()
    finally:
        await store.close()
    print(database_name(database))
    if not store.shared:
        print("one process does all the work (SQLite): no roles")
        return 0
    print("\n".join(describe(rows, now=time.time())))
    return 0


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


async def _migrate(source: str, target: str) -> int:
    """`dramabot migrate`: copy, then a line per table; a refusal is one line and exit status 2."""
    from bot.storage.move import MoveRefused, move
    from scheduler.jobs import KEEP_LEDGER

    expired_before = int(SystemClock().now().timestamp() - KEEP_LEDGER.total_seconds())
    try:
        report = await move(source=source, target=target, expired_before=expired_before)
    except MoveRefused as exc:
        print(f"dramabot: {exc}", file=sys.stderr)
        return 2
    upgraded = f", migrated from schema {report.source_schema_was} first" if report.source_schema_was != report.schema else ""
    print(f"Copied {report.source} (schema {report.schema}{upgraded}) to {report.target}: "
          f"{report.rows} rows in {report.seconds:.1f} s")
    for copied in report.copied:
        print(f"  {copied.table:<16} {copied.rows:>10}")
    print(f"  (not copied: leases, and {report.left_behind} expired ledger rows and notices)")
    key = _calendar_key(source)
    if key:
        print(f"Calendar links: set [web] calendar_key_file = \"{key}\" so every link keeps working.")
    return 0


def _calendar_key(source: str) -> str | None:
    """The calendar links' key file beside the SQLite database, when there is one (its absolute path)."""
    from scheduler.startup import calendar_key_path

    key = calendar_key_path(source)
    return str(Path(key).resolve()) if key and Path(key).exists() else None


async def _reload(process, path: str | None) -> None:
    """SIGHUP: read the catalog file again and apply it; followers hear of changed broadcasts.
    A malformed file is logged and changes nothing."""
    try:
        catalog = load_catalog(path)
    except CatalogError as exc:
        log.error("catalog not reloaded: %s", exc)
        return
    notices = await process.live.reload(catalog)
    log.warning("catalog reloaded from %s: %d shows, %d change notices", catalog.source, len(catalog.shows), len(notices))


def _reload_on_signal(reloads: set[asyncio.Task], process, path: str | None) -> asyncio.Task:
    """Start a SIGHUP reload, kept in `reloads` until it finishes: the event loop holds tasks only
    weakly, and a reload nobody references could be collected in the middle of its run."""
    task = asyncio.get_running_loop().create_task(_reload(process, path))
    reloads.add(task)
    task.add_done_callback(reloads.discard)
    return task


def platform_adapters(config: Config) -> dict[str, Adapter]:
    """The adapters `dramabot run` starts: every platform with a token, else the console."""
    adapters: dict[str, Adapter] = {}
    if config.telegram.token:
        from adapters.telegram import TelegramAdapter

        adapters["telegram"] = TelegramAdapter(config.telegram)
    if config.discord.token:
        from adapters.discord import DiscordAdapter

        adapters["discord"] = DiscordAdapter(config.discord)
    if not adapters:
        from adapters.console import ConsoleAdapter

        adapters["console"] = ConsoleAdapter()
    return adapters


async def _run(args: argparse.Namespace, config: Config, catalog: Catalog) -> int:
    from bot.storage import database_name
    from scheduler.process import BotProcess, StartupError

    try:
        adapters = platform_adapters(config)
    except ImportError as exc:
        print(f"dramabot: {exc}", file=sys.stderr)
        return 2
    try:
        process = await BotProcess.start(config=config, catalog=catalog, clock=SystemClock(), adapters=adapters, db_path=args.db)
    except StartupError as exc:
        print(f"dramabot: {exc}", file=sys.stderr)
        return 2
    log.info("running %s with %d shows, database %s", ", ".join(adapters), len(catalog.shows),
             database_name(args.db or config.database))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    catalog_path = args.catalog or config.catalog or None
    loop.add_signal_handler(signal.SIGHUP, lambda: _reload_on_signal(process.reloads, process, catalog_path))
    waits = {loop.create_task(stop.wait()), loop.create_task(process.failed.wait())}
    console = adapters.get("console")
    closed = getattr(console, "closed", None)
    if closed is not None:
        waits.add(loop.create_task(closed.wait()))  # Ctrl-D ends a console session
    await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    for task in waits:
        task.cancel()
    await process.stop()  # a reload under way finishes first (bounded), before the store it writes to closes
    return 1 if process.failure else 0
