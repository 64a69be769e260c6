"""The real-clock path (BotProcess with APScheduler) when the platform misbehaves in ways seen
from outside: one chat asked to wait a long time, every answer slow, the disk full. Each test
names what users saw before."""

from __future__ import annotations

from datetime import timedelta

from bot.interfaces import Limits, Rate, RateLimited, SystemClock

from .realclock import ledger_states, mock, reminders, seed, soon_catalog, start, wait_for

NOW = SystemClock().now


class Failures(dict):
    """A mock's `failures` that notes which chats a send was tried for."""

    def __init__(self, **failures: BaseException):
        super().__init__(failures)
        self.tried: set[str] = set()

    def get(self, key, default=None):
        self.tried.add(key)
        return super().get(key, default)


async def test_one_private_chat_asked_to_wait_100_s_holds_up_neither_the_others_nor_replies(tmp_path):
    """Seen: retry_after=100 on one private chat during a fan-out stopped every send, replies
    included, for 100 s (/help answered after 83 s, reminders dropped as too late)."""
    db = str(tmp_path / "bot.sqlite3")
    airs = NOW() + timedelta(minutes=1, seconds=0.3)
    chats = [f"fan{n:03d}" for n in range(150)]
    await seed(db, "showa", chats)
    adapter = mock(latency=0.01, limits=Limits(overall=Rate(100), per_chat=Rate(1), in_flight=8))
    # Telegram reports a 429 in a private chat as the bot's own (platform) limit
    adapter.failures = Failures(fan050=RateLimited(100, reason="Too Many Requests: retry after 100"))
    process = await start(db, soon_catalog(a=airs), {"telegram": adapter}, leads=["1m"])
    try:
        assert await wait_for(lambda: "fan050" in adapter.failures.tried, 10)  # refused: wait 100 s
        asked = NOW()
        reply = await adapter.receive("someone", "someone", "/help")
        assert reply is not None and (reply.at - asked).total_seconds() < 6
        assert await wait_for(lambda: len(reminders(adapter)) == 149, 15), len(reminders(adapter))
        assert "fan050" not in {s.chat for s in reminders(adapter)}
    finally:
        await process.stop()
    assert ledger_states(db) == {"sent": 149, "claimed": 1}  # fan050 waits its 100 s: retried at the next start
