"""Whatever moments the bot is stopped and started, each reminder comes at most once: on time
when the bot was running, at start when it was down but the episode has not begun, else never."""

import asyncio
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import parse_config
from bot.domain.zones import describe_duration
from scheduler.simulator import Simulator
from tests.conftest import bundled_catalog

START = datetime(2022, 12, 20, tzinfo=UTC)
END = datetime(2023, 1, 6, tzinfo=UTC)  # episodes 1 to 6
LEADS = (60, 10, 0)

AIRINGS = [a.start for a in bundled_catalog().by_show["interestoflove"] if a.start < END]

# A downtime near an airing: stopping from two hours before to half an hour after it, for up to
# three hours, so stops cover due instants and starts land before and after air time.
near_airing = st.tuples(
    st.integers(min_value=0, max_value=len(AIRINGS) - 1),
    st.integers(min_value=-120, max_value=30),
    st.integers(min_value=1, max_value=180),
)


def expected_reminders(downtimes: list[tuple[datetime, datetime]]) -> list[tuple[datetime, int, str]]:
    """(sent at, episode, countdown) by the contract, for the bot being down between each stop and start.
    Leads of one episode that come due together at a start make one message, not several alike."""
    out = []
    for airing in bundled_catalog().by_show["interestoflove"]:
        if airing.start >= END:
            break
        for lead in LEADS:
            due = airing.start - timedelta(minutes=lead)
            down = next(((a, b) for a, b in downtimes if a < due < b), None)  # due at a stop or start fires
            sent_at = due if down is None else down[1] if down[1] < airing.start else None
            if sent_at is not None:
                left = "now" if sent_at == airing.start else "in " + describe_duration(airing.start - sent_at)
                out.append((sent_at, airing.episode, left))
    return sorted(set(out), key=lambda r: (r[0], r[1]))


async def run_story(downtimes: list[tuple[datetime, datetime]], db: str) -> list[tuple[datetime, int, str]]:
    sim = Simulator(catalog=bundled_catalog(), config=parse_config({}), db_path=db, start_at=START)
    await sim.start()
    await sim.say("telegram", "1", "1", "/remind 1h 10m 0m")
    await sim.say("telegram", "1", "1", "/subscribe The Interest of Love")
    for stop, start in downtimes:
        await sim.advance_to(stop)
        await sim.stop()
        await sim.advance_to(start)
        await sim.start()
    await sim.advance_to(END)
    await sim.close()
    got = []
    for sent in sim.outbox:
        if sent.kind == "reminder":
            episode = int(sent.text.split("episode ")[1].split(",")[0])
            left = sent.text.split("starts ")[1].split(":")[0]
            got.append((sent.at, episode, left))
    return got


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(near_airing, max_size=6))
def test_any_pattern_of_restarts_gives_each_reminder_at_most_once_and_on_contract(picks):
    downtimes: list[tuple[datetime, datetime]] = []
    for index, offset, length in sorted(picks):
        stop = AIRINGS[index] + timedelta(minutes=offset)
        if downtimes and stop <= downtimes[-1][1]:
            continue  # overlaps the previous downtime
        downtimes.append((stop, stop + timedelta(minutes=length)))
    with tempfile.TemporaryDirectory() as scratch:
        got = asyncio.run(run_story(downtimes, str(Path(scratch) / "bot.sqlite3")))
    # one line per (episode, lead) at most, sent when the contract says, counting down from then
    assert sorted(got, key=lambda r: (r[0], r[1], r[2])) == sorted(expected_reminders(downtimes), key=lambda r: (r[0], r[1], r[2]))
