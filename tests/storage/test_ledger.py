"""The contract: the delivery ledger's unique keys, outcomes, retries and confirmed ranges."""

import asyncio

from bot.storage.values import Delivery, JobPlatform, LedgerJob, Outcome, SentRange


async def test_claimed_chat_ids_come_back_exactly_as_given(storage):
    odd = [("telegram", "-1001234"), ("discord", 'a"b\\c'), ("telegram", "채팅 ✨"), ("discord", "007"), ("telegram", "1e3")]
    claimed = await storage.claim(LedgerJob("news", "feed|1", 10**10), recipients=odd)
    assert claimed == sorted(odd)
    rows = await storage.delivery_states()
    assert {(d.platform, d.chat_id) for d in rows} == set(odd)  # text stays text: "007" is not 7


async def test_two_processes_claiming_one_job_never_both_get_a_row(backend):
    """Each claim returns only the rows it inserted, even when another connection (another
    process) claims the same job at the same time."""
    a = await backend.open()
    b = await backend.open(exclusive=False)
    people = [("telegram", str(n)) for n in range(2000)]
    first, second = await asyncio.gather(
        a.claim(LedgerJob("reminder", "show#1@x|30", 10**10), recipients=people),
        b.claim(LedgerJob("reminder", "show#1@x|30", 10**10), recipients=people[::-1]),
    )
    assert len(first) + len(second) == len(people)
    assert not set(first) & set(second)


async def test_claiming_a_job_twice_claims_nobody_the_second_time(storage):
    people = [("telegram", "1"), ("discord", "2"), ("telegram", "1")]
    first = await storage.claim(LedgerJob("reminder", "show#1@x|30", 10**10), recipients=people)
    assert first == [("discord", "2"), ("telegram", "1")]  # once each, in key order
    assert await storage.claim(LedgerJob("reminder", "show#1@x|30", 10**10), recipients=people) == []
    # the same recipients for another job, or another kind of job with the same name, are new
    assert await storage.claim(LedgerJob("reminder", "show#2@x|30", 10**10), recipients=people[:1]) == [("telegram", "1")]
    assert await storage.claim(LedgerJob("news", "show#1@x|30", 10**10), recipients=people[:1]) == [("telegram", "1")]
    await storage.record_outcomes(now=5, sent={JobPlatform("reminder", "show#1@x|30", "telegram"): ["1"]})
    states = await storage.delivery_states()
    assert states[Delivery("reminder", "show#1@x|30", "telegram", "1")] == "sent"
    assert states[Delivery("reminder", "show#1@x|30", "discord", "2")] == "claimed"
    assert await storage.requeue_unfinished(now=7) == 3
    assert await storage.next_retry_at() == 7
    retries = await storage.claim_due_retries(now=7)
    assert Delivery("reminder", "show#1@x|30", "discord", "2") in {p.delivery for p in retries}
    assert await storage.claim_due_retries(now=7) == []  # claimed once
    await storage.record_outcomes(
        now=8,
        sent={JobPlatform("news", "show#1@x|30", "telegram"): ["1"]},
        outcomes=[Outcome("reminder", "show#1@x|30", "discord", "2", "failed", "429", 60),
                  Outcome("reminder", "show#2@x|30", "telegram", "1", "dropped", "gone", None)],
    )
    assert sorted((await storage.delivery_states()).values()) == ["dropped", "failed", "sent", "sent"]
    assert await storage.next_retry_at() == 60


async def test_an_outcome_never_overwrites_a_row_no_longer_claimed(storage):
    people = [("telegram", str(n)) for n in range(10)]
    claimed = await storage.claim(LedgerJob("reminder", "j", 10**10), recipients=reversed(people))
    assert claimed == sorted(people)
    await storage.record_outcomes(now=4, outcomes=[Outcome("reminder", "j", "telegram", "3", "failed", "timeout", 99)])
    await storage.record_outcomes(now=5, sent={JobPlatform("reminder", "j", "telegram"): [str(n) for n in range(7)]})
    states = {d.chat_id: state for d, state in (await storage.delivery_states()).items()}
    assert states == {**{str(n): "sent" for n in range(7)}, "3": "failed", "7": "claimed", "8": "claimed", "9": "claimed"}


async def test_a_confirmed_range_touches_only_its_own_claims_rows(storage):
    chats = [("telegram", f"c{n}") for n in range(10)]
    assert await storage.claim(LedgerJob("reminder", "j", 10**10), recipients=chats[::-1], stamp=1) == chats  # sorted, whatever the input order
    # c5's first attempt failed and its retry has claimed it again: it is in flight under another claim
    await storage.record_outcomes(now=3, outcomes=[Outcome("reminder", "j", "telegram", "c5", "failed", "timeout", 7)])
    [retry] = await storage.claim_due_retries(now=8)
    assert retry.delivery.chat_id == "c5"
    await storage.record_outcomes(now=9, ranges=[SentRange("reminder", "j", "telegram", 1, "c0", "c9")])
    states = {d.chat_id: s for d, s in (await storage.delivery_states()).items()}
    assert states == {**{f"c{n}": "sent" for n in range(10)}, "c5": "claimed"}


async def test_a_claim_of_rows_not_to_send_is_recorded_as_dropped_and_pruned_when_expired(storage):
    await storage.claim(LedgerJob("reminder", "j|60", 100), recipients=[("telegram", "1")],
                        state="dropped", note="superseded by a later lead time")
    await storage.claim(LedgerJob("reminder", "j|30", 200), recipients=[("telegram", "1")])
    assert sorted((await storage.delivery_states()).values()) == ["claimed", "dropped"]
    assert await storage.prune(before=150) == 1
    assert list((await storage.delivery_states()).values()) == ["claimed"]
