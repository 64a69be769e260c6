"""What the adapters read of the app for their own features: every name a show or actor goes by
(autocompletion), a chat's upcoming episodes and the chats that want them in a calendar."""

from __future__ import annotations

from datetime import timedelta

from ..domain.catalog import Catalog
from ..domain.i18n import DEFAULT_LANGUAGE, Language
from ..domain.interfaces import ChatRef, Platform, Upcoming
from ..domain.sanitize import visible
from .state import AppState


class Listings:
    def __init__(self, state: AppState):
        self.state = state
        self._names: dict[Language, tuple[Catalog, list[tuple[str, str]]]] = {}  # names() of one catalog snapshot

    def names(self, lang: Language = DEFAULT_LANGUAGE) -> list[tuple[str, str]]:
        """Every name a show or actor goes by, with the text that picks exactly it (autocompletion),
        written for a reader of `lang` ("드라마: Jisoo" where a name is shared).
        The same list object until a catalog change alters a name: a new one after."""
        catalog = self.state.catalog
        before = self._names.get(lang)
        if before is not None and before[0] is catalog:
            return before[1]
        index = catalog.names
        labels: dict[tuple[str, str], str] = {}
        found = []
        for name, target in catalog.named_targets():
            key = (target.kind, target.key)
            if key not in labels:
                labels[key] = visible(index.label(target, lang))
            found.append((visible(name), labels[key]))
        if before is not None and before[1] == found:
            found = before[1]  # a change that renamed nothing (a refresh, a correction): nothing to rebuild
        self._names[lang] = (catalog, found)
        return found

    async def upcoming(self, chat: ChatRef, days: int) -> list[Upcoming]:
        """The episodes of what `chat` follows that start in the next `days` days, in air order."""
        now = self.state.clock.now()
        until = now + timedelta(days=days)
        keys = self.state.catalog.shows_followed(await self.state.store.subscriptions(platform=chat.platform, chat_id=chat.key))
        catalog = self.state.catalog
        found = []
        for key in sorted(keys):
            show = catalog.shows[key]
            for airing in catalog.by_show.get(key, ()):
                if now < airing.start <= until:
                    end = airing.start + timedelta(minutes=show.runtime or 60)
                    episode = f"{show.key}#{airing.episode}"  # stable when the schedule moves the episode
                    found.append(Upcoming(episode, visible(show.title), airing.episode, visible(show.network),
                                          airing.start, end))
        return sorted(found, key=lambda u: (u.start, u.key))

    async def chats_with_events(self, platform: Platform) -> list[ChatRef]:
        return [ChatRef.from_key(platform, key) for key in await self.state.store.chats_with_events(platform)]
