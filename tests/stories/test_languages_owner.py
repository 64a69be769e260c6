"""An owner whose app is in Korean corrects the catalog and manages the news feeds in Korean:
every reply and refusal, with only titles, names, addresses and command words left as they are."""

from __future__ import annotations

import re

from tests.conftest import at
from tests.fakes.feeds_server import FeedServer
from tests.stories.test_news_feeds import START, configured

HANGUL = re.compile("[\uac00-\ud7a3]")
ENGLISH_WORDS = re.compile(r"\b(?:the|is|are|was|no|not|feed|feeds|show|done|added|removed|nothing|already)\b", re.I)


def korean(reply: str) -> str:
    """The reply, checked to be Korean: it has Hangul and no English sentence words outside
    quoted names, addresses and command words."""
    assert HANGUL.search(reply), reply
    words = re.sub(r"'[^']*'|\"[^\"]*\"|&quot;[^&]*&quot;|https?://\S+|/\w+(?: \w+)?|<b>[^<]*</b>|\[[^\]]*\]|&lt;[^&]*&gt;", "", reply)
    assert not ENGLISH_WORDS.search(words), reply
    return reply


async def test_a_korean_owner_corrects_the_catalog_in_korean(make_story):
    story = await make_story(start="2022-12-20T00:00:00Z", owners=["telegram:1"])
    fan, owner = story.chat("telegram", "100"), story.chat("telegram", "1", language="ko")
    await fan.say("/subscribe The Interest of Love")
    assert korean(await owner.say("/show skip The Interest of Love 2022-12-21")) == (
        "완료: <b>사랑의 이해</b>는 2022-12-21 (Asia/Seoul)에 방송하지 않아요. 구독자들에게 알렸어요."
    )
    assert korean(await owner.say("/show move The Interest of Love 2 2022-12-23 21:00")).startswith(
        "완료: <b>사랑의 이해</b> 2회는 12월 23일 (금) 오후 9:00 (Asia/Seoul)"
    )
    assert korean(await owner.say("/show skip The Interest of Love 2022-12-25")) == (
        "<b>사랑의 이해</b>: 2022-12-25 (Asia/Seoul)에 방송이 없어요. 아무것도 바꾸지 않았어요."
    )
    assert korean(await owner.say("/show move The Interest of Love 99 2022-12-23 21:00")) == (
        "<b>사랑의 이해</b>: 99회가 없어요. 아무것도 바꾸지 않았어요."
    )
    assert korean(await owner.say("/show skip Nothing Like It 2022-12-21")) == '"Nothing Like It"이라는 드라마가 없어요.'
    assert korean(await owner.say("/show skip tomorrow")).startswith("사용법: /show skip")
    assert korean(await owner.say("/show move The Interest of Love")).startswith("사용법: /show move")


async def test_a_korean_owner_manages_the_feeds_in_korean(make_story, feed_server: FeedServer):
    story = await make_story(start=START.isoformat(), poll_feeds=True, owners=["telegram:9"], news=configured(feed_server))
    owner = story.chat("telegram", "9", language="ko")
    listing = korean(await owner.say("/feeds"))
    assert listing.split("\n")[0] == "뉴스 피드 1개, 각각 15분마다 가져와요:"
    assert "<b>kdrama-news</b> (설정 파일)" in listing
    added = korean(await owner.say(f"/feeds add {feed_server.url('/atom.xml')} more-news"))
    assert added.startswith(f"피드 <b>more-news</b>를 추가했어요 ({feed_server.url('/atom.xml')}). 지금 항목이 ")
    assert added.endswith("멈추려면 /feeds remove more-news")
    assert "(추가됨)" in korean(await owner.say("/feeds"))
    refusals = [
        "/feeds add ftp://x.test/feed",
        f"/feeds add {feed_server.url('/atom.xml')} kdrama-news",
        f"/feeds add {feed_server.url('/wp/feed/')} again",
        f"/feeds add {feed_server.url('/atom.xml')} a|b",
        "/feeds remove kdrama-news",
        "/feeds remove nothing",
    ]
    for line in refusals:
        korean(await owner.say(line))
    assert await owner.say("/feeds remove nothing") == "이름이 'nothing'인 피드가 없어요. /feeds로 목록을 볼 수 있어요."
    assert korean(await owner.say("/feeds remove more-news")) == (
        f"피드 <b>more-news</b>를 삭제했어요 ({feed_server.url('/atom.xml')}). 더 이상 가져오지 않아요."
    )


async def test_a_name_shared_by_a_show_and_an_actor_is_offered_with_korean_words_that_work_when_typed(make_story, fake_tvmaze):
    catalog = {"shows": [{"title": "Jisoo", "network": "KBS",
                          "airings": [{"episode": 1, "at": at("2027-02-01T12:00:00Z")}]}],
               "actors": [{"name": "Ji Soo"}]}
    story = await make_story(start="2027-01-01T00:00:00Z", catalog=catalog)
    fan = story.chat("telegram", "100", language="ko")
    reply = await fan.say("/subscribe Ji Soo")
    assert "드라마: Jisoo, 배우: Ji Soo" in reply and "show:" not in reply and "actor:" not in reply
    choices = fan.received("reply")[-1].choices
    assert [c.label for c in choices] == ["드라마: Jisoo", "배우: Ji Soo"]
    picked = await story.sim.adapter("telegram").choose("100", "100", choices[1])
    assert picked is not None and "<b>Ji Soo</b>" in picked.text
    assert "<b>Jisoo</b>" in await fan.say("/unsubscribe 드라마: Jisoo")  # typed, the Korean word works too


async def test_a_korean_discord_fan_whose_dms_closed_is_told_why_in_korean_when_they_write_again(make_story):
    from types import SimpleNamespace

    import discord

    from adapters.discord.errors import delivery_error

    story = await make_story(start="2022-12-20T00:00:00Z")
    fan = story.chat("discord", "7", language="ko")
    await fan.say("/subscribe The Interest of Love")
    closed = discord.Forbidden(SimpleNamespace(status=403, reason="x", headers={}), {"code": 50007, "message": "refused"})
    story.sim.adapter("discord").failures["7"] = delivery_error(closed)
    await story.advance("2022-12-21T13:00:00Z")
    del story.sim.adapter("discord").failures["7"]
    reply = korean(await fan.say("/subscriptions"))
    assert reply.startswith(
        "이 채팅으로의 전송이 멈춰 있었어요(Discord가 다이렉트 메시지를 거부했어요 (오류 50007). "
        "Discord 개인정보 설정에서 같은 서버 멤버의 DM을 허용하고, DM에서 아무 명령어나 써 주세요). 이제 다시 보내요."
    )
