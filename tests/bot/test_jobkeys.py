"""Typed job keys: each kind of delivery job is a small value whose `encode()` is exactly the
string the ledger has always stored, and `decode(kind, text)` gives the same value back."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.jobkeys import JOB_KINDS, BadKey, DigestKey, NewsKey, NoticeKey, ReleaseKey, ReminderKey, decode

odd_text = st.text(st.characters(blacklist_categories=("Cs",)))  # "|", "#", "@", ":", newlines, emoji...
feed_names = odd_text.filter(lambda name: name != "" and "|" not in name)
no_colon = st.text(min_size=1).filter(lambda text: ":" not in text)


@given(airing=st.text(min_size=1), lead=st.integers(min_value=0, max_value=10_080))
def test_a_reminder_key_reads_back_as_the_same_key(airing, lead):
    key = ReminderKey(airing=airing, lead=lead)
    assert decode("reminder", key.encode()) == key


@given(feed=feed_names, article=odd_text)
def test_a_news_key_reads_back_whatever_the_article_id_holds(feed, article):
    key = NewsKey(feed=feed, article=article)
    assert decode("news", key.encode()) == key


@given(hour=st.integers(min_value=0, max_value=2**40))
def test_a_digest_key_reads_back_and_is_never_taken_for_an_article(hour):
    assert decode("news", DigestKey(hour).encode()) == DigestKey(hour)


@given(show=st.text(min_size=1), episode=st.integers(min_value=0, max_value=10**6), day=st.dates(date(1000, 1, 1)))
def test_a_release_key_reads_back_even_when_the_show_key_holds_hashes_and_ats(show, episode, day):
    key = ReleaseKey(show=show, episode=episode, day=day)
    assert decode("release", key.encode()) == key


@given(change=no_colon, show=odd_text, digest=st.text().filter(lambda text: ":" not in text))
def test_a_notice_key_reads_back_even_when_the_show_key_holds_colons(change, show, digest):
    key = NoticeKey(change=change, show=show, digest=digest)
    assert decode("notice", key.encode()) == key


def test_the_strings_the_ledger_has_always_stored_are_the_keys_encodings():
    assert ReminderKey("interestoflove#1@20221221T1330Z", 30).encode() == "interestoflove#1@20221221T1330Z|30"
    assert NewsKey("Soompi", "tag:soompi.com,2022:1|2").encode() == "Soompi|tag:soompi.com,2022:1|2"
    assert DigestKey(1671620400).encode() == "|digest|1671620400"
    assert ReleaseKey("tvmaze:77", 1, date(2027, 1, 8)).encode() == "tvmaze:77#1@20270108"
    assert NoticeKey("moved", "tvmaze:77", "0123456789abcdef").encode() == "moved:tvmaze:77:0123456789abcdef"


def test_a_feed_name_that_could_not_be_read_back_is_refused():
    for feed in ("", "a|b"):
        with pytest.raises(BadKey):
            NewsKey(feed, "1")


@pytest.mark.parametrize(("kind", "text"), [
    ("reminder", "nonsense"), ("reminder", "show#1@20221221T1330Z|soon"), ("reminder", "|30"),
    ("news", "no bar at all"), ("news", "|digest|soon"), ("news", "|digest|"),
    ("release", "show#1"), ("release", "show#x@20270108"), ("release", "show#1@20271399"), ("release", "#1@20270108"),
    ("notice", "moved"), ("notice", "moved:show"),
    ("reply", "anything"), ("", "x"),
])
def test_a_garbled_or_unknown_key_is_refused_with_a_reason(kind, text):
    with pytest.raises(BadKey):
        decode(kind, text)


def test_the_ledger_kinds_are_the_delivery_lanes_in_order_of_priority():
    assert JOB_KINDS == ("reminder", "release", "notice", "news")
