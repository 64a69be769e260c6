"""Every text a person reads, in their language: one Fluent catalogue per language under
`bot/locales/<lang>/*.ftl`, which a translator edits without touching Python.

`Catalogue.message(lang, id, **args)` builds a neutral `Message`: an argument may be a span
(`Bold`, `Link`, `When`, `Countdown`) and stays one; Korean messages call `JOSA($title, "을")`
(bot.domain.josa) so the particle agrees with the title. A third language is a third folder.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal, NamedTuple, cast

from fluent.runtime import FluentBundle, FluentResource

from .josa import josa
from .render import Bold, Countdown, Link, Message, Span, When

Language = Literal["en", "ko"]
LANGUAGES: tuple[Language, ...] = ("en", "ko")
DEFAULT_LANGUAGE: Language = "en"
NAMES: dict[Language, str] = {"en": "English", "ko": "한국어"}
LOCALES = Path(__file__).resolve().parents[1] / "locales"

# a span argument travels through Fluent as "\ue000<n>\ue001<its text>\ue002" (JOSA reads the text)
_SPAN = re.compile("\ue000(\\d+)\ue001[^\ue002]*\ue002")


class Said(NamedTuple):
    """A text to be written later in its reader's language: a message id and its values
    (a reason the app gives that a command's reply quotes)."""

    msg_id: str
    values: tuple[tuple[str, Any], ...] = ()

    def stored(self) -> str:
        """One line for a text column, read back by `stored_text`: the id, then its values as JSON
        ('feed-error-http {"status": 500}')."""
        return f"{self.msg_id} {json.dumps(dict(self.values), ensure_ascii=False)}" if self.values else self.msg_id


def said(msg_id: str, **values: Any) -> Said:
    return Said(msg_id, tuple(values.items()))


class SaidError(Exception):
    """A failure whose reason comes twice: in plain words for the log (`str(error)`), and as
    `said`, the same for a reader, a message id of the catalogues with its values."""

    def __init__(self, text: str, msg_id: str, **values: Any):
        super().__init__(text)
        self.said = said(msg_id, **values)


def language_of(code: str | None) -> Language | None:
    """The catalogue language a platform's code names ("ko", "ko-KR", "en_US", "한국어"), or None."""
    if not code:
        return None
    word = code.strip().casefold().replace("_", "-").split("-")[0]
    for lang, name in NAMES.items():
        if word in (lang, name.casefold()):
            return lang
    return None


def choose(*, saved: str | None, platform: str | None, default: str | None) -> Language:
    """A chat's saved choice wins, then the writer's platform language, then the config; any
    language without a catalogue (French, say) reads English."""
    if saved:
        return language_of(saved) or DEFAULT_LANGUAGE
    if platform:
        return language_of(platform) or DEFAULT_LANGUAGE
    return language_of(default) or DEFAULT_LANGUAGE


def title_in(lang: Language, title: str, aliases: Sequence[str], korean: str = "") -> str:
    """A show's or actor's name as a reader of `lang` knows it: for Korean, its Korean title
    (`korean`, else the first alias written in Hangul), else the title; data, never translated."""
    if lang == "ko":
        return korean or next((a for a in aliases if any("\uac00" <= c <= "\ud7a3" for c in a)), title)
    return title


def _josa(word: Any, given: Any) -> str:
    return josa(str(word), str(given))


def _span_text(span: Span | Message) -> str:
    if isinstance(span, Message):
        return "".join(_span_text(s) for s in span.spans)
    if isinstance(span, str):
        return span
    if isinstance(span, (Bold, Link)):
        return span.text
    return "0"  # a time reads as a number


@dataclass(frozen=True)
class Catalogue:
    bundles: Mapping[Language, FluentBundle]
    ids: Mapping[Language, frozenset[str]]

    @classmethod
    def load(cls, root: Path = LOCALES) -> Catalogue:
        bundles: dict[Language, FluentBundle] = {}
        ids: dict[Language, frozenset[str]] = {}
        for lang in LANGUAGES:
            bundle = FluentBundle([lang], functions={"JOSA": _josa}, use_isolating=False)  # type: ignore[dict-item]
            names: set[str] = set()
            for path in sorted((root / lang).glob("*.ftl")):
                resource = FluentResource(path.read_text(encoding="utf-8"))
                names.update(entry.id.name for entry in resource.body if hasattr(entry, "id") and not _is_term(entry))
                bundle.add_resource(resource)
            bundles[lang], ids[lang] = bundle, frozenset(names)
        return cls(bundles=bundles, ids=ids)

    def text(self, lang: Language, msg_id: str, **args: Any) -> str:
        """One message as plain text (a menu's description, a button's label)."""
        spans: list[Span | Message] = []
        return _join(self._format(lang, msg_id, args, spans=spans))

    def message(self, lang: Language, msg_id: str, **args: Any) -> Message:
        """One message as spans: span arguments stay spans (a `Message` argument, its spans)."""
        spans: list[Span | Message] = []
        text = self._format(lang, msg_id, args, spans=spans)
        return Message(tuple(_split(text, spans)))

    def _format(self, lang: Language, msg_id: str, args: Mapping[str, Any], *, spans: list[Span | Message]) -> str:
        values: dict[str, Any] = {}
        for key, value in args.items():
            if isinstance(value, Said):  # a reason given for later: written in the same language
                value = self.text(lang, value.msg_id, **dict(value.values))
            if isinstance(value, (Bold, Link, When, Countdown, Message)):
                spans.append(value)
                values[key] = f"\ue000{len(spans) - 1}\ue001{_span_text(value)}\ue002"
            else:
                values[key] = value
        bundle = self.bundles[lang] if msg_id in self.ids[lang] else self.bundles[DEFAULT_LANGUAGE]
        message = bundle.get_message(msg_id)
        if message.value is None:
            raise KeyError(msg_id)
        text, errors = bundle.format_pattern(message.value, values)
        if errors:
            raise ValueError(f"{lang}/{msg_id}: {errors}")
        return cast(str, text)


def _is_term(entry: object) -> bool:
    return type(entry).__name__ == "Term"


def _split(text: str, spans: list[Span | Message]) -> list[Span]:
    out: list[Span] = []
    at = 0
    for match in _SPAN.finditer(text):
        if match.start() > at:
            out.append(text[at:match.start()])
        span = spans[int(match.group(1))]
        out.extend(span.spans if isinstance(span, Message) else (span,))
        at = match.end()
    if at < len(text):
        out.append(text[at:])
    return out


def _join(text: str) -> str:
    return _SPAN.sub(lambda m: m.group(0)[m.group(0).index("\ue001") + 1:-1], text)


def stored_reason(lang: Language, reason: str) -> str:
    """A stored reason (a chat's pause) in `lang`: a message id of the catalogues, with its detail
    after a space ("pause-lost-permission 50013: Missing Access"), is written out; anything else
    (a platform's own words, a reason stored before) is quoted as it is in a sentence of `lang`."""
    msg_id, _, detail = reason.partition(" ")
    if msg_id.startswith("pause-") and msg_id in catalogue().ids[DEFAULT_LANGUAGE]:
        return catalogue().text(lang, msg_id, detail=detail)
    return catalogue().text(lang, "pause-as-said", detail=reason)


def stored_text(lang: Language, stored: str, *, prefix: str) -> str:
    """A text kept in the store (a feed's last error) in `lang`: what `Said.stored` wrote, for a
    message id starting with `prefix`, is written out; anything else (words stored before) is
    given as it is."""
    msg_id, _, values = stored.partition(" ")
    if not msg_id.startswith(prefix) or msg_id not in catalogue().ids[DEFAULT_LANGUAGE]:
        return stored
    try:
        parsed = json.loads(values) if values else {}
        return catalogue().text(lang, msg_id, **parsed) if isinstance(parsed, dict) else stored
    except ValueError:  # not JSON, or not the values the message takes
        return stored


@cache
def catalogue() -> Catalogue:
    """The installed catalogues, read once (immutable data, like the bundled show catalog)."""
    return Catalogue.load()
