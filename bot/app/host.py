"""What the live catalog (`live`) and the release deliveries (`releases`) need from the app:
the catalog snapshot they replace, the clock, store and settings, the fan-out to a show's
followers, and the registry that rebuilds their jobs for a retry. `Core` (the app's composition)
implements it; neither module imports it, so nothing on the app floor imports in a circle.
`LiveLookup` is what the live catalog offers in return (the commands' `/find` and `/show`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol
from zoneinfo import ZoneInfo

from ..config import Config
from ..delivery import DeliveryJob, Item
from ..domain.catalog import Catalog, Show
from ..domain.changes import Notice
from ..domain.i18n import Said
from ..domain.interfaces import Clock
from ..domain.jobkeys import Rebuilders
from ..domain.names import Target
from ..integrations.sources import Edit
from ..integrations.tvmaze import Found, Imports
from ..storage import Storage
from ..storage.values import ChatSettings, Recipient


class LiveLookup(Protocol):
    """TVmaze through the live catalog: searched and imported, and the owners' corrections."""

    @property
    def searchable(self) -> bool: ...

    async def lookup(self, text: str, *, imports: Imports = "best", who: str | None = None) -> Target | list[Found] | Said: ...

    async def edit(self, edit: Edit) -> list[Notice]: ...


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
