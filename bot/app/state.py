"""What every owner of state changes shares: the database, the settings, the clock, the catalog
snapshot of the moment (the live catalog replaces it) and the listeners told after anything that
can change which jobs exist or when they are due (the planner)."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from ..config import Config
from ..domain.catalog import Catalog, Show
from ..domain.interfaces import Clock
from ..storage import Storage


def targets(show: Show) -> list[tuple[str, str]]:
    """The subscriptions that reach a show: itself and its cast."""
    return [("show", show.key)] + [("actor", key) for key in show.cast]


class AppState:
    def __init__(self, *, store: Storage, catalog: Catalog, config: Config, clock: Clock):
        self.store = store
        self.catalog = catalog
        self.config = config
        self.clock = clock
        self._change_listeners: list[Callable[[], object]] = []

    def on_change(self, listener: Callable[[], object]) -> None:
        """Call `listener` after anything that can change which jobs exist or when they are due."""
        self._change_listeners.append(listener)

    def changed(self) -> None:
        for listener in self._change_listeners:
            listener()

    def zone_of(self, stored: str | None) -> ZoneInfo:
        return ZoneInfo(stored) if stored else self.config.timezone
