"""The contract: the ledger as the queue of several processes (issue 17). A fan-out in a process
that does not send a platform queues due rows; the platform's sender takes them under its
generation; only the generation holding a row can confirm it; a new sender takes back what an
older one left claimed."""

import asyncio
import time

from bot.storage.values import Delivery, JobPlatform, LedgerJob, Outcome, SentRange

JOB = LedgerJob("reminder", "show#1@x|30", 10**10)


async def test_queued_rows_are_taken_by_the_platform_sender_once_oldest_first(storage):
    await storage.claim(JOB, recipients=[("telegram", str(n)) for n in range(5)] + [("discord", "9")], due=100)
    await storage.claim(LedgerJob("news", "f|1", 10**10), recipients=[("telegram", "1")], due=50)
    assert set((await storage.delivery_states()).values()) == {"failed"}  # queued, not claimed by anyone
    assert await storage.take_due(platform="telegram", sender=3, now=49, limit=10) == []  # none due yet
    first = await storage.take_due(platform="telegram", sender=3, now=100, limit=3)
    assert [p.delivery for p in first][0] == Delivery("news", "f|1", "telegram", "1")  # due earliest
    rest = await storage.take_due(platform="telegram", sender=3, now=100, limit=10)
    assert len(first) + len(rest) == 6 and not {p.delivery for p in first} & {p.delivery for p in rest}
    assert await storage.take_due(platform="telegram", sender=3, now=100, limit=10) == []
    states = await storage.delivery_states()
    assert states[Delivery("reminder", JOB.job, "discord", "9")] == "failed"  # another platform's sender's
    assert sum(state == "claimed" for state in states.values()) == 6


async def test_rows_a_replaced_sender_took_cannot_be_confirmed_or_failed_by_it(storage):
    chats = [("telegram", str(n)) for n in range(6)]
    await storage.claim(JOB, recipients=chats, due=10)
    taken = await storage.take_due(platform="telegram", sender=1, now=10, limit=10)
    assert len(taken) == 6
    # the sender paused past its lease; generation 2 takes over and takes the rows again
    assert await storage.requeue_claimed(platform="telegram", sender=2, now=20, scope="older") == 6
    assert len(await storage.take_due(platform="telegram", sender=2, now=20, limit=10)) == 6
    await storage.record_outcomes(
        now=21, sent={JobPlatform("reminder", JOB.job, "telegram", 1): ["0", "1"]},
        outcomes=[Outcome("reminder", JOB.job, "telegram", "2", "failed", "502", 99, 1)],
    )
    assert set((await storage.delivery_states()).values()) == {"claimed"}  # the stale sender changed nothing
    await storage.record_outcomes(
        now=22, sent={JobPlatform("reminder", JOB.job, "telegram", 2): ["0", "1"]},
        outcomes=[Outcome("reminder", JOB.job, "telegram", "2", "failed", "502", 99, 2)],
    )
    states = await storage.delivery_states()
    assert [states[Delivery("reminder", JOB.job, "telegram", c)] for c in "0123"] == ["sent", "sent", "failed", "claimed"]


async def test_a_sender_stamps_its_own_fan_out_and_confirms_its_ranges_only_while_it_holds_them(storage):
    chats = [("telegram", f"{n:02d}") for n in range(8)]
    await storage.claim(JOB, recipients=chats, stamp=77, sender=4)
    assert await storage.requeue_claimed(platform="telegram", sender=4, now=5, scope="older") == 0  # its own stay
    await storage.record_outcomes(now=6, ranges=[SentRange("reminder", JOB.job, "telegram", 77, "00", "03", 3)])
    assert set((await storage.delivery_states()).values()) == {"claimed"}  # generation 3 never held them
    await storage.record_outcomes(now=6, ranges=[SentRange("reminder", JOB.job, "telegram", 77, "00", "03", 4)])
    # handing the role over: what it did not send is queued again at once
    assert await storage.requeue_claimed(platform="telegram", sender=4, now=7, scope="own") == 4
    states = await storage.delivery_states()
    assert sorted(states.values()) == ["failed"] * 4 + ["sent"] * 4
    again = await storage.take_due(platform="telegram", sender=5, now=7, limit=10)
    assert sorted(p.delivery.chat_id for p in again) == ["04", "05", "06", "07"]


async def test_two_senders_taking_at_once_never_take_the_same_row(backend):
    a = await backend.open()
    b = await backend.open(exclusive=False)
    await a.claim(JOB, recipients=[("telegram", str(n)) for n in range(3000)], due=1)

    async def drain(store, sender):
        got = []
        while batch := await store.take_due(platform="telegram", sender=sender, now=1, limit=100):
            got += batch
        return got

    first, second = await asyncio.gather(drain(a, 1), drain(b, 2))
    assert len(first) + len(second) == 3000
    assert not {p.delivery for p in first} & {p.delivery for p in second}


async def test_a_wake_up_reaches_a_waiting_sender_in_another_connection(backend):
    """PostgreSQL: NOTIFY wakes the waiting sender at once; a backend without notifications
    returns after the timeout (its senders poll)."""
    sender = await backend.open()
    fanning = await backend.open(exclusive=False)
    await sender.wait_due("telegram", timeout=0.05)  # starts listening
    started = time.monotonic()
    waiting = asyncio.ensure_future(sender.wait_due("telegram", timeout=3.0))
    await asyncio.sleep(0.2)
    await fanning.wake_sender("discord")  # another platform's wake-up does not count
    await fanning.wake_sender("telegram")
    await waiting
    waited = time.monotonic() - started
    if sender.shared:
        assert waited < 1.5
    else:
        assert waited >= 2.9
