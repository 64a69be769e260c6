"""The Discord adapter's pure parts: the autocomplete index, embeds, and how refusals are read."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import discord
import pytest

from adapters.discord.completion import MAX_CHOICES, NameCompleter
from adapters.discord.errors import DMS_CLOSED_REASON, delivery_error
from adapters.discord.messages import embed_of, post_of
from adapters.discord.urls import pointed_at, rest_base
from bot.app.news import news_message
from bot.domain.article import Article
from bot.domain.i18n import stored_reason
from bot.domain.interfaces import DeliveryError, Outgoing, RateLimited, Unreachable
from bot.domain.names import Target
from bot.domain.render import Bold, Countdown, Message, When

NAMES = [("The Interest of Love", "The Interest of Love"), ("사랑의 이해", "The Interest of Love"),
         ("Queen of Tears", "Queen of Tears"), ("Queenmaker", "Queenmaker"), ("Moon Ga Young", "Moon Ga Young"),
         ("Moon Ga-young", "Moon Ga Young"), ("Jisoo", "show: Jisoo"), ("Jisoo", "actor: Jisoo")]


def test_completion_prefers_names_it_starts_then_names_it_is_inside_one_choice_per_target():
    completer = NameCompleter(NAMES)
    assert completer.complete("quee") == [("Queenmaker", "Queenmaker"), ("Queen of Tears", "Queen of Tears")]  # key order
    assert completer.complete("LOVE") == [("The Interest of Love", "The Interest of Love")]
    assert completer.complete("moon ga-y") == [("Moon Ga Young", "Moon Ga Young")]  # one choice for two spellings
    assert completer.complete("사랑") == [("사랑의 이해 → The Interest of Love", "The Interest of Love")]
    assert completer.complete("jisoo") == [("Jisoo → show: Jisoo", "show: Jisoo"), ("Jisoo → actor: Jisoo", "actor: Jisoo")]
    assert completer.complete("maker") == [("Queenmaker", "Queenmaker")]
    assert completer.complete("zzz") == [] and completer.complete("a\nb") == []
    assert len(completer.complete("")) == 6  # distinct targets


def test_completion_stops_at_25_choices_of_at_most_100_characters():
    completer = NameCompleter([(f"Show {n:05d} " + "x" * 120, f"Show {n:05d}") for n in range(100)])
    found = completer.complete("show")
    assert len(found) == MAX_CHOICES and all(len(name) <= 100 and len(value) <= 100 for name, value in found)


def test_a_reminder_embed_has_the_title_and_the_times_each_reader_sees_in_their_zone():
    start = datetime(2022, 12, 21, 13, 30, tzinfo=UTC)
    body = Message.of("⏰ ", Bold("The Interest of Love"), ", episode 1, starts ", Countdown(start, start),
                      ": ", When(start, ZoneInfo("Asia/Seoul")), " (JTBC).")
    embed = embed_of(body)
    assert embed.title == "⏰ The Interest of Love" and embed.url is None
    assert embed.description == "Episode 1, starts <t:1671629400:R>: <t:1671629400:F> (JTBC)."


def test_a_news_embed_links_its_title_and_escapes_feed_text():
    article = Article("soompi", "1", "Stars *shine* at @everyone's party", "https://example.com/a", "A _great_ night")
    embed = embed_of(news_message(article, [Target("actor", "moon", "Moon Ga Young")]))
    assert embed.title == "📰 Stars \\*shine\\* at @\u200beveryone's party" and embed.url == "https://example.com/a"
    assert embed.description == "A \\_great\\_ night\nFrom soompi · You follow: Moon Ga Young"
    post = post_of(Outgoing("news", news_message(article, []), mention="123"))
    assert post["content"] is None and post["allowed_mentions"].to_dict() == {"parse": []}  # no role ping on news


def _http_error(cls: type[discord.HTTPException], status: int, code: int, headers: dict | None = None):
    response = SimpleNamespace(status=status, reason="x", headers=headers or {})
    return cls(response, {"code": code, "message": "refused"})


@pytest.mark.parametrize(("error", "kind", "text"), [
    (_http_error(discord.Forbidden, 403, 50007), Unreachable, "Discord refused my direct message to you (error 50007)"),
    (_http_error(discord.Forbidden, 403, 50013), Unreachable, "I lost permission to post there (Discord error 50013: refused)"),
    (_http_error(discord.NotFound, 404, 10003), Unreachable, "the channel was deleted"),
    (_http_error(discord.HTTPException, 429, 0, {"Retry-After": "7"}), RateLimited, "Cloudflare"),
    (_http_error(discord.DiscordServerError, 503, 0), DeliveryError, "Discord answered 503"),
    (discord.RateLimited(45.0), RateLimited, "wait 45 s"),
    (OSError("connection reset"), DeliveryError, "cannot reach Discord"),
])
def test_refusals_pause_the_chat_rate_limits_wait_and_the_rest_is_retried(error, kind, text):
    read = delivery_error(error)
    said = stored_reason("en", str(read)) if isinstance(read, Unreachable) else str(read)  # a pause reason is stored as an id
    assert type(read) is kind and text in said
    assert len(DMS_CLOSED_REASON) <= 200  # the store keeps 200 characters of a pause reason
    if isinstance(read, RateLimited):
        assert read.scope == "platform" and read.retry_after in (7.0, 45.0)


def test_the_rest_url_gets_the_api_version_once():
    assert rest_base("http://proxy:8080/") == "http://proxy:8080/api/v10"
    assert rest_base("http://proxy:8080/api/v9") == "http://proxy:8080/api/v9"


def test_overlapping_url_blocks_keep_the_newest_running_ones_urls_and_restore_discords_after_the_last():
    from discord.gateway import DiscordWebSocket
    from discord.http import Route

    original = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    first, second = pointed_at("http://one:1", "ws://one:1/ws"), pointed_at("http://two:2", "ws://two:2/ws")
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)  # the first adapter stops while the second runs on
    assert Route.BASE == "http://two:2/api/v10" and str(DiscordWebSocket.DEFAULT_GATEWAY) == "ws://two:2/ws"
    second.__exit__(None, None, None)
    assert (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY) == original
