"""Whatever people type, the bot answers briefly or stays quiet, and never fails."""

import asyncio
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.commands import BY_NAME
from bot.config import parse_config
from scheduler.simulator import Simulator
from tests.conftest import bundled_catalog

DISCORD_LIMIT = 2000  # characters in one Discord message; Telegram allows 4096

words = st.sampled_from(
    ["The", "Interest", "of", "Love", "사랑의", "이해", "Moon", "Ka-young", "1h", "30m", "0m", "8d", "Seoul",
     "America/New_York", "PST", "subscribe", "list", "remind", "timezone", "@dramabot", "\u200b", "<b>", "**", "&amp;"]
)
typed = st.one_of(
    st.text(max_size=120),
    st.builds(
        lambda name, args: f"/{name} " + " ".join(args),
        st.sampled_from(sorted(BY_NAME) + ["channel", "nope", "CHANNEL", "Subscribe"]),
        st.lists(st.one_of(words, st.text(max_size=15)), max_size=6),
    ),
)


async def converse(lines: list[tuple[str, bool, bool]], db: str) -> list:
    sim = Simulator(catalog=bundled_catalog(), config=parse_config({}), db_path=db,
                    start_at=datetime(2022, 12, 20, tzinfo=UTC))
    await sim.start()
    for text, private, admin in lines:
        chat = "5" if private else "-5"
        await sim.say("discord", chat, "5", text, admin)
        await sim.say("telegram", chat, "5", text, admin)
    await sim.close()
    return sim.outbox


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(typed, st.booleans(), st.booleans()), min_size=1, max_size=8))
def test_any_input_gets_a_short_answer_or_silence_and_never_an_error(lines):
    with tempfile.TemporaryDirectory() as scratch:
        outbox = asyncio.run(converse(lines, str(Path(scratch) / "bot.sqlite3")))
    for sent in outbox:
        assert sent.kind == "reply"
        assert 0 < len(sent.text) <= DISCORD_LIMIT
        assert "something went wrong" not in sent.text
    private_commands = [text for text, private, _ in lines if private and text.strip()]
    assert len([s for s in outbox if s.chat == "5"]) == 2 * len(private_commands)
