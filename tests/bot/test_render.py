"""One reminder, three renderings: Telegram HTML, Discord markdown, plain text for the console."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.render import Bold, Countdown, Link, Message, When, render_for, to_discord_markdown, to_plain, to_telegram_html

UTC = UTC
NEW_YORK = ZoneInfo("America/New_York")
EPISODE_1 = datetime(2022, 12, 21, 13, 30, tzinfo=UTC)
UNIX = 1671629400  # EPISODE_1 as a Unix timestamp


def reminder(title: str = "The Interest of Love") -> Message:
    return Message.of(
        "⏰ ",
        Bold(title),
        ", episode 1, starts ",
        Countdown(EPISODE_1, EPISODE_1 - timedelta(minutes=30)),
        ": ",
        When(EPISODE_1, NEW_YORK),
        " (JTBC). ",
        Link("Details", "https://example.test/show?id=1&ep=1"),
    )


def test_unix_constant_is_episode_one():
    assert int(EPISODE_1.timestamp()) == UNIX


# ---- plain text -----------------------------------------------------------------------------


def test_console_writes_the_time_in_the_recipients_zone_with_the_date():
    assert to_plain(reminder()) == (
        "⏰ The Interest of Love, episode 1, starts in 30 minutes: "
        "Wed 08:30 (America/New_York), 21 Dec 2022 (JTBC). Details <https://example.test/show?id=1&ep=1>"
    )


def test_when_without_date_writes_only_weekday_and_time():
    assert to_plain(Message.of(When(EPISODE_1, ZoneInfo("Australia/Sydney"), with_date=False))) == (
        "Thu 00:30 (Australia/Sydney)"
    )


@pytest.mark.parametrize(
    "left, words",
    [
        (timedelta(hours=1, minutes=1), "in 1 hour 1 minute"),
        (timedelta(minutes=1), "in 1 minute"),
        (timedelta(seconds=59, milliseconds=500), "in 1 minute"),  # a 1m reminder fired half a second late
        (timedelta(minutes=29, seconds=58), "in 30 minutes"),
        (timedelta(seconds=29), "now"),
        (timedelta(seconds=-29), "now"),
        (timedelta(minutes=-1), "1 minute ago"),
        (timedelta(minutes=-5), "5 minutes ago"),
        (timedelta(days=-2, hours=-3), "2 days 3 hours ago"),
    ],
)
def test_countdown_in_words(left, words):
    assert to_plain(Message.of(Countdown(EPISODE_1, EPISODE_1 - left))) == words


def test_lines_are_joined_with_newlines():
    message = Message.lines(Message.of("Next: ", Bold("Queen of Tears")), "Nothing else this week")
    assert to_plain(message) == "Next: Queen of Tears\nNothing else this week"


# ---- Telegram HTML --------------------------------------------------------------------------


def test_telegram_uses_b_and_a_href_and_writes_the_time_out():
    assert to_telegram_html(reminder()) == (
        "⏰ <b>The Interest of Love</b>, episode 1, starts in 30 minutes: "
        "Wed 08:30 (America/New_York), 21 Dec 2022 (JTBC). "
        '<a href="https://example.test/show?id=1&amp;ep=1">Details</a>'
    )


def test_telegram_escapes_ampersand_and_angle_brackets_in_titles():
    html = to_telegram_html(reminder("Love & War <Special> 3 > 2"))
    assert "<b>Love &amp; War &lt;Special&gt; 3 &gt; 2</b>" in html
    assert "<Special>" not in html


def test_telegram_escapes_plain_text_and_link_text_and_quotes_in_urls():
    message = Message.of("a < b & c", Link("<more>", 'https://x.test/?q="1"&r=2'))
    assert to_telegram_html(message) == 'a &lt; b &amp; c<a href="https://x.test/?q=&quot;1&quot;&amp;r=2">&lt;more&gt;</a>'


def test_telegram_leaves_markdown_characters_alone():
    assert to_telegram_html(Message.of(Bold("*Love* _War_"))) == "<b>*Love* _War_</b>"


# ---- Discord markdown -----------------------------------------------------------------------


def test_discord_uses_bold_and_timestamp_markup():
    assert to_discord_markdown(reminder()) == (
        f"⏰ **The Interest of Love**, episode 1, starts <t:{UNIX}:R>: <t:{UNIX}:F> (JTBC). "
        "[Details](<https://example.test/show?id=1&ep=1>)"
    )


def test_discord_timestamp_does_not_depend_on_the_zone_it_was_built_with():
    seoul = EPISODE_1.astimezone(ZoneInfo("Asia/Seoul"))
    assert to_discord_markdown(Message.of(When(seoul, ZoneInfo("Asia/Seoul")))) == f"<t:{UNIX}:F>"


def test_discord_escapes_markdown_characters_in_text():
    assert to_discord_markdown(Message.of("*Love* _and_ ~War~ `x` ||spoiler|| [a](b) back\\slash")) == (
        "\\*Love\\* \\_and\\_ \\~War\\~ \\`x\\` \\|\\|spoiler\\|\\| \\[a\\](b) back\\\\slash"
    )


def test_discord_escapes_markdown_inside_bold_and_link_text():
    message = Message.of(Bold("**Love**"), " ", Link("[click]", "https://x.test/"))
    assert to_discord_markdown(message) == "**\\*\\*Love\\*\\***" + " " + "[\\[click\\]](<https://x.test/>)"


def test_discord_escapes_quote_heading_and_list_marks_at_line_starts_only():
    message = Message.lines("# Title", "> quote", "- item", "a - b # c > d")
    assert to_discord_markdown(message) == "\\# Title\n\\> quote\n\\- item\na - b # c > d"


@pytest.mark.parametrize("ping", ["@everyone", "@here"])
def test_discord_breaks_mass_mentions_everywhere(ping):
    rendered = to_discord_markdown(Message.of(f"hi {ping}", Bold(ping), Link(ping, "https://x.test/")))
    assert ping not in rendered
    assert rendered.count(ping.replace("@", "@\u200b")) == 3


def test_telegram_and_plain_keep_at_mentions_as_typed():
    message = Message.of("@everyone")
    assert to_telegram_html(message) == to_plain(message) == "@everyone"


# ---- choosing the renderer ------------------------------------------------------------------


@pytest.mark.parametrize(
    "platform, renderer",
    [("discord", to_discord_markdown), ("telegram", to_telegram_html), ("console", to_plain), ("irc", to_plain)],
)
def test_render_for_picks_the_platforms_renderer(platform, renderer):
    assert render_for(platform, reminder("Love & <War>")) == renderer(reminder("Love & <War>"))


def test_discord_breaks_user_and_role_mentions_from_feed_text():
    text = to_discord_markdown(Message.of("ping <@123> and <@&456>"))
    assert "<@123>" not in text and "<@&456>" not in text
    assert text == "ping <\u200b@123> and <\u200b@&456>"
