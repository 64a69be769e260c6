"""What the live catalog (bot.live) and the release deliveries (bot.releases) need from the core:
the catalog snapshot they replace, the clock, store and settings, the fan-out to a show's
followers, and the registry that rebuilds their jobs for a retry. `Core` implements it; neither
module imports the core, so the core, the live catalog and the releases import no one in a circle.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol
from zoneinfo import ZoneInfo

from .commands.ports import LiveLookup
from .config import Config
from .delivery import DeliveryJob, Item
from .domain.catalog import Catalog, Show
from .domain.interfaces import Clock
from .domain.jobkeys import Rebuilders
from .storage import Storage
from .storage.values import ChatSettings, Recipient


class CatalogHost(Protocol):
    catalog: Catalog  # the latest snapshot; the live catalog replaces it
    live: LiveLookup | None  # the live catalog, once it runs
    rebuilders: Rebuilders[DeliveryJob]

    @property
    def clock(self) -> Clock: ...

    @property
    def store(self) -> Storage: ...

    @property
    def config(self) -> Config: ...

    def changed(self) -> None:
        """The catalog or the chats changed: the planner plans again."""

    def targets(self, show: Show) -> list[tuple[str, str]]:
        """The subscriptions that reach a show: itself and its cast."""

    async def fan_out(self, job: DeliveryJob, targets: Sequence[tuple[str, str]],
                      where: Callable[[Recipient], bool] | None = None) -> int:
        """Queue `job` once to every chat following any of `targets` now; returns how many."""

    async def recheck(self, item: Item, show_key: str) -> ChatSettings | str | None:
        """None when the chat has not changed since the fan-out; its settings when it still
        follows the show; else why the message is no longer wanted."""

    def zone_of(self, stored: str | None) -> ZoneInfo: ...
