"""The TVmaze client against the fake on 127.0.0.1: parsing, errors, 429, cache, the rate limit;
and turning an imported show into catalog airings."""

import asyncio
from datetime import UTC, date, datetime, time

import pytest

from bot.app.live import best_match
from bot.integrations.sources import Edit, imported_show
from bot.integrations.tvmaze import (
    Episode,
    Found,
    ImportedPerson,
    ImportedShow,
    RateLimiter,
    TvmazeClient,
    TvmazeError,
    tvmaze_id,
)


class VirtualTime:
    """A clock for the rate limiter whose sleeps pass at once."""

    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


@pytest.fixture
async def client(fake_tvmaze):
    vt = VirtualTime()
    client = TvmazeClient(fake_tvmaze.url, limiter=RateLimiter(20, clock=vt, sleep=vt.sleep), timeout=1.0)
    client.vt = vt  # type: ignore[attr-defined]
    yield client
    await client.close()


async def test_a_show_with_its_episodes(client):
    show = await client.show(7001)
    assert (show.key, show.name, show.network, show.country, show.timezone, show.status) == (
        "tvmaze:7001", "The River Runs Test", "JTBC", "KR", "Asia/Seoul", "Running")
    assert show.describe() == "JTBC, KR, 2027"
    assert len(show.episodes) == 16 and show.episodes[0].airstamp == "2027-01-06T13:30:00+00:00"
    assert ImportedShow.from_json(show.to_json()) == show
    assert await client.show(4242) is None  # TVmaze's 404


async def test_a_streaming_show_has_dates_and_no_air_times(client):
    show = await client.show(7002)
    assert show.streaming and show.network == "Netflix" and show.timezone == ""
    assert {e.airtime for e in show.episodes} == {""}
    assert imported_show(show).explicit == ()  # no instant is guessed


async def test_a_person_with_cast_credits(client):
    person = await client.person(9001)
    assert (person.key, person.name, person.shows) == ("tvmaze:person:9001", "Han Seo Jin Test", (7001, 7003))
    assert [s.status for s in person.show_data] == ["Running", "Ended"]
    assert ImportedPerson.from_json(person.to_json()) == person


async def test_search_results_carry_scores(client):
    found = await client.search_shows("Star River")
    assert [(f.show.id, f.score) for f in found] == [(7010, 0.594), (7011, 0.594), (7012, 0.563)]
    assert await client.search_people("Han Seo Jin Test") == [Found(0.95, person=ImportedPerson(9001, "Han Seo Jin Test", "KR", "1994-05-05"))]


@pytest.mark.parametrize("mode, message", [
    ("500", r"TVmaze answered with an error \(500\)"),
    ("garbage", "TVmaze sent something that is not valid JSON"),
    ("slow", "TVmaze did not answer in time"),
])
async def test_failures_raise_a_plain_error(client, fake_tvmaze, mode, message):
    fake_tvmaze.fail = [mode]
    with pytest.raises(TvmazeError, match=message):
        await client.search_shows("anything")


async def test_unreachable_raises_a_plain_error():
    client = TvmazeClient("http://127.0.0.1:9", timeout=1.0)
    with pytest.raises(TvmazeError, match="TVmaze cannot be reached"):
        await client.show(1)
    await client.close()


async def test_a_429_is_honoured_and_then_answered(client, fake_tvmaze):
    fake_tvmaze.fail = ["429"]
    show = await client.show(7001)
    assert show is not None and len(fake_tvmaze.requests) == 2
    assert client.vt.now >= 1.0  # Retry-After: 1 held every request back that long


async def test_repeated_429s_give_up_with_a_plain_error(client, fake_tvmaze):
    fake_tvmaze.fail = ["429"] * 10
    with pytest.raises(TvmazeError, match="TVmaze is busy"):
        await client.show(7001)
    assert len(fake_tvmaze.requests) == 4


async def test_answers_tvmaze_lets_cache_are_cached_unless_fresh_data_is_asked_for(client, fake_tvmaze):
    fake_tvmaze.cache_control = "public, max-age=3600"
    await client.search_shows("River")
    await client.search_shows("River")
    assert len(fake_tvmaze.requests) == 1
    await client.show(7001)
    await client.show(7001, cached=False)
    assert len(fake_tvmaze.requests) == 3
    client.vt.now += 3601  # expired
    await client.search_shows("River")
    assert len(fake_tvmaze.requests) == 4


async def test_uncacheable_answers_are_asked_again(client, fake_tvmaze):
    await client.search_shows("River")
    await client.search_shows("River")
    assert len(fake_tvmaze.requests) == 2


async def test_the_rate_limit_holds_under_a_burst_of_200_lookups(fake_tvmaze):
    """On a virtual clock (the limiter's waits pass at once), each request stamped as it leaves
    the client: never more than 20 in any 10 seconds, and all 200 reach TVmaze."""
    vt, sent = VirtualTime(), []
    client = TvmazeClient(fake_tvmaze.url, limiter=RateLimiter(20, clock=vt, sleep=vt.sleep), timeout=5.0,
                          on_request=lambda url: sent.append(vt()))
    fake_tvmaze.fail = ["429"]  # one 429 on the way: its retry goes through the limiter too
    try:
        results = await asyncio.gather(*(client.search_shows(f"River {i}") for i in range(200)))
    finally:
        await client.close()
    assert len(results) == 200 and len(fake_tvmaze.requests) == 201 and len(sent) == 201
    stamps = sorted(sent)
    busiest = max(sum(1 for t in stamps if start <= t < start + 10) for start in stamps)
    assert busiest == 20  # never more than max_requests in 10 seconds, and the limit is used
    assert stamps[-1] - stamps[0] >= 90  # 201 requests at 20 per 10 s take over 90 s


def test_tvmaze_keys():
    assert tvmaze_id("tvmaze:7001") == 7001 and tvmaze_id(" TVmaze:12 ") == 12
    assert tvmaze_id("tvmaze:person:9001", "tvmaze:person:") == 9001
    assert tvmaze_id("tvmaze:person:9001") is None and tvmaze_id("tvmaze:") is None and tvmaze_id("interestoflove") is None


def found_show(show_id: int, name: str, score: float) -> Found:
    return Found(score, show=ImportedShow(show_id, name, "JTBC", "KR", "Asia/Seoul", "Running", "2027-01-06", 70, False))


def test_best_match_takes_one_exact_title_or_one_far_ahead():
    a, b, c = found_show(1, "The River Runs", 0.5), found_show(2, "River Runs Deep", 0.9), found_show(3, "Rivers", 0.3)
    assert best_match("river runs, the", [b, a, c]) is not a  # "river runs the" is not the title's normal form
    assert best_match("The River Runs", [b, a, c]) is a  # exact after normalisation beats a higher score
    assert best_match("the-river RUNS", [b, a, c]) is a
    assert best_match("river", [b, c]) is b  # 0.9 is far ahead of 0.3
    close = found_show(1, "The River Runs", 0.7)
    assert best_match("river", [close, b]) == [b, close]  # close scores: a choice
    assert best_match("river", [close, b, found_show(4, "X", 0.1)]) == [b, close]  # implausible ones left out
    assert best_match("river", []) == []
    twins = [found_show(5, "Signal", 0.9), found_show(6, "Signal", 0.9)]
    assert best_match("signal", twins) == twins  # two exact titles: a choice


def test_an_imported_show_airs_at_its_airstamps_with_owners_edits():
    def episode(n: int, season: int, stamp: str) -> Episode:
        return Episode(n * 10 + season, season, n, f"E{n}", stamp[:10], "22:30", stamp, 70)
    show = ImportedShow(1, "Two Seasons", "JTBC", "KR", "Asia/Seoul", "Running", "2027-01-06", 70, False, (
        episode(1, 1, "2027-01-06T13:30:00+00:00"), episode(2, 1, "2027-01-07T13:30:00+00:00"),
        episode(1, 2, "2028-01-05T13:30:00+00:00"),
        Episode(99, 2, None, "Special", "2028-01-01", "20:00", "2028-01-01T11:00:00+00:00", 60),
    ))
    converted = imported_show(show)
    assert converted.zone.key == "Asia/Seoul"
    assert converted.explicit == (
        (1, datetime(2027, 1, 6, 13, 30, tzinfo=UTC)), (2, datetime(2027, 1, 7, 13, 30, tzinfo=UTC)),
        (3, datetime(2028, 1, 5, 13, 30, tzinfo=UTC)),  # counted through the seasons; the special has no number
    )
    edited = imported_show(show, edits=[Edit("tvmaze:1", "skip", date(2027, 1, 6)),
                                        Edit("tvmaze:1", "move", date(2027, 1, 8), 2, time(23, 0))])
    assert edited.explicit == ((2, datetime(2027, 1, 8, 14, 0, tzinfo=UTC)), (3, datetime(2028, 1, 5, 13, 30, tzinfo=UTC)))
