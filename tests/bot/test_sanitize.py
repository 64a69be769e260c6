"""What the bot echoes carries no control, bidi or zero-width characters; names match without them."""

from bot.interfaces import Choice
from bot.names import NameIndex, Target, normalise
from bot.sanitize import matchable, visible

LOVE = Target("show", "interestoflove", "The Interest of Love")


def test_an_unclosed_right_to_left_override_is_not_echoed():
    assert visible("Nothing\u202eKnown") == "NothingKnown"
    assert visible("\u2066isolated\u2069 \u200fmark") == "isolated mark"


def test_controls_go_but_lines_stay_and_tabs_become_spaces():
    assert visible("bell\x07 esc\x1b[31m red\x9b\nnext\tline") == "bell esc[31m red\nnext line"


def test_zero_width_characters_go_but_an_emoji_sequence_keeps_its_joiner():
    assert visible("Yoo\u200bYeon\u2060Seok\ufeff soft\u00adhyphen") == "YooYeonSeok softhyphen"
    assert visible("fan \U0001F469\u200d\U0001F4BB and In\u200dterest") == "fan \U0001F469\u200d\U0001F4BB and Interest"


def test_ordinary_text_is_returned_as_it_is():
    text = "“The Interest of Love” 사랑의 이해 — Moon Ga Young & <Our Team>\n📰"
    assert visible(text) is text


def test_for_matching_every_invisible_character_goes_joiners_too():
    assert matchable("The\u200bInterest\u200dof\u2060Love\u202e") == "TheInterestofLove"
    assert normalise("The\u200bInterest\u200dof\u2060Love") == normalise("TheInterestOfLove")


def test_a_name_written_with_zero_width_characters_is_the_name_exactly():
    index = NameIndex([("The Interest of Love", LOVE)])
    for typed in ("The\u200bInterest\u200dof\u2060Love", "#TheInterestOfLove", "Inter\u200best of Love"):
        found = index.lookup(typed)
        assert (found.target, found.exact) == (LOVE, True), typed


def test_a_buttons_label_is_cleaned_like_a_message():
    assert Choice("River\u202e Lantern\u200b (KBS2, KR, 2027)", ("subscribe",)).label == "River Lantern (KBS2, KR, 2027)"
