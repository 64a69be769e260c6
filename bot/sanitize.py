"""Characters nobody sees, taken out of what the bot echoes and of names it matches.

A fan's input and a feed's text may carry control characters (a bell, an escape), bidirectional
controls (an unclosed U+202E RIGHT-TO-LEFT OVERRIDE flips the rest of the line it is echoed in)
and zero-width characters (U+200B between words, U+2060 or U+200D inside one). Pure functions:

- `visible(text)`: what may be echoed: controls (newlines kept, a tab made a space), bidi
  controls and zero-width characters gone; a zero-width joiner between two emoji (👩‍💻) stays.
- `matchable(text)`: what names are matched in: all of those gone, every joiner included, so
  "Yoo\u200bYeon\u2060Seok" is "YooYeonSeok".
"""

from __future__ import annotations

import re
import unicodedata

BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# soft hyphen, zero-width spaces and joiners, invisible operators, deprecated format controls,
# interlinear annotation marks
ZERO_WIDTH = "\u00ad\u180e\u200b\u200c\u2060\u2061\u2062\u2063\u2064\u206a\u206b\u206c\u206d\u206e\u206f\ufeff\ufff9\ufffa\ufffb"
ZWJ = "\u200d"

_CONTROLS = "".join(chr(c) for c in (*range(0x00, 0x20), *range(0x7F, 0xA0)) if chr(c) not in "\n\t")
_HIDDEN = re.compile(f"[{re.escape(_CONTROLS + BIDI_CONTROLS + ZERO_WIDTH)}]")
_HIDDEN_OR_JOINER = re.compile(f"[{re.escape(_CONTROLS + BIDI_CONTROLS + ZERO_WIDTH + ZWJ)}]")
_ANY_HIDDEN = re.compile(f"[\t{re.escape(_CONTROLS + BIDI_CONTROLS + ZERO_WIDTH + ZWJ)}]")


def _emoji(char: str) -> bool:
    return unicodedata.category(char) in ("So", "Sk") or char == "\ufe0f"


def visible(text: str) -> str:
    """`text` as it may be echoed: without control, bidi and zero-width characters (newlines kept,
    tabs made spaces), a zero-width joiner kept only between two emoji."""
    if not _ANY_HIDDEN.search(text):
        return text  # the usual case, at the cost of one scan
    text = _HIDDEN.sub("", text.replace("\t", " "))
    if ZWJ not in text:
        return text
    kept = [
        c for i, c in enumerate(text)
        if c != ZWJ or (0 < i < len(text) - 1 and _emoji(text[i - 1]) and _emoji(text[i + 1]))
    ]
    return "".join(kept)


def matchable(text: str) -> str:
    """`text` for matching names in: every control, bidi and zero-width character gone (joiners too)."""
    return _HIDDEN_OR_JOINER.sub("", text)
