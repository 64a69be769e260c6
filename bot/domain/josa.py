"""Korean particles that agree with the word before them: 을/를, 이/가, 은/는, 과/와, 으로/로.

The form depends on whether the word's last syllable ends in a consonant (a final, 받침), and
for 으로/로 whether that final is ㄹ. A Hangul ending is read from the syllable; a Latin or digit
ending is read as Korean readers say it ("Kingdom" 킹덤 ends in ㅁ, "Hotel" 호텔 in ㄹ, "2" 이
in a vowel, "7" 칠 in ㄹ). Trailing punctuation is skipped. No hedged "을(를)" is ever written.
"""

from __future__ import annotations

from typing import Literal

Ending = Literal["vowel", "consonant", "rieul"]

# particle as a translator writes it -> (after a consonant, after a vowel)
PAIRS: dict[str, tuple[str, str]] = {
    "을": ("을", "를"), "를": ("을", "를"),
    "이": ("이", "가"), "가": ("이", "가"),
    "은": ("은", "는"), "는": ("은", "는"),
    "과": ("과", "와"), "와": ("과", "와"),
    "으로": ("으로", "로"), "로": ("으로", "로"),
    "이나": ("이나", "나"), "나": ("이나", "나"),
    "이라": ("이라", "라"), "라": ("이라", "라"),
}

HANGUL_FIRST, HANGUL_LAST = 0xAC00, 0xD7A3
RIEUL_FINAL = 8  # index of ㄹ among the 28 finals (0: none)

# how Korean readers say a digit when it ends a number: 일 칠 팔 end in ㄹ; 영 삼 육 십 백 천 만 in another consonant
DIGITS: dict[str, Ending] = {
    "0": "consonant", "1": "rieul", "2": "vowel", "3": "consonant", "4": "vowel",
    "5": "vowel", "6": "consonant", "7": "rieul", "8": "rieul", "9": "vowel",
}
# a capital letter spelt out (an acronym like "SKY"): 엘 알 end in ㄹ, 엠 엔 in another consonant
LETTER_NAMES: dict[str, Ending] = {"L": "rieul", "R": "rieul", "M": "consonant", "N": "consonant"}
VOWELS = set("aeiouy")


def ending(word: str) -> Ending:
    """How `word` ends when read aloud in Korean (a word with no letter or digit: a vowel)."""
    text = word.rstrip()
    end = len(text)
    while end and not text[end - 1].isalnum():
        end -= 1
    if not end:
        return "vowel"
    last = text[end - 1]
    code = ord(last)
    if HANGUL_FIRST <= code <= HANGUL_LAST:
        final = (code - HANGUL_FIRST) % 28
        return "vowel" if final == 0 else "rieul" if final == RIEUL_FINAL else "consonant"
    if last in DIGITS:
        return DIGITS[last]
    if last.isascii() and last.isalpha():
        return _latin(text[:end])
    return "vowel"


def _latin(text: str) -> Ending:
    run = text
    start = len(run)
    while start and run[start - 1].isascii() and run[start - 1].isalpha():
        start -= 1
    word = run[start:]
    if len(word) > 1 and word.isupper():  # an acronym is spelt letter by letter
        return LETTER_NAMES.get(word[-1], "vowel")
    low = word.lower()
    if len(low) > 2 and low[-1] == "e" and low[-2] in "lmn":
        low = low[:-1]  # a silent e: Castle 캐슬, Time 타임, Sunshine 선샤인
    if low.endswith("l"):
        return "rieul"  # Hotel 호텔, Signal 시그널, Castle 캐슬
    if low.endswith(("m", "n", "ng")):
        return "consonant"  # Kingdom 킹덤, Queen 퀸
    if len(low) > 1 and low[-1] in "kpt" and low[-2] in VOWELS or low.endswith("ck"):
        return "consonant"  # Start-Up 스타트업, Black 블랙
    if len(low) == 1:
        return LETTER_NAMES.get(low.upper(), "vowel")
    return "vowel"  # Vincenzo 빈센조, Mister 미스터, Tree 트리


def particle(word: str, given: str) -> str:
    """The form of `given` (either form of a pair) that agrees with `word`."""
    after_consonant, after_vowel = PAIRS[given]
    end = ending(word)
    if after_consonant == "으로":
        return after_consonant if end == "consonant" else after_vowel
    return after_vowel if end == "vowel" else after_consonant


def josa(word: str, given: str) -> str:
    """`word` followed by the agreeing particle: josa("눈물의 여왕", "을") == "눈물의 여왕을"."""
    return f"{word}{particle(word, given)}"
