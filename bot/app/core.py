"""`Core`: the app's owners of state changes composed, as the scheduler drives them.

It is handed a store, a catalog, the config, a clock and the adapters by platform; it imports no
platform library, no scheduler and no command. It holds one of each owner (`chats`, `delivery`,
`reminders`, `news`, `feeds`, `retries`, `listings`, `access`), the registry that rebuilds a
stored job key into its job, whether the bot still listens, and is the `CatalogHost` the live
catalog and the releases see. The inbox adapters report to is built from it on the commands
floor (`bot.commands.inbox`).
"""

from __future__ import annotations

from collections.abc import Mapping

from ..config import Config
from ..delivery import DeliveryJob
from ..domain.catalog import Catalog
from ..domain.interfaces import Adapter, Clock
from ..domain.jobkeys import DigestKey, NewsKey, Rebuilders, ReminderKey
from ..storage import Storage
from .access import Access
from .calendars import Calendars
from .chats import ChatOwner
from .fanout import Fanout
from .feeds import Feeds
from .host import LiveLookup
from .listings import Listings
from .news import News
from .reminders import Reminders
from .retries import Retries
from .state import AppState, targets


class Core:
    def __init__(
        self,
        *,
        store: Storage,
        catalog: Catalog,
        config: Config,
        clock: Clock,
        adapters: Mapping[str, Adapter],
    ):
        self.state = state = AppState(store=store, catalog=catalog, config=config, clock=clock)
        self.store, self.config, self.clock = store, config, clock
        self.adapters = dict(adapters)
        self.chats = ChatOwner(state)
        self.rebuilders: Rebuilders[DeliveryJob] = Rebuilders()  # stored key -> its job again, for a retry
        self.delivery = Fanout(state, chats=self.chats, adapters=self.adapters, rebuilders=self.rebuilders)
        self.reminders = Reminders(state, chats=self.chats, fanout=self.delivery)
        self.news = News(state, chats=self.chats, fanout=self.delivery)
        self.feeds = Feeds(state)
        self.listings = Listings(state)
        self.access = Access(config)
        self.calendars = Calendars(state)  # calendar links and feeds (the web step names its key file)
        self.rebuilders.register(ReminderKey, self.reminders.job)
        self.rebuilders.register(NewsKey, self.news.news_job)
        self.rebuilders.register(DigestKey, self.news.digest_job)
        self.retries = Retries(state, fanout=self.delivery)
        self.live: LiveLookup | None = None  # the catalog's owner while the bot runs (bot.app.live)
        self.listening = True  # False: incoming messages change nothing and get no answer
        # what the live catalog and the releases use (CatalogHost), each from its owner
        self.on_change = state.on_change
        self.changed = state.changed
        self.zone_of = state.zone_of
        self.targets = targets
        self.recheck = self.chats.recheck
        self.fan_out = self.delivery.fan_out

    @property
    def catalog(self) -> Catalog:
        """The catalog snapshot of the moment (the live catalog replaces it)."""
        return self.state.catalog

    @catalog.setter
    def catalog(self, catalog: Catalog) -> None:
        self.state.catalog = catalog

    async def stop_listening(self) -> None:
        """From now on incoming messages change nothing and get no answer (the bot is stopping)."""
        self.listening = False

    async def idle(self) -> None:
        """Wait until every queued message was sent or given up, and recorded."""
        await self.delivery.idle()
