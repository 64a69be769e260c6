"""Name normalisation and fuzzy lookup for commands; the text helpers news matching shares.

One normal form serves both: case folded, accents and punctuation gone, spaces and hyphens
gone, a leading English "The" dropped, and characters nobody sees (zero-width, bidi and control
characters: `bot.domain.sanitize`) ignored. "The Interest of Love", "interest-of-love" and
"INTEREST OF LOVE" are the same key; "Yoo Yeon Seok" and "Yoo Yeon-seok" too. Hangul
is kept as it is (after NFC). News matching itself lives in `bot.domain.news`.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from rapidfuzz import fuzz, process

from .i18n import DEFAULT_LANGUAGE, LANGUAGES, Language, catalogue
from .sanitize import matchable

FUZZY_ACCEPT = 80  # a misspelling this close is accepted when it clearly beats the rest
FUZZY_MARGIN = 8  # ...by at least this many points
FUZZY_SUGGEST = 60  # candidates at least this close are listed
# Korean particles that may follow a Hangul name in the same word ("유연석이", "여왕의"); any other
# ending makes another word ("지수" the name, not "지수형" or "지수화").
PARTICLES = frozenset(
    "이 가 은 는 을 를 의 와 과 도 만 에 에게 에서 께서 한테 로 으로 랑 이랑 이나 나 까지 부터 보다 처럼 같이 하고 "
    "이다 였다 이었다 이며 이고 이자 씨 씨가 씨는 씨의 씨와 측 측은 측이".split()
)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", matchable(text))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped).casefold()


def words(text: str) -> list[str]:
    """Maximal runs of letters and digits, folded: "Love’s" gives ["love", "s"]."""
    return re.findall(r"[^\W_]+", _fold(text))


def normalise(name: str) -> str:
    """The lookup key of a title or name."""
    parts = words(name)
    if len(parts) > 1 and parts[0] == "the":
        parts = parts[1:]
    return "".join(parts)


def _is_hangul(text: str) -> bool:
    return any("\uac00" <= c <= "\ud7a3" or "\u1100" <= c <= "\u11ff" or "\u3130" <= c <= "\u318f" for c in text)


@dataclass(frozen=True)
class Target:
    """Something a chat can follow: a show or an actor, by its catalog key."""

    kind: str  # "show" | "actor"
    key: str
    name: str  # display name


@dataclass(frozen=True)
class Lookup:
    """The answer to a name typed by a user: one target, or candidates to choose from."""

    target: Target | None
    candidates: tuple[Target, ...] = ()
    exact: bool = False  # the name typed is a title, name or alias (after normalisation), not a part or a misspelling


KIND_PREFIX = re.compile(r"^\s*([^\s:]{1,12})\s*:\s*(.*)$", re.DOTALL)
KINDS = ("show", "actor")


@cache
def kind_words() -> dict[str, str]:
    """Every language's word for a kind ("show", "드라마"), casefolded, to the kind it names."""
    texts = catalogue()
    return {texts.text(lang, f"kind-{kind}").casefold(): kind for lang in LANGUAGES for kind in KINDS} | {k: k for k in KINDS}


class NameIndex:
    """Finds the show or actor a user means, forgiving case, spacing, hyphens and small typos.

    A name several targets share goes to the one whose own name it is, over those that only
    have it as an alias; "show: X" or "actor: X" picks between a show and an actor of one name.
    A part of a name is enough when it starts at a word and only one target has it ("Attorney
    Woo", "우영우"); Hangul parts may be two syllables, others need three letters.
    """

    def __init__(self, names: Iterable[tuple[str, Target]]):
        self._by_key: dict[str, set[Target]] = {}
        self._word_starts: dict[str, set[int]] = {}
        for name, target in names:
            parts = words(name)
            spellings = [parts[1:], parts] if len(parts) > 1 and parts[0] == "the" else [parts]
            for spelled in spellings:  # "The X" is also found as one word ("#TheX", "The\u200bX")
                key = "".join(spelled)
                if not key:
                    continue
                self._by_key.setdefault(key, set()).add(target)
                starts = self._word_starts.setdefault(key, set())
                offset = 0
                for part in spelled:
                    starts.add(offset)
                    offset += len(part)
        self._keys = list(self._by_key)

    def lookup(self, text: str) -> Lookup:
        kind = None
        prefixed = KIND_PREFIX.match(text)
        if prefixed and prefixed.group(1).casefold() in kind_words():
            kind, text = kind_words()[prefixed.group(1).casefold()], prefixed.group(2)
        found = self._lookup(normalise(text))
        if kind is None:
            return found
        if found.target is not None:
            return found if found.target.kind == kind else Lookup(None)
        of_kind = tuple(t for t in found.candidates if t.kind == kind)
        return Lookup(of_kind[0], exact=found.exact) if len(of_kind) == 1 else Lookup(None, of_kind, found.exact)

    def label(self, target: Target, lang: Language = DEFAULT_LANGUAGE) -> str:
        """What to type to get exactly `target`: its name, or "show: name" / "actor: name" in the
        reader's language ("드라마: name"; every language's word is understood)."""
        if self.lookup(target.name).target == target:
            return target.name
        return f"{catalogue().text(lang, f'kind-{target.kind}')}: {target.name}"

    def _lookup(self, key: str) -> Lookup:
        if not key:
            return Lookup(None)
        exact = self._by_key.get(key)
        if exact:
            return self._pick(key, exact)
        if len(key) >= (2 if _is_hangul(key) else 3):
            containing = {t for k, ts in self._by_key.items() if self._starts_a_word(key, k) for t in ts}
            if len(containing) == 1:
                return Lookup(next(iter(containing)))
            if containing:
                return Lookup(None, self._sorted(containing))
        scored: dict[Target, float] = {}
        for k, score, _ in process.extract(key, self._keys, scorer=fuzz.ratio, limit=20):
            for target in self._by_key[k]:
                scored[target] = max(scored.get(target, 0.0), score)
        ranked = sorted(scored.items(), key=lambda item: (-item[1], item[0].name))
        if not ranked:
            return Lookup(None)
        best, best_score = ranked[0]
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        if best_score >= FUZZY_ACCEPT and best_score - runner_up >= FUZZY_MARGIN:
            return Lookup(best)
        suggestions = tuple(t for t, score in ranked if score >= FUZZY_SUGGEST)[:5]
        return Lookup(None, suggestions)

    def _starts_a_word(self, part: str, key: str) -> bool:
        starts = self._word_starts[key]
        at = key.find(part)
        while at != -1:
            if at in starts:
                return True
            at = key.find(part, at + 1)
        return False

    def _pick(self, key: str, targets: set[Target]) -> Lookup:
        if len(targets) == 1:
            return Lookup(next(iter(targets)), exact=True)
        own = [t for t in targets if normalise(t.name) == key]
        if len(own) == 1:
            return Lookup(own[0], exact=True)
        return Lookup(None, self._sorted(targets), exact=True)

    @staticmethod
    def _sorted(targets: Iterable[Target]) -> tuple[Target, ...]:
        return tuple(sorted(targets, key=lambda t: (t.kind != "show", t.name)))[:8]


_TAG_RE = re.compile(r"<[^>]*>")


def plain_text(fragment: str) -> str:
    """Article text without HTML tags or entities ("&#8220;Love&#8221;" becomes “Love”). Tags go
    first and entities are decoded once, so an escaped "&lt;Tell&gt;" stays text, not a tag."""
    return html.unescape(_TAG_RE.sub(" ", fragment or ""))
