"""How many sends an outbox keeps in flight, and the rate it reports to the deadline plan."""

from bot.domain.throughput import Achieved, InFlight


def test_slow_answers_raise_the_sends_in_flight_to_rate_times_answer_time_within_the_bound():
    flight = InFlight(rate=30, base=16, bound=128)
    assert flight.allowed == 16
    assert flight.observe(0.1) is False and flight.allowed == 16  # 30/s x 0.1 s: 16 are plenty
    for _ in range(60):
        flight.observe(2.0)
    assert flight.allowed == 75  # 30/s x 2 s x 1.25 headroom
    for _ in range(200):
        flight.observe(10.0)
    assert flight.allowed == 128  # never past the adapter's bound
    for _ in range(200):
        flight.observe(0.1)
    assert flight.allowed == 16  # back down once answers are quick again


def test_a_platform_without_a_rate_keeps_its_base_count():
    flight = InFlight(rate=None, base=4, bound=128)
    assert not flight.adaptive and flight.allowed == 4 and flight.bound == 4


def test_the_achieved_rate_is_measured_only_while_messages_wait_and_kept_after_the_backlog():
    achieved = Achieved()
    for n in range(50):
        achieved.sent(n / 10, behind=True)
    assert achieved.rate() is None  # too few to tell
    for n in range(50, 200):
        achieved.sent(n / 10, behind=True)  # 10 a second while behind
    assert abs(achieved.rate() - 10) < 0.01
    achieved.sent(20.5, behind=False)  # caught up: the last backlog's rate stands
    achieved.sent(20.6, behind=False)
    assert abs(achieved.rate() - 10) < 0.01
