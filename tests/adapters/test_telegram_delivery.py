"""Telegram refusing or failing: flood waits, server errors, blocked users, migrated groups,
webhooks with a wrong secret, and the token kept out of every log line."""

from __future__ import annotations

import asyncio
import logging
import socket
from datetime import timedelta

import aiohttp

from adapters.telegram import TelegramAdapter
from adapters.telegram.outgoing import html_parts
from bot.domain.render import Bold, Message
from tests.adapters.telegram_bot import ADMIN, AIRS, FAN, OTHER_FAN, bot_config, telegram_bot
from tests.fakes.telegram_api import FakeTelegram, parse_html

TITLE = "Kiss & <Tell>"
FANS = [FAN + i for i in range(12)]


async def test_a_429_storm_and_server_errors_still_deliver_every_reminder_exactly_once(tmp_path):
    async with telegram_bot(tmp_path) as (bot, server):
        for fan in FANS:
            await bot.says(fan, fan, f"/subscribe {TITLE}")
        server.fail_next(3, status=429, method="sendMessage", retry_after=1)
        server.fail_next(3, status=502, method="sendMessage")
        server.fail_next(2, status=500, method="sendMessage")
        await bot.advance(AIRS - timedelta(minutes=30))
        await bot.advance(AIRS - timedelta(minutes=25))  # failed sends are retried 30 s later
        assert server.count_429 == 3 and server.statuses[502] == 3 and server.statuses[500] == 2
        for fan in FANS:
            assert len(bot.received(fan)) == 1, fan


async def test_a_fan_who_blocked_the_bot_is_paused_and_resumed_when_they_write_again(tmp_path):
    async with telegram_bot(tmp_path) as (bot, server):
        await bot.says(FAN, FAN, f"/subscribe {TITLE}")
        await bot.says(OTHER_FAN, OTHER_FAN, f"/subscribe {TITLE}")
        server.block(FAN)
        await bot.advance(AIRS - timedelta(minutes=30))
        assert bot.received(FAN) == [] and len(bot.received(OTHER_FAN)) == 1
        settings = await bot.process.core.store.chat(platform="telegram", chat_id=str(FAN))
        assert settings is not None and "blocked" in settings.paused_reason
        assert server.errors.count(("sendMessage", 403, "Forbidden: bot was blocked by the user")) == 1  # not retried

        server.clear_faults()  # the fan unblocks the bot and writes
        answer = await bot.says(FAN, FAN, "/next")
        assert answer.plain_text.startswith("Delivery to this chat had been paused (you blocked me on Telegram; unblock me")
        await bot.advance(AIRS + timedelta(days=7) - timedelta(minutes=30))
        assert [m.plain_text.split(",")[1] for m in bot.received(FAN)] == [" episode 2"]


async def test_a_group_that_became_a_supergroup_keeps_its_subscriptions_under_the_new_id(tmp_path):
    old, new = -4242, -1004242
    async with telegram_bot(tmp_path) as (bot, server):
        server.set_role(old, ADMIN, "creator")
        await bot.says(old, ADMIN, f"/channel subscribe {TITLE}", chat_type="group")
        server.migrate(old, new)
        await bot.advance(AIRS - timedelta(minutes=30))
        assert len(bot.received(new)) == 1 and bot.received(old) == []
        await bot.advance(AIRS + timedelta(days=7) - timedelta(minutes=30))
        assert len(bot.received(new)) == 2
        assert server.errors.count(("sendMessage", 400, "Bad Request: group chat was upgraded to a supergroup chat")) == 1


async def test_a_deleted_topic_pauses_only_that_topic(tmp_path):
    group = -100555
    async with telegram_bot(tmp_path) as (bot, server):
        server.set_role(group, ADMIN, "administrator")
        for thread in (7, 8):
            await bot.says(group, ADMIN, f"/channel subscribe {TITLE}", chat_type="supergroup",
                           message_thread_id=thread, is_topic_message=True)
        server.missing_thread(group, 7)
        await bot.advance(AIRS - timedelta(minutes=30))
        assert [m.message_thread_id for m in bot.received(group)] == [8]
        settings = await bot.process.core.store.chat(platform="telegram", chat_id=f"{group}/7")
        assert settings is not None and settings.paused_reason == "pause-telegram-topic-gone"


async def test_a_korean_fan_who_blocked_the_bot_reads_why_in_korean_when_they_write_again(tmp_path):
    async with telegram_bot(tmp_path) as (bot, server):
        await bot.says(FAN, FAN, "/language ko")
        await bot.says(FAN, FAN, f"/subscribe {TITLE}")
        server.block(FAN)
        await bot.advance(AIRS - timedelta(minutes=30))
        assert bot.received(FAN) == []

        server.clear_faults()  # the fan unblocks the bot and writes
        answer = await bot.says(FAN, FAN, "/next")
        assert answer.plain_text.startswith(
            "이 채팅으로의 전송이 멈춰 있었어요(텔레그램에서 저를 차단했어요. 차단을 풀거나 시작(Start)을 누르면 다시 알림을 받아요)")
        assert "blocked" not in answer.plain_text


def test_long_messages_are_split_on_line_boundaries_into_parts_telegram_accepts():
    lines = [f"line {i}: {'<&> ' * 30}" for i in range(200)]  # ~25,000 characters
    message = Message.lines(Bold("Header & <title>"), *lines, "x" * 5000)
    parts = html_parts(message)
    shown = [parse_html(part)[0] for part in parts]
    assert len(parts) > 6 and all(len(text) <= 4096 for text in shown)
    assert all(part.count("\n") == 0 or not part.endswith("\n") for part in parts)
    joined = "\n".join(shown)
    assert joined.startswith("Header & <title>\nline 0: <&> ") and joined.replace("\n", "").endswith("x" * 5000)
    assert all(text.split("\n")[0].startswith(("line", "Header", "x")) for text in shown)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_webhook_updates_need_the_secret(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram-hook"
    async with telegram_bot(tmp_path, mode="webhook", webhook_listen=f"127.0.0.1:{port}", webhook_url=url,
                            webhook_secret="s3cret-value") as (bot, server):
        assert server.webhook_url == url
        update = {"update_id": 1, "message": {
            "message_id": 1, "date": 0, "chat": {"id": FAN, "type": "private", "first_name": "Fan"},
            "from": {"id": FAN, "is_bot": False, "first_name": "Fan"}, "text": "/help",
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
        }}
        async with aiohttp.ClientSession() as http:
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
                async with http.post(url, json=update, headers=headers) as refused:
                    assert refused.status == 403
            await asyncio.sleep(0.1)
            assert server.sent == []
            async with http.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-value"}) as ok:
                assert ok.status == 200
        assert (await bot.reply_to(FAN)).startswith("I remind you before every broadcast")


async def test_the_token_appears_in_no_log_line_even_at_debug(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    async with FakeTelegram() as server:
        secret = server.token.split(":", 1)[1]
        async with telegram_bot(tmp_path, server) as (bot, _):
            await bot.says(FAN, FAN, f"/subscribe {TITLE}")
            server.fail_next(1, status=502, method="sendMessage")
            await bot.advance(AIRS - timedelta(minutes=30))
        # a wrong token: Telegram answers 401 and python-telegram-bot names the token in its error
        wrong = TelegramAdapter(bot_config(server, token="999:wrong-secret-token").telegram, request_timeout=2.0)
        try:
            await wrong.connect()
        except ConnectionError as refused:
            assert "wrong-secret-token" not in str(refused) and "rejected" in str(refused)
        else:
            raise AssertionError("a wrong token must not log in")
        logging.getLogger("some.library").debug("GET %s", f"{server.base_url}{server.token}/getMe")
    assert any(r.levelno == logging.DEBUG and r.name.startswith("telegram") for r in caplog.records)
    assert "<hidden>" in caplog.text  # the library's line was logged, without the token
    assert secret not in caplog.text and "wrong-secret-token" not in caplog.text
