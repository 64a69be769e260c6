"""The outbox's pure parts: retry timing and how confirmations are grouped into key ranges."""

from datetime import datetime, timedelta, timezone

from bot.delivery import MAX_ATTEMPTS, confirmations, retry_time
from bot.domain.interfaces import DeliveryError, RateLimited

NOW = datetime(2026, 3, 1, tzinfo=timezone.utc)


def test_consecutive_places_of_one_claim_become_one_range_and_the_rest_single_chats():
    runs = {("reminder", "j", "telegram", 7, None): [(s, f"c{s:02d}") for s in (5, 0, 1, 2, 3, 4, 9, 11, 12, 13, 14)]}
    ranges, singles = confirmations(runs)
    assert ranges == [("reminder", "j", "telegram", 7, "c00", "c05", None), ("reminder", "j", "telegram", 7, "c11", "c14", None)]
    assert singles == {("reminder", "j", "telegram", None): ["c09"]}


def test_a_failed_send_is_retried_with_doubling_waits_until_expiry_or_too_many_attempts():
    far = NOW + timedelta(days=1)
    waits = [retry_time(now=NOW, attempts=a, expires=far, error=DeliveryError("502")) for a in range(MAX_ATTEMPTS)]
    assert [w - NOW for w in waits[:-1]] == [timedelta(seconds=30 * 2**a) for a in range(MAX_ATTEMPTS - 1)]
    assert waits[-1] is None  # the sixth failure is the last
    assert retry_time(now=NOW, attempts=0, expires=NOW + timedelta(seconds=20), error=DeliveryError("502")) is None
    assert retry_time(now=NOW, attempts=0, expires=far, error=RateLimited(90, scope="chat")) == NOW + timedelta(seconds=90)


async def test_the_outbox_never_bursts_past_its_rate_after_the_event_loop_stalls():
    """Requests whose pace slots passed while the loop stalled must not all leave at once."""
    import asyncio
    import time

    from bot.delivery import Ledger, Outbox
    from bot.domain.interfaces import Limits, Rate, SystemClock

    class Platform:
        platform, limits = "telegram", Limits(overall=Rate(50), in_flight=12)

    class Owner:
        clock = SystemClock()

    outbox = Outbox(adapter=Platform(), ledger=Ledger(None, Owner.clock), owner=Owner())  # type: ignore[arg-type]
    outbox.start()
    sent: list[float] = []

    async def request() -> None:
        await outbox.request_slot()
        sent.append(time.monotonic())

    tasks = [asyncio.ensure_future(request()) for _ in range(120)]
    await asyncio.sleep(0.05)
    time.sleep(0.3)  # noqa: ASYNC251 - the event loop stalls on purpose: many spaced slots pass meanwhile
    await asyncio.gather(*tasks)
    await outbox.close(0)
    assert len(sent) == 120
    assert max(sum(1 for t in sent if start <= t < start + 1.0) for start in sent) <= 50
    assert (len(sent) - 1) / (sent[-1] - sent[0]) > 40  # and it still goes near the rate
