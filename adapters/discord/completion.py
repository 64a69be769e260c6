"""Autocomplete for show and actor names: an index built once, answering in well under a millisecond.

Every name the catalog knows (titles, aliases, Hangul, actor names) is normalised the way the
core's lookup normalises typed text (case, accents, spaces, hyphens and a leading "The" do not
matter), sorted, and joined into one string. A query takes the names it starts (a binary
search), then names it occurs inside (`str.find` over the joined string, in C), until 25 distinct
targets are found. Each choice's value is the text that picks exactly its target in a command.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable

from bot.domain.names import normalise

MAX_CHOICES = 25  # Discord shows at most 25
MAX_LENGTH = 100  # a choice's name and value: at most 100 characters each


class NameCompleter:
    def __init__(self, names: Iterable[tuple[str, str]]):
        """`names`: (a name people may type, the text that picks its target)."""
        by_key: dict[str, list[tuple[str, str]]] = {}
        for name, value in names:
            key = normalise(name)
            if key and "\n" not in key and len(value) <= MAX_LENGTH:
                by_key.setdefault(key, []).append((name, value))
        self._keys = sorted(by_key)
        self._entries = [by_key[k] for k in self._keys]
        self._haystack = "\n".join(self._keys)
        self._offsets: list[int] = []
        offset = 0
        for key in self._keys:
            self._offsets.append(offset)
            offset += len(key) + 1

    def __len__(self) -> int:
        return len(self._keys)

    def complete(self, text: str, limit: int = MAX_CHOICES) -> list[tuple[str, str]]:
        """Up to `limit` (shown name, value) pairs for what the user has typed so far."""
        query = normalise(text[:MAX_LENGTH])
        if "\n" in query:
            return []
        if not query:
            return self._collect(range(len(self._keys)), limit)
        low = bisect_left(self._keys, query)
        high = bisect_right(self._keys, query + "\U0010ffff")
        found = self._collect(range(low, high), limit)
        if len(found) < limit:
            found += self._collect(self._inside(query, low, high), limit - len(found), {v for _, v in found})
        return found

    def _inside(self, query: str, skip_low: int, skip_high: int) -> Iterable[int]:
        """Indexes of keys that contain `query` past their first letter, in key order."""
        haystack, offsets = self._haystack, self._offsets
        at = haystack.find(query)
        while at != -1:
            index = bisect_right(offsets, at) - 1
            if not skip_low <= index < skip_high and at > offsets[index]:
                yield index
            at = haystack.find(query, offsets[index] + len(self._keys[index]) + 1)

    def _collect(self, indexes: Iterable[int], limit: int, seen: set[str] | None = None) -> list[tuple[str, str]]:
        seen = set() if seen is None else seen
        found: list[tuple[str, str]] = []
        for index in indexes:
            for name, value in self._entries[index]:
                if value in seen:
                    continue
                seen.add(value)
                shown = value if name == value else f"{name} → {value}"
                found.append((shown if len(shown) <= MAX_LENGTH else value, value))
                if len(found) >= limit:
                    return found
        return found
