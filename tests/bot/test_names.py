"""Names: what a fan types after /subscribe, and which shows and actors a news article mentions."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.catalog import Catalog, load_catalog, parse_catalog
from bot.names import NameIndex, Target, normalise, plain_text, words
from bot.news import NewsMatcher

INTEREST = Target("show", "interestoflove", "The Interest of Love")
WOO = Target("show", "extraordinaryattorneywoo", "Extraordinary Attorney Woo")
QUEEN = Target("show", "queenoftears", "Queen of Tears")
BONG_SOON = Target("show", "strongwomandobongsoon", "Strong Woman Do Bong Soon")
YOO = Target("actor", "yooyeonseok", "Yoo Yeon Seok")
MOON = Target("actor", "moongayoung", "Moon Ga Young")
GEUM = Target("actor", "geumsaerok", "Geum Sae Rok")
JUNG = Target("actor", "junggaram", "Jung Ga Ram")
KANG_TAE_OH = Target("actor", "kangtaeoh", "Kang Tae Oh")
JI_SOO = Target("actor", "jisoo", "Ji Soo")


@lru_cache(maxsize=1)
def catalog() -> Catalog:
    return load_catalog()


def lookup(text: str):
    return catalog().names.lookup(text)


def news(*texts: str) -> set[Target]:
    return catalog().news.find(*texts)


# ---- normalise ------------------------------------------------------------------------------


@pytest.mark.parametrize("spelling", ["The Interest of Love", "interest-of-love", "INTEREST OF LOVE", "the  interest of love!"])
def test_title_spellings_share_one_key(spelling):
    assert normalise(spelling) == "interestoflove"


@pytest.mark.parametrize("spelling", ["Yoo Yeon Seok", "Yoo Yeon-seok", "yoo yeonseok", "YOO-YEON-SEOK"])
def test_actor_spellings_share_one_key(spelling):
    assert normalise(spelling) == "yooyeonseok"


def test_hangul_is_kept_without_spaces():
    assert normalise("사랑의 이해") == "사랑의이해"
    assert normalise("유연석") == "유연석"


def test_accents_go_and_a_lone_the_stays():
    assert normalise("Théâtre") == "theatre"
    assert normalise("The") == "the"  # a title that is only "The" keeps it
    assert normalise("There Be Dragons") == "therebedragons"  # only the word "The" is dropped
    assert normalise("!!!") == ""


def test_words_split_on_punctuation():
    assert words("Yoo Yeon-seok’s") == ["yoo", "yeon", "seok", "s"]


@given(st.text(max_size=40))
def test_normalise_is_idempotent_and_has_no_spaces_or_punctuation(text):
    key = normalise(text)
    assert all(c.isalnum() for c in key)
    assert normalise(key) == key


# ---- NameIndex.lookup -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, target",
    [
        ("The Interest of Love", INTEREST),
        ("the interest of love", INTEREST),
        ("INTEREST-OF-LOVE", INTEREST),
        ("사랑의 이해", INTEREST),
        ("사랑의이해", INTEREST),
        ("Understanding of Love", INTEREST),
        ("Attorney Woo", WOO),
        ("우영우", WOO),  # a part of the Hangul title that only one show contains
        ("눈물의 여왕", QUEEN),
        ("Strong Girl Bong-soon", BONG_SOON),
        ("Yoo Yeon Seok", YOO),
        ("yoo yeon-seok", YOO),
        ("유연석", YOO),
        ("Moon Ka-young", MOON),
        ("Keum Sae-rok", GEUM),
        ("Jeong Ga-ram", JUNG),
        ("Jisoo", JI_SOO),
        ("지수", JI_SOO),
    ],
)
def test_fan_finds_a_show_or_actor_by_any_known_name(typed, target):
    assert lookup(typed).target == target
    assert lookup(typed).candidates == ()


@pytest.mark.parametrize(
    "typed, target", [("Intrest of Love", INTEREST), ("Interest of Lvoe", INTEREST), ("Moon Ga Yong", MOON)]
)
def test_close_misspelling_is_accepted(typed, target):
    assert lookup(typed).target == target


def test_misspelling_equally_close_to_two_names_is_not_guessed():
    won, woo = Target("actor", "kimjiwon", "Kim Ji Won"), Target("actor", "kimjiwoo", "Kim Ji Woo")
    found = NameIndex([("Kim Ji Won", won), ("Kim Ji Woo", woo)]).lookup("Kim Ji Wox")
    assert found.target is None
    assert found.candidates == (won, woo)


def test_misspelling_not_close_enough_to_anyone_only_suggests():
    found = lookup("Kang Tae Young")
    assert found.target is None
    assert [t.name for t in found.candidates] == ["Kang Ki Young", "Kang Tae Oh", "Moon Ga Young"]


def test_ambiguous_surname_kim_lists_candidates_and_picks_none():
    found = lookup("Kim")
    assert found.target is None
    assert [t.name for t in found.candidates] == ["Kim Ji Won", "Kim Soo Hyun"]


def test_ambiguous_surname_park_lists_every_park():
    found = lookup("Park")
    assert found.target is None
    assert [t.name for t in found.candidates] == ["Park Bo Young", "Park Eun Bin", "Park Hyung Sik", "Park Sung Hoon"]


@pytest.mark.parametrize("typed", ["zzzzqqq", "Narnia Chronicles", "", "!!!", "x" * 10_000])
def test_nonsense_finds_nothing(typed):
    assert lookup(typed).target is None
    assert lookup(typed).candidates == ()


def test_name_shared_by_a_show_and_an_actor_lists_the_show_first():
    shared = Target("show", "jisoo", "Jisoo")
    index = NameIndex([("Jisoo", shared), ("Ji Soo", JI_SOO)])
    found = index.lookup("ji-soo")
    assert found.target is None
    assert found.candidates == (shared, JI_SOO)


def test_show_or_actor_prefix_picks_between_a_show_and_an_actor_of_one_name():
    shared = Target("show", "jisoo", "Jisoo")
    index = NameIndex([("Jisoo", shared), ("Ji Soo", JI_SOO)])
    assert index.lookup("show: jisoo").target == shared
    assert index.lookup("Actor:Ji-Soo").target == JI_SOO
    assert [index.label(t) for t in index.lookup("jisoo").candidates] == ["show: Jisoo", "actor: Ji Soo"]


def test_a_name_goes_to_whoever_it_belongs_to_over_an_alias_of_someone_else():
    alias_holder = Target("show", "sisters", "Little Sisters")
    index = NameIndex([("Little Sisters", alias_holder), ("Jisoo", alias_holder), ("Jisoo", JI_SOO)])
    assert index.lookup("jisoo").target == JI_SOO


@pytest.mark.parametrize("typed", ["ove", "ter", "eon"])
def test_a_few_letters_inside_a_word_are_not_taken_for_a_name(typed):
    assert lookup(typed).target is None


@pytest.mark.parametrize("typed, target", [("love", INTEREST), ("사랑", INTEREST), ("눈물", QUEEN)])
def test_the_start_of_a_word_only_one_name_has_is_enough(typed, target):
    assert lookup(typed).target == target


ALL_NAMES = sorted(name for name, _ in catalog().named_targets())
pieces_of_names = st.builds(
    lambda name, i, j: name[min(i, j) : max(i, j)], st.sampled_from(ALL_NAMES), st.integers(0, 25), st.integers(0, 25)
)


@given(st.one_of(pieces_of_names, st.text(min_size=1, max_size=12)))
@settings(max_examples=400, deadline=None)
def test_every_candidate_offered_can_be_typed_to_get_exactly_it(typed):
    index = catalog().names
    for candidate in index.lookup(typed).candidates:
        assert index.lookup(index.label(candidate)).target == candidate


def test_short_alias_works_in_commands():
    night_owl = parse_catalog(
        {"shows": [{"title": "Night Owl Test", "aliases": ["NOT"], "days": ["sun"], "time": "23:50",
                    "premiere": date(2026, 3, 1), "episodes": 4}]}
    )
    assert night_owl.names.lookup("not").target == Target("show", "nightowltest", "Night Owl Test")


# ---- NewsMatcher.find -----------------------------------------------------------------------


def test_title_in_curly_quotes_written_as_numeric_entities():
    assert news("&#8220;The Interest of Love&#8221; tops the ratings") == {INTEREST}


def test_html_tags_in_a_summary_are_not_text():
    # a field the feed marks as HTML reaches the matcher as text: bot.feeds takes the tags off
    assert news(plain_text("<p>Star <b>Yoo Yeon-seok</b> talks about his role</p>")) == {YOO}
    assert news(plain_text("Interview<br/>Moon<i>Ga</i>Young")) == {MOON}  # tags separate words


def test_escaped_tags_are_still_not_text():
    assert news("&lt;b&gt;Kang Tae Oh&lt;/b&gt; returns") == {KANG_TAE_OH}


@pytest.mark.parametrize(
    "text",
    ["Yoo Yeon-seok’s new drama", "Yoo Yeon-seok&#8217;s new drama", "YOO YEON SEOK", "yoo yeonseok", "유연석이 출연한다"],
)
def test_every_spelling_of_an_actor_in_news(text):
    assert news(text) == {YOO}


def test_several_names_in_one_article_and_across_title_and_summary():
    assert news("Park Bo Young and Park Hyung Sik reunite") == {
        Target("actor", "parkboyoung", "Park Bo Young"),
        Target("actor", "parkhyungsik", "Park Hyung Sik"),
    }
    assert news("Ratings news", "featuring Geum Sae-rok and Jung Ga-ram") == {GEUM, JUNG}


def test_hangul_title_with_a_particle():
    assert news("눈물의 여왕이 종영했다") == {QUEEN}


@pytest.mark.parametrize("text", ["지수가 출연한다", "배우 지수의 새 드라마", "지수 씨", "지수씨가 웃었다"])
def test_two_syllable_hangul_name_with_a_particle_counts(text):
    assert news(text) == {JI_SOO}


@pytest.mark.parametrize("text", ["주가지수가 올랐다", "지수형 함수", "지수화되었다"])
def test_two_syllable_hangul_name_inside_another_word_does_not_count(text):
    assert news(text) == set()


@pytest.mark.parametrize(
    "text",
    [
        "Moonlight sonata",  # starts like Moon Ga Young, is another word
        "Jung Ga Rams",  # a name must end where a word ends
        "Makang Tae Oh",  # ...and start where a word starts
        "Attorney Woolf",
        "Queen of Tearsheet",
        "discussing the interest of lovebirds",
        "Jisoos",
        "Kim and Park attended",  # surnames alone are no one
        "",
    ],
)
def test_names_only_count_on_word_boundaries(text):
    assert news(text) == set()


def test_name_ending_a_word_before_a_possessive_counts():
    assert news("Jung Ga Ram's debut") == {JUNG}
    assert news("Ma Kang Tae Oh") == {KANG_TAE_OH}


def test_short_alias_is_not_matched_in_news():
    night_owl = parse_catalog(
        {"shows": [{"title": "Night Owl Test", "aliases": ["NOT"], "days": ["sun"], "time": "23:50",
                    "premiere": date(2026, 3, 1), "episodes": 4}]}
    )
    assert night_owl.news.find("This is NOT a drama", "not at all") == set()
    assert night_owl.news.find("Night Owl Test airs tonight") == {Target("show", "nightowltest", "Night Owl Test")}


def test_short_attorney_woo_name_is_not_matched_alone():
    assert news("Woo hoo!") == set()
    assert news("Attorney Woo season 2") == {WOO}


def test_matcher_with_no_names_finds_nothing():
    assert NewsMatcher([]).find("The Interest of Love") == set()


def test_plain_text_unescapes_and_strips_tags():
    assert plain_text("&#8220;Love&#8221; <b>now</b>") == "“Love”  now "
    assert plain_text(None) == ""


def test_article_text_keeps_escaped_angle_brackets_as_text_and_drops_real_tags():
    assert plain_text("Kiss &amp; &lt;Tell&gt; <b>returns</b>") == "Kiss & <Tell>  returns "
    assert plain_text("&#8220;Love&#8221;") == "\u201cLove\u201d"
