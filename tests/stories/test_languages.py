"""A fan reads the bot in their language: Korean when their app is in Korean or they chose it,
English otherwise (a French app too)."""

from bot.commands import COMMANDS


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
