"""Fans and group admins on Telegram: the real adapter and python-telegram-bot against the fake server.

Each story: a user writes in a chat, the bot answers, the test moves the virtual clock, and a
reminder arrives; assertions read what Telegram would show (plain text, entities, chat ids).
"""

from __future__ import annotations

from datetime import timedelta

from bot.domain.article import Article
from tests.adapters.telegram_bot import ADMIN, AIRS, FAN, GROUP, MEMBER, OTHER_FAN, telegram_bot

TITLE = "Kiss & <Tell>"


async def test_a_fan_subscribes_in_private_and_gets_reminders_at_their_lead_times_in_their_zone(tmp_path):
    async with telegram_bot(tmp_path) as (bot, server):
        assert "America/New_York" in (await bot.says(FAN, FAN, "/timezone New York")).plain_text
        answer = await bot.says(FAN, FAN, f"/subscribe {TITLE}")
        assert answer.plain_text.startswith(f"Subscribed to {TITLE}: reminders before every episode")
        assert "<b>Kiss &amp; &lt;Tell&gt;</b>" in answer.text
        assert answer.reply_parameters is None  # a private chat: no quoting
        assert "1h and 10m before" in (await bot.says(FAN, FAN, "/remind 1h 10m")).plain_text

        await bot.advance(AIRS - timedelta(hours=1, seconds=1))
        assert bot.received(FAN) == []
        await bot.advance(AIRS - timedelta(hours=1))
        [first] = bot.received(FAN)
        assert first.plain_text == f"⏰ {TITLE}, episode 1, starts in 1 hour: Tue 07:00 (America/New_York), 8 Jan 2030 (JTBC)."
        # every reader sees the air time in their own zone; the fan's zone is the fallback text
        [when] = [e for e in first.entities if e["type"] == "date_time"]
        assert when["unix_time"] == int(AIRS.timestamp()) and when["date_time_format"] == "wDt"
        assert first.link_preview_options == {"is_disabled": True}

        await bot.advance(AIRS - timedelta(minutes=10))
        assert [m.plain_text.split(":")[0] for m in bot.received(FAN)] == [
            f"⏰ {TITLE}, episode 1, starts in 1 hour", f"⏰ {TITLE}, episode 1, starts in 10 minutes",
        ]
        await bot.advance(AIRS + timedelta(hours=1))
        assert len(bot.received(FAN)) == 2  # exactly once per lead


async def test_in_a_group_only_administrators_set_up_the_chat_and_its_reminders_arrive_there(tmp_path):
    async with telegram_bot(tmp_path) as (bot, server):
        server.set_role(GROUP, ADMIN, "administrator")
        refused = await bot.says(GROUP, MEMBER, f"/channel subscribe {TITLE}", chat_type="supergroup")
        assert refused.plain_text.startswith("Only admins of this chat can do that")
        assert refused.reply_parameters is not None  # answers quote the command in a group
        done = await bot.says(GROUP, ADMIN, f"/channel@{server.bot_username} subscribe {TITLE}", chat_type="supergroup")
        assert done.plain_text.startswith(f"Subscribed to {TITLE}")
        await bot.says(GROUP, ADMIN, "/channel timezone Seoul", chat_type="supergroup")
        assert server.requests["getChatMember"] == 2  # member once, admin once (then cached)

        # another bot's command gets nothing; this bot's, addressed by name, gets an answer
        server.push_message(GROUP, MEMBER, "/next@other_bot", chat_type="supergroup")
        answer = await bot.says(GROUP, MEMBER, f"/next@{server.bot_username}", chat_type="supergroup")
        assert answer.plain_text.startswith(f"Next: {TITLE} episode 1")
        assert "(Asia/Seoul)" in answer.plain_text
        assert len(server.sent_to(GROUP)) == 4  # refused, subscribed, zone set, next: nothing for other_bot

        await bot.advance(AIRS - timedelta(minutes=30))
        [reminder] = bot.received(GROUP)
        assert "Tue 21:00 (Asia/Seoul), 8 Jan 2030" in reminder.plain_text
        assert all(m.chat_id in (GROUP,) for m in server.sent)


async def test_an_ambiguous_name_offers_buttons_and_a_tap_subscribes_and_says_so(tmp_path):
    async with telegram_bot(tmp_path) as (bot, server):
        offer = await bot.says(FAN, FAN, "/subscribe Moon")
        assert offer.plain_text.startswith('"Moon" could be more than one: Moon Lovers, Moon River.')
        buttons = [row[0] for row in offer.reply_markup["inline_keyboard"]]
        assert [b["text"] for b in buttons] == ["Moon Lovers", "Moon River"]
        assert all(len(b["callback_data"].encode()) <= 64 for b in buttons)

        server.push_callback_query(FAN, FAN, buttons[1]["callback_data"], message_id=offer.message_id)
        await server.wait_until(lambda: len(server.edits) == 1, what="the offer edited")
        assert server.edits[0].message_id == offer.message_id
        assert server.edits[0].plain_text.startswith("Subscribed to Moon River")
        assert server.edits[0].reply_markup is None  # the buttons are gone
        assert server.callback_answers[0].text == "Done."

        # the same button again, a forged one, and one from another chat: a clear answer, no change
        server.push_callback_query(FAN, FAN, buttons[0]["callback_data"], message_id=offer.message_id)
        server.push_callback_query(FAN, FAN, "forged!!:0", message_id=offer.message_id)
        await server.wait_until(lambda: len(server.callback_answers) == 3, what="three answers")
        assert all("expired or is not valid" in a.text for a in server.callback_answers[1:])
        assert len(server.edits) == 1
        listing = await bot.says(FAN, FAN, "/subscriptions")
        assert "Moon River" in listing.plain_text and "Moon Lovers" not in listing.plain_text


async def test_a_non_admin_tapping_a_group_choice_is_told_no_and_the_buttons_stay(tmp_path):
    async with telegram_bot(tmp_path) as (bot, server):
        server.set_role(GROUP, ADMIN, "creator")
        offer = await bot.says(GROUP, ADMIN, "/channel subscribe Moon", chat_type="supergroup")
        data = offer.reply_markup["inline_keyboard"][0][0]["callback_data"]
        server.push_callback_query(GROUP, MEMBER, data, message_id=offer.message_id, chat_type="supergroup")
        await server.wait_until(lambda: len(server.callback_answers) == 1, what="an answer")
        assert server.callback_answers[0].text.startswith("Only admins of this chat")
        assert server.callback_answers[0].show_alert and server.edits == []
        server.push_callback_query(GROUP, ADMIN, data, message_id=offer.message_id, chat_type="supergroup")
        await server.wait_until(lambda: len(server.edits) == 1, what="the offer edited")
        assert server.edits[0].plain_text.startswith("Subscribed to Moon Lovers")


async def test_a_shared_link_subscribes_whoever_opens_it(tmp_path):
    async with telegram_bot(tmp_path) as (bot, server):
        shared = await bot.says(FAN, FAN, f"/share {TITLE}")
        link = f"https://t.me/{server.bot_username}?start=s-kisstell"
        assert shared.plain_text.endswith(link)
        assert {"type": "text_link", "url": link} .items() <= {**shared.entities[-1]}.items()

        opened = await bot.says(OTHER_FAN, OTHER_FAN, "/start s-kisstell")
        assert opened.plain_text.startswith(f"Subscribed to {TITLE}")
        stale = await bot.says(OTHER_FAN, OTHER_FAN, "/start s-nosuchshow")
        assert stale.plain_text.startswith("That link names no show or actor I know")
        greeting = await bot.says(OTHER_FAN, OTHER_FAN, "/start")
        assert greeting.plain_text.startswith("I remind you before every broadcast")
        await bot.advance(AIRS - timedelta(minutes=30))
        assert len(bot.received(OTHER_FAN)) == 1 and bot.received(FAN) == []


async def test_titles_from_the_catalog_and_from_feeds_are_escaped(tmp_path):
    async with telegram_bot(tmp_path) as (bot, server):
        await bot.says(FAN, FAN, f"/subscribe {TITLE}")
        # an article's title and summary are text (bot.integrations.feeds takes markup off HTML fields only),
        # so what looks like a tag here is text and must reach the reader as written
        await bot.process.core.news.publish_article(Article(
            feed="soompi", id="1", title="Kiss & <Tell> wins <b>big</b>",
            link="https://example.com/a?x=1&y=2", summary="A & B <i>not italic</i> <3",
        ))
        await bot.process.core.idle()
        [news] = bot.received(FAN, "📰")
        assert news.plain_text == "📰 Kiss & <Tell> wins <b>big</b>\nA & B <i>not italic</i> <3\nFrom soompi · You follow: Kiss & <Tell>"
        assert [e["type"] for e in news.entities] == ["text_link"]  # no bold or italic smuggled in
        assert news.entities[0]["url"] == "https://example.com/a?x=1&y=2"
        assert news.link_preview_options == {"is_disabled": False}  # news shows its preview


async def test_a_subscription_made_in_a_forum_topic_is_delivered_into_that_topic(tmp_path):
    async with telegram_bot(tmp_path) as (bot, server):
        server.set_role(GROUP, ADMIN, "administrator")
        answer = await bot.says(GROUP, ADMIN, f"/channel subscribe {TITLE}", chat_type="supergroup",
                                message_thread_id=77, is_topic_message=True)
        assert answer.message_thread_id == 77
        general = await bot.says(GROUP, ADMIN, "/channel list", chat_type="supergroup")
        assert general.message_thread_id is None and "follows nothing yet" in general.plain_text
        await bot.advance(AIRS - timedelta(minutes=30))
        [reminder] = bot.received(GROUP)
        assert reminder.message_thread_id == 77


async def test_the_command_menu_lists_personal_commands_and_channel_for_administrators(tmp_path):
    async with telegram_bot(tmp_path) as (bot, server):
        private = [name for name, _ in server.commands_for({"type": "all_private_chats"})]
        admins = [name for name, _ in server.commands_for({"type": "all_chat_administrators"})]
        assert private[:3] == ["subscribe", "unsubscribe", "subscriptions"] and "share" in private
        assert "channel" not in private and "start" not in private
        assert admins == private + ["channel"]
        assert "/channel subscribe|unsubscribe|list|timezone|remind" in dict(
            server.commands_for({"type": "all_chat_administrators"}))["channel"]



async def test_a_fan_whose_telegram_app_is_in_korean_gets_korean_replies_and_reminders(tmp_path):
    async with telegram_bot(tmp_path) as (bot, server):
        server.set_language(4242, "ko")
        reply = await bot.says(4242, 4242, "/help")
        assert reply.plain_text.startswith("구독한 K-드라마의 방송 전에")
        server.set_language(4242, "fr")  # the chat remembered Korean from the first message
        assert (await bot.says(4242, 4242, "/language")).plain_text.startswith("여기서는 한국어로 써요.")
        english = await bot.says(4343, 4343, "/help")
        assert english.plain_text.startswith("I remind you")


async def test_the_command_menu_is_also_set_in_korean_for_korean_apps(tmp_path):
    async with telegram_bot(tmp_path) as (bot, server):
        english = dict(server.commands_for({"type": "all_private_chats"}))
        korean = dict(server.commands_for({"type": "all_private_chats"}, language_code="ko"))
        assert list(korean) == list(english)  # command names unchanged
        assert korean["subscribe"] == "드라마(알림과 뉴스)나 배우(뉴스와 출연작 알림) 구독하기"
        assert english["subscribe"].startswith("follow a show")
        admins = dict(server.commands_for({"type": "all_chat_administrators"}, language_code="ko"))
        assert admins["channel"].startswith("이 그룹이나 서버 채널의 관리자 설정: /channel subscribe|") and admins["channel"].endswith("(관리자)")


async def test_a_channel_admin_posts_the_setup_in_the_channel_and_reminders_arrive_as_posts(tmp_path):
    channel = -100999000
    async with telegram_bot(tmp_path) as (bot, server):
        text = f"/channel subscribe {TITLE}"
        server.push_update({"channel_post": {
            "message_id": 1, "date": 0, "chat": {"id": channel, "type": "channel", "title": "K-drama news"},
            "sender_chat": {"id": channel, "type": "channel", "title": "K-drama news"}, "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len("/channel")}],
        }})
        assert (await bot.reply_to(channel)).startswith(f"Subscribed to {TITLE}")
        assert server.requests["getChatMember"] == 0  # only a channel's admins can post in it
        await bot.advance(AIRS - timedelta(minutes=30))
        assert len(bot.received(channel)) == 1
