"""News matching: which catalog shows and actors an article names.

One Aho-Corasick automaton holds every spelling of every name, normalised (case folded, accents,
spaces, hyphens and punctuation gone), plus the networks and cast names that serve as context.
An article's text is reduced the same way to its words run together, scanned once, and each hit
is kept only if it starts where a word starts and ends where a word ends (a Hangul name may be
followed by a particle in the same word). Then:

- longest match wins: a hit inside a longer hit ("Stranger" in "Stranger Things") is dropped;
- a name that is also an ordinary English word or phrase (see `is_ordinary`) counts only when
  the text quotes exactly that name, or writes it next to its show's network or cast (for a
  show) or one of its shows (for an actor) in the same sentence;
- nothing is fuzzy: a spelling the catalog does not list is not a match.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import ahocorasick
from wordfreq import zipf_frequency

from .names import PARTICLES, Target, _fold, _is_hangul, normalise, words

MIN_NEWS_PATTERN = 4  # shorter keys ("NOT", "Kim") match too many unrelated words in news
MIN_CONTEXT_PATTERN = 2  # networks are short ("tvN", "ENA"); they only ever add context
ORDINARY_ZIPF = 3.0  # a name this frequent in English text (once per million words) is an ordinary word
MAX_CONTEXT_GAP = 1  # words allowed between an ordinary title and its network or cast name
ZIPF_PER_WORD = 9.0  # zipf is log10 of frequency per billion words: a product of frequencies
# loses 9 per extra word
GIVEN_NAME_MARGIN = 0.5  # a one-word name at most this much more frequent (zipf) in English than in
# other languages is a given name ("Suzy", "Irene", "Lisa"), not an English word ("Rain", "Signal")
OTHER_LANGUAGES = ("de", "fr", "es", "it", "nl", "pt", "sv", "pl", "fi", "id", "tr", "cs")

_TOKEN = re.compile(r"[^\W_]+")
_SENTENCE_BREAK = re.compile(r"[.!?。…][\"'”’)\]]*\s|\n")
_QUOTES = {'"': '"”“', "“": "”\"“", "„": "“”\"", "”": "”\"", "'": "'’‘", "‘": "’'", "«": "»",
           # the brackets Korean, Chinese and Japanese outlets write titles in: <Signal>, 《Mouse》, 「Goblin」
           "<": ">", "〈": "〉", "《": "》", "「": "」", "『": "』"}


@lru_cache(maxsize=65536)
def _word_zipf(word: str, language: str = "en") -> float:
    return zipf_frequency(word, language)


def _english_words(name: str) -> list[str]:
    parts = words(name)
    return parts[1:] if len(parts) > 1 and parts[0] == "the" else parts


def english_zipf(name: str) -> float:
    """Estimated zipf frequency of `name` as English text: its words (a leading "The" dropped)
    taken as independent, so the sum of their zipf values minus 9 for each word after the first;
    or, when higher, the frequency of its words written as one ("Start-Up" is also "startup").
    "Signal" 4.6, "Healer" 3.3, "Start-Up" 3.8, "Vincenzo" 2.9, "Queen of Tears" -1.3."""
    parts = _english_words(name)
    if not parts or _is_hangul(name):
        return 0.0
    estimate = sum(_word_zipf(p) for p in parts) - ZIPF_PER_WORD * (len(parts) - 1)
    return max(estimate, _word_zipf("".join(parts))) if len(parts) > 1 else estimate


def is_given_name(word: str) -> bool:
    """A word used about as often in other languages as in English is a personal name ("Suzy",
    "Irene", "Lisa": names cross languages), not an English word ("Rain", "Joy": they do not):
    its English zipf is at most GIVEN_NAME_MARGIN above its median over OTHER_LANGUAGES."""
    others = sorted(_word_zipf(word, language) for language in OTHER_LANGUAGES)
    middle = len(others) // 2
    median = (others[middle - 1] + others[middle]) / 2 if len(others) % 2 == 0 else others[middle]
    return _word_zipf(word) - median <= GIVEN_NAME_MARGIN


def is_ordinary(name: str) -> bool:
    """True when `name` is also an ordinary English word or phrase (estimate >= ORDINARY_ZIPF),
    unless it is one word that is a personal name (`is_given_name`)."""
    if english_zipf(name) < ORDINARY_ZIPF:
        return False
    parts = _english_words(name)
    return not (len(parts) == 1 and is_given_name(parts[0]))


def _compact(name: str) -> set[str]:
    """The automaton keys of one spelling: its words run together, with and without a leading "The"."""
    return {key for key in (normalise(name), "".join(words(name))) if key}


@dataclass
class _Pattern:
    """What one normalised spelling means: the targets it names and the shows it gives context to."""

    length: int
    hangul: bool
    targets: set[Target]
    ordinary: bool
    context_of: set[Target]


@dataclass(frozen=True)
class _Hit:
    first: int  # index of the first word
    last: int  # index of the last word
    start: int  # offsets in the compact text
    end: int
    pattern: _Pattern


class _Text:
    """One text reduced for matching: folded, its words, and those words run together."""

    def __init__(self, text: str):
        self.folded = _fold(text)
        self.spans = [m.span() for m in _TOKEN.finditer(self.folded)]
        self.compact = "".join(self.folded[s:e] for s, e in self.spans)
        self.word_starts: list[int] = []  # compact offset where each word starts
        self.first_word: dict[int, int] = {}
        self.last_word: dict[int, int] = {}
        pos = 0
        for i, (s, e) in enumerate(self.spans):
            self.word_starts.append(pos)
            self.first_word[pos] = i
            pos += e - s
            self.last_word[pos] = i
        self._layout: tuple[list[int], list[int]] | None = None

    def hits(self, automaton: ahocorasick.Automaton) -> list[_Hit]:
        """Every pattern occurrence that starts and ends on word boundaries (Hangul: or before a particle)."""
        found = []
        for end_index, pattern in automaton.iter(self.compact):
            end = end_index + 1
            start = end - pattern.length
            first = self.first_word.get(start)
            if first is None:
                continue
            last = self.last_word.get(end)
            if last is None:
                if not pattern.hangul:
                    continue
                last = bisect_right(self.word_starts, end - 1) - 1
                s, e = self.spans[last]
                if self.compact[end : self.word_starts[last] + e - s] not in PARTICLES:
                    continue
            found.append(_Hit(first, last, start, end, pattern))
        return found

    def quoted(self, hit: _Hit) -> bool:
        """The hit is exactly a quoted span: “Signal”, "Signal," or 'Signal.'; or a bracketed one: <Signal>."""
        text, start, end = self.folded, self.spans[hit.first][0], self.spans[hit.last][1]
        if start == 0 or text[start - 1] not in _QUOTES or (start > 1 and text[start - 2].isalnum()):
            return False
        if end < len(text) and text[end] in ",.":
            end += 1
        return (
            end < len(text)
            and text[end] in _QUOTES[text[start - 1]]
            and (end + 1 == len(text) or not text[end + 1].isalnum())
        )

    def adjacent(self, a: _Hit, b: _Hit) -> bool:
        """At most MAX_CONTEXT_GAP words between the two hits (a possessive "s" not counted),
        in one sentence."""
        sentence, rank = self._sentences_and_ranks()
        left, right = (a, b) if a.last < b.first else (b, a)
        if left.last >= right.first:
            return False
        between = rank[right.first] - rank[left.last] - 1
        return sentence[left.last] == sentence[right.first] and between <= MAX_CONTEXT_GAP

    def _sentences_and_ranks(self) -> tuple[list[int], list[int]]:
        if self._layout is None:
            sentence, rank = [], []
            s = r = prev = 0
            for i, (start, end) in enumerate(self.spans):
                gap = self.folded[prev:start]
                if i and _SENTENCE_BREAK.search(gap):
                    s += 1
                if not (end - start == 1 and self.folded[start] == "s" and gap in ("'", "’")):
                    r += 1
                sentence.append(s)
                rank.append(r)
                prev = end
            self._layout = (sentence, rank)
        return self._layout


class NewsMatcher:
    """Finds every target an article names; built once per catalog, one automaton pass per text.

    `names` are (spelling, target) pairs; `context` gives, per target, the names that show the
    text means that target when its name is an ordinary word: a show's network and cast, an
    actor's shows. Spellings shorter than four letters (Hangul: two syllables) are not matched.
    """

    def __init__(self, names: Iterable[tuple[str, Target]], *, context: Mapping[Target, Iterable[str]] | None = None):
        patterns: dict[str, _Pattern] = {}

        def pattern(key: str) -> _Pattern:
            if key not in patterns:
                patterns[key] = _Pattern(len(key), _is_hangul(key), set(), False, set())
            return patterns[key]

        for name, target in names:
            ordinary = is_ordinary(name)
            for key in _compact(name):
                if len(key) >= MIN_NEWS_PATTERN or (_is_hangul(key) and len(key) >= 2):
                    p = pattern(key)
                    p.targets.add(target)
                    p.ordinary = p.ordinary or ordinary
        for target, hints in (context or {}).items():
            for hint in hints:
                for key in _compact(hint):
                    if len(key) >= MIN_CONTEXT_PATTERN:
                        pattern(key).context_of.add(target)
        self._automaton = ahocorasick.Automaton()
        for key, p in patterns.items():
            self._automaton.add_word(key, p)
        self._empty = not patterns
        if not self._empty:
            self._automaton.make_automaton()

    def find(self, *texts: str) -> set[Target]:
        found: set[Target] = set()
        if self._empty:
            return found
        for raw in texts:
            if raw:
                found |= self._find(_Text(raw))
        return found

    def _find(self, text: _Text) -> set[Target]:
        hits = text.hits(self._automaton)
        found: set[Target] = set()
        for hit in _longest(h for h in hits if h.pattern.targets):
            if not hit.pattern.ordinary:
                found |= hit.pattern.targets
            elif text.quoted(hit):
                found |= hit.pattern.targets
            else:
                found |= {
                    t for t in hit.pattern.targets
                    if any(t in h.pattern.context_of and text.adjacent(hit, h) for h in hits)
                }
        return found


def _longest(hits: Iterable[_Hit]) -> list[_Hit]:
    """The hits not inside a longer hit: "Stranger" within "Stranger Things" goes."""
    kept: list[_Hit] = []
    reach = -1
    for hit in sorted(hits, key=lambda h: (h.start, -h.end)):
        if hit.end <= reach:
            continue
        kept.append(hit)
        reach = hit.end
    return kept
