"""What changed between two catalogs, as notices to the shows' followers (pure).

`diff_catalogs` compares the airings of the shows a change touched and yields at most one notice
per show and kind: episodes moved (old and new instant), episodes removed (pre-empted or
cancelled), episodes newly announced, the show ended. Only what is still ahead counts: an aired
episode that leaves the list is history, not news. A notice's `key` is its identity (the same
change gives the same key, so it is announced once however often it is computed) and the
ledger's job key for its deliveries. `notice_message` writes it in a chat's own zone.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from .catalog import Airing, Catalog
from .i18n import DEFAULT_LANGUAGE, Language, catalogue
from .jobkeys import NoticeKey
from .render import Bold, Message, When
from .zones import unix_time

Kind = Literal["moved", "removed", "added", "ended"]
SHOWN = 4  # episodes named in one notice; the rest are counted
ENDED_FRESH_FOR = timedelta(days=2)


@dataclass(frozen=True)
class Notice:
    """One change of one show; `episodes` are (episode, old start, new start) in Unix seconds."""

    key: str
    kind: Kind
    show: str
    title: str
    network: str
    episodes: tuple[tuple[int, int | None, int | None], ...]
    expires: int

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Notice:
        data = json.loads(text)
        data["episodes"] = tuple(tuple(e) for e in data["episodes"])
        return cls(**data)


def _key(kind: str, show: str, parts: Iterable[str]) -> str:
    digest = hashlib.sha1("\n".join(sorted(parts)).encode()).hexdigest()[:16]
    return NoticeKey(kind, show, digest).encode()


def diff_show(old: Catalog, new: Catalog, show_key: str, now: datetime, *, ended: bool = False) -> list[Notice]:
    """Notices for one show: its airings in `old` against `new`, from `now` on. `ended`: the
    source now says the show has ended (and did not before)."""
    if show_key not in new.shows:
        return []
    before = {a.episode: a for a in old.by_show[show_key]} if show_key in old.shows else {}
    after = {a.episode: a for a in new.by_show[show_key]}
    show = new.shows[show_key]
    moved: list[tuple[Airing, Airing]] = []
    removed: list[Airing] = []
    added: list[Airing] = []
    for episode, was in before.items():
        now_at = after.get(episode)
        if now_at is None:
            if was.start > now:
                removed.append(was)
        elif now_at.start != was.start and (was.start > now or now_at.start > now):
            moved.append((was, now_at))
    if before:  # a first import announces nothing
        added = [a for e, a in after.items() if e not in before and a.start > now]
    notices = []

    def notice(kind: Kind, parts: list[str], episodes: list[tuple[int, int | None, int | None]], expires: int) -> None:
        episodes.sort()
        notices.append(Notice(_key(kind, show_key, parts), kind, show_key, show.title, show.network, tuple(episodes), expires))

    if moved:
        notice("moved", [f"{a.key}>{b.key}" for a, b in moved],
               [(a.episode, unix_time(a.start), unix_time(b.start)) for a, b in moved], max(unix_time(max(a.start, b.start)) for a, b in moved))
    if removed:
        notice("removed", [a.key for a in removed], [(a.episode, unix_time(a.start), None) for a in removed],
               max(unix_time(a.start) for a in removed))
    if added:
        notice("added", [a.key for a in added], [(a.episode, None, unix_time(a.start)) for a in added], max(unix_time(a.start) for a in added))
    if ended:
        notice("ended", ["ended"], [], unix_time(now + ENDED_FRESH_FOR))
    return notices


def diff_catalogs(old: Catalog, new: Catalog, show_keys: Iterable[str], now: datetime,
                  ended: Iterable[str] = ()) -> list[Notice]:
    """Notices for every show in `show_keys` (in that order); `ended` shows just ended."""
    finished = set(ended)
    return [n for key in dict.fromkeys(show_keys) for n in diff_show(old, new, key, now, ended=key in finished)]


def _at(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, ZoneInfo("UTC"))


def _shown(notice: Notice, line: Callable[[tuple], Message], lang: Language) -> Message:
    parts: list[Message | str] = []
    for i, episode in enumerate(notice.episodes[:SHOWN]):
        parts += ["; " if i else "", line(episode)]
    rest = len(notice.episodes) - SHOWN
    if rest > 0:
        parts.append(catalogue().text(lang, "notice-more", count=rest))
    spans: list = []
    for part in parts:
        spans.extend(part.spans if isinstance(part, Message) else (part,))
    return Message.of(*spans)


def notice_message(notice: Notice, zone: ZoneInfo, lang: Language = DEFAULT_LANGUAGE, title: str = "") -> Message:
    """The notice in one chat's zone and language (`title`: the show's title for that reader)."""
    messages = catalogue()
    args = dict(title=Bold(title or notice.title), network=f" ({notice.network})" if notice.network else "")
    if notice.kind == "moved":
        def moved(e):
            assert e[1] is not None and e[2] is not None
            return messages.message(lang, "notice-moved-episode", episode=e[0], new=When(_at(e[2]), zone, lang=lang),
                                    old=When(_at(e[1]), zone, lang=lang))
        return messages.message(lang, "notice-moved", episodes=_shown(notice, moved, lang), **args)
    if notice.kind == "removed":
        def removed(e):
            assert e[1] is not None
            return messages.message(lang, "notice-removed-episode", episode=e[0], when=When(_at(e[1]), zone, lang=lang))
        return messages.message(lang, "notice-removed", episodes=_shown(notice, removed, lang), **args)
    if notice.kind == "added":
        def added(e):
            assert e[2] is not None
            return messages.message(lang, "notice-added-episode", episode=e[0], when=When(_at(e[2]), zone, lang=lang))
        return messages.message(lang, "notice-added", episodes=_shown(notice, added, lang), count=len(notice.episodes), **args)
    return messages.message(lang, "notice-ended", **args)
