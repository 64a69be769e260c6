"""A fan reads the bot in their language: Korean when their app is in Korean or they chose it,
English otherwise (a French app too)."""

from bot.commands import COMMANDS
from bot.domain.interfaces import DeliveryError


async def test_a_fan_whose_telegram_is_in_korean_gets_korean_help(make_story):
    story = await make_story()
    fan = story.chat("telegram", "100", language="ko")
    reply = await fan.say("/help")
    assert reply.startswith("구독한 K-드라마의 방송 전에 여러분의 시간대로 알려 드리고")
    assert "/subscribe &lt;show or actor&gt;: 드라마(알림과 뉴스)나 배우(뉴스와 출연작 알림) 구독하기" in reply
    assert "방송 일정은 TVmaze(tvmaze.com)에서 CC BY-SA로 제공받아요." in reply
    assert "I remind you" not in reply
    assert await fan.say("/frobnicate") == "/frobnicate 명령어는 몰라요. /help를 입력하면 명령어를 볼 수 있어요."


async def test_english_and_french_apps_get_english(make_story):
    story = await make_story()
    for chat, language in (("100", "en"), ("200", "fr"), ("300", None)):
        reply = await story.chat("telegram", chat, language=language).say("/help")
        assert reply.startswith("I remind you before every broadcast"), language
        assert f"/{COMMANDS[0].name} &lt;show or actor&gt;: follow a show" in reply


async def test_language_en_switches_and_survives_a_restart(make_story):
    story = await make_story()
    fan = story.chat("telegram", "100", language="ko")
    assert await fan.say("/language") == (
        "여기서는 <b>한국어</b>로 써요. /language en 또는 /language ko로 바꿀 수 있어요 (English, 한국어)."
    )
    assert await fan.say("/language en") == "From now on I write here in <b>English</b>."
    await story.stop()
    await story.start()
    assert (await fan.say("/help")).startswith("I remind you before every broadcast")  # the app still says Korean
    assert await fan.say("/language 한국어") == "이제 여기서는 <b>한국어</b>로 쓸게요."
    assert await fan.say("/language klingon") == (
        '아직 "klingon" 언어는 쓸 수 없어요. /language en 또는 /language ko 중에서 고르세요 (English, 한국어).'
    )


async def test_a_groups_admins_choose_its_language_with_channel_language(make_story):
    story = await make_story()
    admin = story.chat("telegram", "-5", user="1", admin=True)
    assert "/channel language" in await admin.say("/language ko")
    assert await admin.say("/channel language ko") == "이제 여기서는 <b>한국어</b>로 쓸게요."
    member = story.chat("telegram", "-5", user="2", language="en")
    assert (await member.say("/help")).startswith("구독한 K-드라마의")  # the group's choice wins over the member's app
    assert await member.say("/channel subscribe Queen of Tears") == (
        "이 채팅의 관리자만 할 수 있어요 (Discord: 서버 관리 권한, Telegram: 그룹 관리자). 아무것도 바뀌지 않았어요."
    )


async def test_a_korean_fan_gets_a_korean_reminder_under_the_korean_title(make_story):
    story = await make_story(start="2022-12-20T00:00:00Z")
    fan = story.chat("telegram", "100", language="ko")
    english = story.chat("telegram", "200", language="fr")
    for chat in (fan, english):
        await chat.say("/timezone Seoul")
        await chat.say("/remind 1h")
        await chat.say("/subscribe The Interest of Love")
    await story.advance("2022-12-21T13:30:00Z")
    [korean] = fan.received("reminder")
    assert korean.text == "⏰ <b>사랑의 이해</b> 1회, 1시간 후 시작: 12월 21일 (수) 오후 10:30 (Asia/Seoul) (JTBC)."
    [other] = english.received("reminder")
    assert other.text.startswith("⏰ <b>The Interest of Love</b>, episode 1, starts in 1 hour: Wed 22:30 (Asia/Seoul)")


async def test_settings_are_answered_in_korean(make_story):
    story = await make_story(start="2022-12-20T00:00:00Z")
    fan = story.chat("telegram", "100", language="ko-KR")
    assert await fan.say("/timezone Seoul") == "시간대를 <b>Asia/Seoul</b>로 설정했어요. 지금 현지 시간: 화 오전 9:00 (Asia/Seoul)."
    assert await fan.say("/remind 1h 10m") == "이제 알림이 회차마다 1시간과 10분 전에 와요."
    assert await fan.say("/remind 30m 0m") == "이제 알림이 회차마다 30분 전과 방송 시작 때 와요."
    group = story.chat("telegram", "-7", user="100", language="ko")
    assert await group.say("/remind 1h") == (
        "그룹에서는 관리자가 /channel remind &lt;lead ...&gt; 명령어로 이 채팅의 알림을 정해요. "
        "개인 알림은 저와의 개인 채팅에서 /remind를 보내 주세요."
    )


async def test_a_korean_fan_subscribes_and_reads_korean_titles(make_story):
    story = await make_story(start="2022-12-20T00:00:00Z")
    fan = story.chat("telegram", "100", language="ko")
    await fan.say("/timezone Seoul")
    reply = await fan.say("/subscribe The Interest of Love")
    assert reply.splitlines() == [
        "<b>사랑의 이해</b>를 구독했어요. 회차마다 방송 전에 알려 드리고 뉴스도 전해 드려요.",
        "다음 방송: 사랑의 이해 1회, 12월 21일 (수) 오후 10:30 (Asia/Seoul), 1일 13시간 30분 후.",
        "알림은 30분 전에 오고, 시간은 Asia/Seoul 기준이에요. /remind와 /timezone으로 바꿀 수 있어요.",
    ]
    assert await fan.say("/subscriptions") == (
        "이 채팅의 구독 목록:\n• <b>사랑의 이해</b> (드라마)\n알림은 회차마다 30분 전에, 시간은 Asia/Seoul 기준이에요."
    )
    assert await fan.say("/subscribe 사랑의 이해") == (
        "이 채팅은 이미 <b>사랑의 이해</b>를 구독하고 있어요. /subscriptions 명령어로 구독 목록을 볼 수 있어요."
    )
    assert await fan.say("/unsubscribe The Interest of Love") == (
        "<b>사랑의 이해</b> 구독을 취소했어요. 이제 여기로 알림이나 뉴스를 보내지 않아요."
    )


async def test_a_korean_fan_asks_what_is_next_and_for_an_unknown_name(make_story):
    story = await make_story(start="2022-12-20T00:00:00Z")
    fan = story.chat("telegram", "100", language="ko")
    await fan.say("/timezone Seoul")
    assert await fan.say("/next 사랑의 이해") == (
        "다음 방송: <b>사랑의 이해</b> 1회, 12월 21일 (수) 오후 10:30 (Asia/Seoul), 1일 13시간 30분 후."
    )
    assert await fan.say("/subscribe Totally Unknown Drama") == (
        '"Totally Unknown Drama"라는 드라마나 배우를 몰라요. 철자를 확인하거나 영어 또는 한국어 제목, 배우 이름으로 해 보세요.'
    )
    assert (await fan.say("/subscribe 없는드라마 제목")).startswith('"없는드라마 제목"이라는 드라마나 배우를 몰라요.')
    await fan.say("/subscribe The Interest of Love")
    schedule = await fan.say("/schedule")
    assert schedule.splitlines()[:2] == ["앞으로 7일 일정 (Asia/Seoul 기준):", "• 12월 21일 (수) 오후 10:30 (Asia/Seoul): <b>사랑의 이해</b> 1회"]


async def test_a_korean_fan_gets_news_framed_in_korean_with_the_korean_title(make_story):
    story = await make_story(start="2022-12-20T00:00:00Z")
    fan = story.chat("telegram", "1", language="ko")
    await fan.say("/subscribe The Interest of Love")
    await story.publish(
        feed="soompi", id="9", title="The Interest of Love tops the ratings", link="https://news.example.test/top/",
        summary="",
    )
    [news] = fan.received("news")
    assert news.text == (
        '📰 <a href="https://news.example.test/top/">The Interest of Love tops the ratings</a>\n'
        "출처: soompi · 구독 중: 사랑의 이해"
    )


async def test_bad_settings_input_is_explained_in_korean(make_story):
    story = await make_story()
    fan = story.chat("telegram", "100", language="ko")
    assert await fan.say("/timezone Mars/Olympus_Mons") == (
        '모르는 시간대예요: "Mars/Olympus_Mons". Asia/Seoul, America/New_York 같은 IANA 시간대나 '
        "Seoul, London, New York 같은 도시를 입력하세요."
    )
    assert await fan.say("/remind 8d") == "8d는 너무 일러요. 알림 시점은 최대 7일(7d) 전이에요."
    assert await fan.say("/remind 10m 20m 30m 40m") == "알림 시점은 최대 3개예요. 예: /remind 1d 1h 10m"


async def test_a_korean_fans_reminder_retried_after_a_restart_is_still_in_korean(make_story):
    story = await make_story(start="2022-12-20T00:00:00Z")
    fan = story.chat("telegram", "100", language="ko")
    await fan.say("/timezone Seoul")
    await fan.say("/remind 1h")
    await fan.say("/subscribe The Interest of Love")
    story.sim.adapter("telegram").failures["100"] = DeliveryError("502 Bad Gateway")
    await story.advance("2022-12-21T12:30:10Z")  # the reminder failed: its retry is due in 30 s
    del story.sim.adapter("telegram").failures["100"]
    await story.stop()
    await story.start()  # a new process retries it, knowing nothing of the chat but what is stored
    await story.advance("2022-12-21T12:40:00Z")
    [reminder] = fan.received("reminder")
    assert reminder.text == "⏰ <b>사랑의 이해</b> 1회, 1시간 후 시작: 12월 21일 (수) 오후 10:30 (Asia/Seoul) (JTBC)."


async def test_why_tvmaze_could_not_be_asked_is_said_in_korean(make_story, fake_tvmaze):
    story = await make_story(start="2027-01-04T00:00:00Z", tvmaze={"base_url": fake_tvmaze.url})
    fan = story.chat("telegram", "100", language="ko")
    fake_tvmaze.fail = ["500", "500"]
    assert await fan.say("/subscribe Anything") == (
        '"Anything"이라는 드라마나 배우가 카탈로그에 없고, TVmaze에도 물어볼 수 없었어요: '
        "TVmaze가 오류로 답했어요 (500). 나중에 다시 해 보세요."
    )
    fake_tvmaze.fail = ["garbage", "garbage"]
    assert (await fan.say("/subscribe Anything")).endswith("TVmaze가 올바른 JSON이 아닌 답을 보냈어요. 나중에 다시 해 보세요.")


async def test_the_owners_help_fits_one_discord_message_in_both_languages(make_story):
    story = await make_story(owners=["telegram:1", "discord:1"])
    for platform in ("telegram", "discord"):
        for language in ("en", "ko"):
            owner = story.chat(platform, "1", language=language)
            await owner.say(f"/language {language}")
            reply = await owner.say("/help")
            assert "/feeds add" in reply and "/show move" in reply
            assert len(reply) <= 2000, (platform, language, len(reply))
