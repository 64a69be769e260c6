"""An owner whose app is in Korean corrects the catalog and manages the news feeds in Korean:
every reply and refusal, with only titles, names, addresses and command words left as they are."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

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


def latin_words(reply: str) -> list[str]:
    """The Latin words of a reply outside bold names and addresses."""
    return re.findall(r"[A-Za-z]{2,}", re.sub(r"<b>[^<]*</b>|https?://\S+", "", reply))


async def test_a_korean_owner_reads_why_a_feed_fails_in_korean(make_story, feed_server: FeedServer):
    feed_server.mode = "slow"  # the poll at start gives up after the 1 s timeout
    news = configured(feed_server) | {"timeout": 1}
    story = await make_story(start=START.isoformat(), poll_feeds=True, owners=["telegram:9"], news=news)
    owner = story.chat("telegram", "9", language="ko")
    timed_out = korean(await owner.say("/feeds"))
    assert f"{feed_server.url('/wp/feed/')}: 실패 중: 1번 연속 실패 (1초 안에 응답이 없었어요); 아직 새 기사 없음" in timed_out
    assert latin_words(timed_out) == []
    feed_server.mode = "500"
    await story.advance(START + timedelta(minutes=40))  # the next try, 30 minutes (give or take 10 %) after the first
    failing = korean(await owner.say("/feeds"))
    assert "실패 중: 2번 연속 실패 (서버가 오류 코드 500으로 답했어요)" in failing
    assert latin_words(failing) == []
    store = story.sim.process.core.store  # an error stored by an older version, in its words: shown as it is
    state = await store.feed_state("kdrama-news")
    assert state is not None
    await store.save_feed_state(replace(state, last_error="timed out after 20 s"))
    assert "실패 중: 2번 연속 실패 (timed out after 20 s)" in await owner.say("/feeds")
    feed_server.mode = "html"
    refused = korean(await owner.say(f"/feeds add {feed_server.url('/wp/feed/?page=2')} other"))
    assert refused == (f"{feed_server.url('/wp/feed/?page=2')}: 읽을 수 있는 피드가 아니에요 "
                       "(받은 문서가 RSS나 Atom 피드가 아니에요). 아무것도 추가하지 않았어요.")


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
