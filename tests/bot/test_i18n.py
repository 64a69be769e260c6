"""The catalogues: every message in every language, with the same variables, renders; Korean
particles agree with the word before them; the language a chat reads is chosen in order."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from fluent.syntax import FluentParser, ast
from fluent.syntax.visitor import Visitor
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.i18n import LANGUAGES, LOCALES, Catalogue, catalogue, choose, said, stored_text
from bot.domain.josa import josa, particle
from bot.domain.render import Bold


class _Variables(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found: set[str] = set()

    def visit_VariableReference(self, node: ast.VariableReference) -> None:  # noqa: N802 (fluent's visitor names)
        self.found.add(node.id.name)
        self.generic_visit(node)


def variables(lang: str) -> dict[str, set[str]]:
    """Each message id of a language -> the variables its text uses."""
    found: dict[str, set[str]] = {}
    for path in sorted((LOCALES / lang).glob("*.ftl")):
        for entry in FluentParser().parse(path.read_text(encoding="utf-8")).body:
            assert not isinstance(entry, ast.Junk), f"{path}: {entry.annotations}"
            if isinstance(entry, ast.Message):
                visitor = _Variables()
                visitor.visit(entry)
                assert entry.id.name not in found, f"{lang}: {entry.id.name} twice"
                found[entry.id.name] = visitor.found
    return found


def test_every_message_exists_in_every_language_with_the_same_variables():
    english = variables("en")
    assert english, "no English messages found"
    for lang in LANGUAGES:
        assert variables(lang) == english, f"{lang} differs from English in its ids or variables"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_renders_in_both_languages_with_its_variables_given(lang):
    messages = catalogue()
    for msg_id, names in variables(lang).items():
        text = messages.text(lang, msg_id, **{name: "눈물의 여왕" for name in names})
        assert text.strip(), msg_id
        assert "{" not in text and "을(를)" not in text, (msg_id, text)


def test_a_missing_variable_is_an_error_not_a_hole():
    with pytest.raises(ValueError):
        catalogue().text("en", "help-line", usage="/help")


def test_a_span_argument_stays_a_span_and_the_particle_follows_its_text():
    message = catalogue().message("ko", "language-set", name=Bold("한국어"))
    assert message.spans == ("이제 여기서는 ", Bold("한국어"), "로 쓸게요.")


def test_a_stored_reason_is_written_in_its_readers_language_and_older_words_are_kept_as_they_are():
    stored = said("feed-error-http", status=503).stored()
    assert stored == 'feed-error-http {"status": 503}'
    assert stored_text("en", stored, prefix="feed-error-") == "HTTP 503"
    assert stored_text("ko", stored, prefix="feed-error-") == "서버가 오류 코드 503으로 답했어요"
    assert stored_text("ko", said("feed-error-not-feed").stored(), prefix="feed-error-") == "받은 문서가 RSS나 Atom 피드가 아니에요"
    for older in ("HTTP 500", "timed out after 20 s", "feed-error-http {not json", "feed-error-http {}", "help-line x"):
        assert stored_text("ko", older, prefix="feed-error-") == older  # stored before, or not what the message takes
    # a reason handed to a message as an argument is written in the message's language
    assert catalogue().text("ko", "feed-unreadable", url="https://x.test/feed", error=said("feed-error-malformed")) == (
        "https://x.test/feed: 읽을 수 있는 피드가 아니에요 (XML이 잘못되었거나 중간에 끊겼어요). 아무것도 추가하지 않았어요.")


def test_a_third_language_is_a_folder(tmp_path: Path):
    for lang in LANGUAGES:
        (tmp_path / lang).mkdir()
        (tmp_path / lang / "x.ftl").write_text(f"hello = hi in {lang}\n", encoding="utf-8")
    assert Catalogue.load(tmp_path).text("ko", "hello") == "hi in ko"


# ---- Korean particles -----------------------------------------------------------------------------

PARTICLE_CASES = [
    # a vowel ending, a consonant ending, ㄹ, Latin letters read as Korean readers say them, digits
    ("눈물의 여왕", "을", "눈물의 여왕을"), ("도깨비", "을", "도깨비를"), ("사랑의 불시착", "이", "사랑의 불시착이"),
    ("더 글로리", "는", "더 글로리는"), ("재벌집 막내아들", "과", "재벌집 막내아들과"), ("호텔 델루나", "와", "호텔 델루나와"),
    ("시그널", "으로", "시그널로"), ("마이 데몬", "로", "마이 데몬으로"), ("이태원 클라쓰", "으로", "이태원 클라쓰로"),
    ("Signal", "을", "Signal을"), ("Hotel", "으로", "Hotel로"), ("Kingdom", "이", "Kingdom이"), ("Vincenzo", "을", "Vincenzo를"),
    ("Start-Up", "은", "Start-Up은"), ("Queen of Tears", "와", "Queen of Tears와"), ("SKY Castle", "이", "SKY Castle이"), ("Nine Time", "는", "Nine Time은"), ("Little Women", "과", "Little Women과"),
    ("BTS", "를", "BTS를"), ("SBS", "가", "SBS가"), ("tvN", "을", "tvN을"), ("KBS2", "는", "KBS2는"), ("MBC", "이", "MBC가"),
    ("Reply 1988", "을", "Reply 1988을"), ("1987", "로", "1987로"), ("Chapter 3", "를", "Chapter 3을"),
    ("Episode 10", "가", "Episode 10이"), ("Mr. Sunshine!", "을", "Mr. Sunshine!을"), ("도깨비 (Goblin)", "이", "도깨비 (Goblin)이"),
]


@pytest.mark.parametrize("word, given_form, expected", PARTICLE_CASES)
def test_particle_agrees_with_the_last_syllable(word, given_form, expected):
    assert josa(word, given_form) == expected


hangul = st.integers(0xAC00, 0xD7A3).map(chr)


@given(st.text(alphabet=hangul, min_size=0, max_size=5), hangul, st.sampled_from(["을", "이", "은", "과", "으로"]))
def test_particle_property_over_generated_hangul(prefix, last, consonant_form):
    final = (ord(last) - 0xAC00) % 28
    chosen = particle(prefix + last, consonant_form)
    vowel_form = {"을": "를", "이": "가", "은": "는", "과": "와", "으로": "로"}[consonant_form]
    if consonant_form == "으로":
        assert chosen == ("로" if final in (0, 8) else "으로")
    else:
        assert chosen == (vowel_form if final == 0 else consonant_form)
    assert particle(prefix + last, vowel_form) == chosen  # either form as written gives the same
    assert "(" not in chosen


# ---- which language ----------------------------------------------------------------------------------


def test_the_saved_choice_wins_then_the_writers_app_then_the_config():
    assert choose(saved="ko", platform="en-US", default="en") == "ko"
    assert choose(saved=None, platform="ko", default="en") == "ko"
    assert choose(saved=None, platform="ko-KR", default="en") == "ko"
    assert choose(saved=None, platform=None, default="ko") == "ko"
    assert choose(saved=None, platform="fr", default="ko") == "en"  # a French client reads English
    assert choose(saved=None, platform=None, default="de") == "en"


def test_a_korean_reader_sees_title_ko_else_the_first_hangul_alias_else_the_title():
    from bot.domain.catalog import parse_catalog
    from bot.domain.i18n import title_in

    shows = parse_catalog({"shows": [
        {"title": "Queen of Tears", "title_ko": "눈물의 여왕", "aliases": ["Nunmului Yeowang", "여왕"],
         "timezone": "Asia/Seoul", "days": ["sat"], "time": "21:10", "premiere": date(2024, 3, 9), "episodes": 16},
        {"title": "The Interest of Love", "aliases": ["Understanding of Love", "사랑의 이해"],
         "timezone": "Asia/Seoul", "days": ["wed"], "time": "22:30", "premiere": date(2022, 12, 21), "episodes": 16},
        {"title": "Night Owl", "aliases": ["Owl"], "timezone": "Asia/Seoul", "days": ["wed"], "time": "22:30",
         "premiere": date(2022, 12, 21), "episodes": 16},
    ]}).shows
    seen = {key: title_in("ko", show.title, show.aliases) for key, show in shows.items()}
    assert sorted(seen.values()) == ["Night Owl", "눈물의 여왕", "사랑의 이해"]
    assert {title_in("en", show.title, show.aliases) for show in shows.values()} == {
        "Queen of Tears", "The Interest of Love", "Night Owl"}
    assert shows["queenoftears"].aliases[0] == "눈물의 여왕"  # and fans can type it
