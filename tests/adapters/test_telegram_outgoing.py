"""How python-telegram-bot's errors map onto the core's delivery outcomes, and the choice table."""

from __future__ import annotations

import pytest
from telegram.error import BadRequest, ChatMigrated, Forbidden, InvalidToken, NetworkError, RetryAfter, TimedOut

from adapters.telegram.choices import ChoiceTable
from adapters.telegram.outgoing import delivery_error
from bot.domain.i18n import stored_reason
from bot.domain.interfaces import ChatMoved, ChatRef, Choice, DeliveryError, RateLimited, Unreachable

PRIVATE, GROUP = ChatRef("telegram", "42"), ChatRef("telegram", "-100123")


def test_flood_waits_pause_the_platform_for_a_private_chat_and_only_the_group_for_a_group():
    private, group = delivery_error(RetryAfter(7), PRIVATE), delivery_error(RetryAfter(40), GROUP)
    assert isinstance(private, RateLimited) and (private.retry_after, private.scope) == (7, "platform")
    assert isinstance(group, RateLimited) and (group.retry_after, group.scope) == (40, "chat")


@pytest.mark.parametrize("error, outcome", [
    (Forbidden("Forbidden: bot was blocked by the user"), Unreachable),
    (Forbidden("Forbidden: bot was kicked from the supergroup chat"), Unreachable),
    (BadRequest("Bad Request: message thread not found"), Unreachable),
    (BadRequest("Bad Request: chat not found"), Unreachable),
    (BadRequest("Bad Request: can't parse entities"), DeliveryError),
    (TimedOut(), DeliveryError),
    (NetworkError("Bad Gateway"), DeliveryError),
])
def test_refusals_map_to_unreachable_or_a_passing_failure(error, outcome):
    mapped = delivery_error(error, PRIVATE)
    assert type(mapped) is outcome


def test_a_migrated_group_is_a_moved_chat_and_no_reason_carries_the_token():
    moved = delivery_error(ChatMigrated(-100999), GROUP)
    assert isinstance(moved, ChatMoved) and moved.new_chat == "-100999"
    rejected = InvalidToken("The token `1:abc` was rejected by the server.")
    refused = delivery_error(rejected, PRIVATE, lambda t: t.replace("1:abc", "<h>"))
    assert "1:abc" not in str(refused)


def test_choices_are_found_only_in_their_chat_while_fresh():
    now = [0.0]
    table = ChoiceTable(ttl=60, clock=lambda: now[0])
    choices = (Choice("A", ("subscribe",), (("name", "A"),)), Choice("B", ("subscribe",), (("name", "B"),)))
    data = table.put("42", choices)
    assert all(len(d.encode()) <= 64 for d in data)
    assert table.get(data[1], "42") == choices[1]
    assert table.get(data[1], "43") is None  # another chat
    assert table.get(data[0][:-1] + "9", "42") is None  # no such button
    assert table.get("not data", "42") is None
    now[0] = 61
    assert table.get(data[0], "42") is None  # expired


@pytest.mark.parametrize("error, korean", [
    (Forbidden("Forbidden: bot was blocked by the user"), "저를 차단했어요"),
    (Forbidden("Forbidden: bot was kicked from the supergroup chat"), "그룹에서 내보내졌어요"),
    (Forbidden("Forbidden: user is deactivated"), "계정이 삭제되었어요"),
    (BadRequest("Bad Request: message thread not found"), "주제(토픽)가 삭제되었거나 닫혔어요"),
    (BadRequest("Bad Request: chat not found"), "채팅을 찾을 수 없어요"),
    (BadRequest("Bad Request: not enough rights to send text messages to the chat"), "글을 올릴 권한이 없어요"),
])
def test_a_korean_fan_reads_why_telegram_paused_their_chat_in_korean(error, korean):
    paused = delivery_error(error, GROUP)
    assert isinstance(paused, Unreachable)
    said = stored_reason("ko", str(paused))
    assert korean in said and "bot was" not in said and "not found" not in said


def test_a_reason_stored_before_still_shows_wrapped_in_a_korean_sentence():
    said = stored_reason("ko", "Forbidden: bot was blocked by the user")
    assert said == "플랫폼이 알려 준 이유: Forbidden: bot was blocked by the user"
    assert stored_reason("en", "Forbidden: bot was blocked by the user") == "Forbidden: bot was blocked by the user"
