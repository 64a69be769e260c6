"""One person's share of TVmaze lookups: a few at once, a few a minute, then a reason to wait."""

from __future__ import annotations

from bot.domain.i18n import Said, catalogue
from bot.domain.quota import LookupQuota


def english(refused: Said | None) -> str:
    assert refused is not None
    return catalogue().text("en", refused.msg_id, **dict(refused.values))


def test_a_person_may_have_two_lookups_under_way_and_start_six_a_minute():
    now = [0.0]
    quota = LookupQuota(clock=lambda: now[0])
    with quota.take("telegram:1") as first, quota.take("telegram:1") as second, quota.take("telegram:1") as third:
        assert first is None and second is None
        assert english(third) == "You already have 2 names waiting for TVmaze; wait for their answers, then try again."
        with quota.take("telegram:2") as someone_else:
            assert someone_else is None
    for _ in range(4):
        now[0] += 5
        with quota.take("telegram:1") as refused:
            assert refused is None
    with quota.take("telegram:1") as refused:
        assert english(refused) == ("You asked for 6 TVmaze lookups in the last minute, the most one person may; "
                           "wait 40 seconds and try again.")
    now[0] = 60.0  # the first two have left the minute
    with quota.take("telegram:1") as refused:
        assert refused is None
