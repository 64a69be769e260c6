"""What fans and admins type, and what the bot answers; bad input changes nothing."""

import sqlite3
from datetime import UTC, date, datetime

import pytest

from bot.commands import COMMANDS


def database(story) -> dict:
    """Everything a chat's state is made of, read straight from the SQLite file."""
    with sqlite3.connect(story.sim.db_path) as db:
        return {
            table: sorted(db.execute(f"SELECT * FROM {table}").fetchall())
            for table in ("chats", "subscriptions", "deliveries", "articles")
        }


async def fan_with_settings(make_story, platform="telegram", chat="100"):
    story = await make_story(start="2022-12-20T00:00:00Z")
    fan = story.chat(platform, chat)
    await fan.say("/timezone New York")
    await fan.say("/remind 1h 10m")
    await fan.say("/subscribe The Interest of Love")
    return story, fan


BAD_INPUT = [
    ("/subscribe", "Tell me which show or actor, e.g. /subscribe The Interest of Love"),
    ("/subscribe    ", "Tell me which show or actor"),
    ("/subscribe Totally Unknown Drama", 'I know no show or actor called "Totally Unknown Drama"'),
    ("/subscribe !!!", 'I know no show or actor called "!!!". Check the spelling'),
    ("/subscribe Kim", '"Kim" could be more than one: Kim Ji Won, Kim Soo Hyun. Type one of them in full'),
    ("/unsubscribe Nothing Like This", "I know no show or actor called"),
    ("/unsubscribe Queen of Tears", "This chat does not follow <b>Queen of Tears</b>"),
    ("/timezone Mars/Olympus_Mons", 'Unknown time zone "Mars/Olympus_Mons"'),
    ("/timezone PST", "several zones share"),
    ("/timezone " + "x" * 200, "too long for a time zone"),
    ("/remind soon", '"soon" is not a lead time. Use forms like 30m, 1h, 1h30m, 1d or 0m'),
    ("/remind 8d", "at most 7 days"),
    ("/remind 10m 20m 30m 40m", "At most 3 lead times"),
    ("/remind -5m", "is not a lead time"),
    ("/remind 1h30", "is not a lead time"),
    ("/frobnicate", "I don't know the command /frobnicate. Type /help"),
    ("/", "I don't know the command /. Type /help"),
    ("hello there", "I answer commands that start with /. Type /help"),
    ("/subscribe " + "a" * 10_000, "That message is 10,011 characters long; commands are at most 500"),
    ("x" * 10_000, "That message is 10,000 characters long"),
    ("/channel subscribe Queen of Tears", "/channel commands set up a group chat or server channel"),
    ("/next Unknown Thing", "I know no show or actor called"),
]


@pytest.mark.parametrize("text, expected", BAD_INPUT)
async def test_bad_input_gets_a_clear_reply_and_changes_nothing(make_story, text, expected):
    story, fan = await fan_with_settings(make_story)
    before = database(story)
    reply = await fan.say(text)
    assert expected in reply
    assert len(reply) < 400
    assert database(story) == before
    # and the earlier state still works: the reminder comes as set up before
    await story.advance("2022-12-21T13:30:00Z")
    assert len(fan.received("reminder")) == 2


async def test_help_lists_every_command_a_person_can_use_and_fits_one_message(make_story):
    story = await make_story(owners=["telegram:1"])
    fan, owner = story.chat("telegram", "100"), story.chat("telegram", "1")
    for who, reply in ((fan, await fan.say("/help")), (owner, await owner.say("/help"))):
        for command in COMMANDS:
            if command.hidden or not command.available_on("telegram"):
                continue
            shown = who is owner or not command.owner_only  # nobody else can use the owners' commands
            if command.subcommands:
                for sub in command.subcommands:
                    assert (f"/{command.name} {sub.name}" in reply) == shown
            else:
                assert (f"/{command.name}" in reply) == shown
        assert len(reply) <= 2000  # one Discord message, with Telegram's escapes
        assert reply == await who.say("/start")


async def test_settings_are_shown_back(make_story):
    story, fan = await fan_with_settings(make_story)
    assert await fan.say("/timezone") == (
        "Times here are shown in <b>America/New_York</b> (now Mon 19:00 (America/New_York)). "
        "Change it with /timezone &lt;city or zone&gt;, e.g. /timezone America/New_York."
    )
    assert "Reminders come 1h and 10m before each episode." in await fan.say("/remind")
    assert await fan.say("/subscriptions") == (
        "This chat follows:\n• <b>The Interest of Love</b> (show)\n"
        "Reminders 1h and 10m before each episode, times in America/New_York."
    )


async def test_fuzzy_and_hangul_names(make_story):
    story = await make_story()
    fan = story.chat()
    assert "Subscribed to <b>The Interest of Love</b>" in await fan.say("/subscribe intrest of love")
    assert "Following <b>Moon Ga Young</b>" in await fan.say("/subscribe 문가영")
    assert "Following <b>Jung Ga Ram</b>" in await fan.say("/subscribe JUNG GA-RAM")
    assert "already follows <b>The Interest of Love</b>" in await fan.say("/subscribe 사랑의 이해")
    assert "Subscribed to <b>Queen of Tears</b>" in await fan.say("/subscribe queen of tears")


async def test_subscribing_to_a_finished_show_says_so(make_story):
    story = await make_story(start="2024-05-01T00:00:00Z")
    reply = await story.chat().say("/subscribe Queen of Tears")
    assert reply == (
        "Subscribed to <b>Queen of Tears</b>: reminders before every episode, and its news.\n"
        "It finished airing on 28 Apr 2024; you will still get its news."
    )


async def test_next_and_schedule_in_the_fans_zone(make_story):
    story, fan = await fan_with_settings(make_story)
    assert await fan.say("/next") == (
        "Next: <b>The Interest of Love</b> episode 1, Wed 08:30 (America/New_York), 21 Dec 2022, in 1 day 13 hours 30 minutes."
    )
    await story.advance("2022-12-21T14:00:00Z")
    assert await fan.say("/next 유연석") == (
        "Next: <b>The Interest of Love</b> episode 2, Thu 08:30 (America/New_York), 22 Dec 2022, in 23 hours 30 minutes."
    )
    assert await fan.say("/next") == await fan.say("/next The Interest of Love")
    assert await fan.say("/schedule") == (
        "The next 7 days, in America/New_York:\n"
        "• Thu 08:30 (America/New_York), 22 Dec 2022: <b>The Interest of Love</b> episode 2\n"
        "• Wed 08:30 (America/New_York), 28 Dec 2022: <b>The Interest of Love</b> episode 3"
    )
    await story.advance("2023-03-01T00:00:00Z")
    assert await fan.say("/next") == "The Interest of Love (finished airing): no more episodes."
    assert await fan.say("/schedule") == "Nothing this chat follows airs in the next 7 days."


async def test_fan_with_nothing_followed_gets_hints(make_story):
    story = await make_story()
    fan = story.chat()
    assert "follows nothing yet" in await fan.say("/subscriptions")
    assert "follows nothing yet" in await fan.say("/next")
    assert "follows nothing yet" in await fan.say("/schedule")


async def test_non_admin_is_refused_in_a_group_and_nothing_changes(make_story):
    story = await make_story()
    admin = story.chat("discord", "-1", user="1", admin=True)
    await admin.say("/channel subscribe The Interest of Love")
    member = story.chat("discord", "-1", user="2", admin=False)
    before = database(story)
    for text in (
        "/channel subscribe Queen of Tears",
        "/channel unsubscribe The Interest of Love",
        "/channel timezone Seoul",
        "/channel remind 1h",
        "/channel list",
    ):
        assert "Only admins of this chat can do that" in await member.say(text)
        assert "Nothing was changed" in await member.say(text)
    for text, expected in (
        ("/subscribe Queen of Tears", "admins choose what this chat gets with /channel subscribe"),
        ("/unsubscribe The Interest of Love", "/channel unsubscribe"),
        ("/timezone Seoul", "/channel timezone"),
        ("/remind 1h", "/channel remind"),
    ):
        assert expected in await member.say(text)
    assert database(story) == before
    # reading is open to everyone in the group
    assert "The Interest of Love" in await member.say("/subscriptions")
    assert "Times here are shown in **UTC**" in await member.say("/timezone")


async def test_owner_from_config_is_an_admin_everywhere(make_story):
    story = await make_story(owners=["telegram:42"])
    owner = story.chat("telegram", "-9", user="42", admin=False)
    assert "Subscribed to" in await owner.say("/channel subscribe Queen of Tears")


async def test_admin_channel_commands(make_story):
    story = await make_story()
    admin = story.chat("telegram", "-77", user="5", admin=True)
    assert "Use one of: /channel subscribe" in await admin.say("/channel")
    assert '/channel has no "dance"' in await admin.say("/channel dance")
    assert await admin.say("/channel subscribe") == "Usage: /channel subscribe &lt;show or actor&gt;."
    assert "Time zone set to <b>Asia/Seoul</b>" in await admin.say("/channel timezone seoul")
    assert "1d and 1h before" in await admin.say("/channel remind 1h 1d")
    assert "Subscribed to" in await admin.say("/channel subscribe The Interest of Love")
    listing = await admin.say("/channel list")
    assert "<b>The Interest of Love</b> (show)" in listing
    assert "1d and 1h before each episode, times in Asia/Seoul" in listing
    assert "Unsubscribed" in await admin.say("/CHANNEL unsubscribe the interest of love")


async def test_group_chatter_is_ignored_and_bot_suffix_is_understood(make_story):
    story = await make_story()
    member = story.chat("telegram", "-3", user="8")
    assert await member.say("good morning everyone") == ""
    assert "follows nothing yet" in await member.say("/subscriptions@DramaBot")
    assert "/channel subscribe The Interest of Love" in await member.say("/subscriptions")


async def test_commands_for_other_bots_in_a_group_get_no_answer(make_story):
    story = await make_story()
    member = story.chat("telegram", "-3", user="8")
    assert await member.say("/roll 2d6") == ""  # another bot's command
    assert await member.say("/help@weather_bot") == ""
    assert await member.say("/subscriptions@weather_bot") == ""
    assert "I don't know the command /roll@dramabot" in await member.say("/roll@dramabot")
    fan = story.chat("telegram", "8")  # in private, everything gets an answer
    assert "I don't know the command /roll" in await fan.say("/roll 2d6")


async def test_group_replies_name_the_group_commands(make_story):
    story = await make_story(start="2022-12-20T00:00:00Z")
    admin = story.chat("telegram", "-5", user="1", admin=True)
    subscribed = await admin.say("/channel subscribe The Interest of Love")
    assert "Change them with /channel remind and /channel timezone." in subscribed
    assert "e.g. /channel remind 1d 1h 10m" in await admin.say("/channel remind 1m 2m 3m 4m")
    assert "/channel list lists everything it follows" in await admin.say("/channel subscribe The Interest of Love")
    assert "/channel list lists what it follows" in await admin.say("/channel unsubscribe Queen of Tears")
    fan = story.chat("telegram", "1")
    assert "Change them with /remind and /timezone." in await fan.say("/subscribe The Interest of Love")


async def test_unsubscribing_a_show_still_followed_through_an_actor_says_so(make_story):
    story, fan = await fan_with_settings(make_story)
    await fan.say("/subscribe Moon Ga Young")
    reply = await fan.say("/unsubscribe The Interest of Love")
    assert reply == (
        "Unsubscribed from <b>The Interest of Love</b>. Reminders for The Interest of Love still come because "
        "this chat follows Moon Ga Young; /unsubscribe Moon Ga Young stops them."
    )
    await story.advance("2022-12-21T13:30:00Z")
    assert len(fan.received("reminder")) == 2  # as the reply said
    reply = await fan.say("/unsubscribe Moon Ga Young")
    assert reply == "Unsubscribed from <b>Moon Ga Young</b>. No more reminders or news for it here."
    await story.advance("2022-12-22T13:30:00Z")
    assert len(fan.received("reminder")) == 2


async def test_unsubscribing_a_show_names_every_subscription_that_keeps_its_reminders_coming(make_story):
    story, fan = await fan_with_settings(make_story)
    await fan.say("/subscribe Moon Ga Young")
    await fan.say("/subscribe Yoo Yeon Seok")
    assert await fan.say("/unsubscribe The Interest of Love") == (
        "Unsubscribed from <b>The Interest of Love</b>. Reminders for The Interest of Love still come because "
        "this chat follows Moon Ga Young and Yoo Yeon Seok; /unsubscribe Moon Ga Young and /unsubscribe Yoo Yeon Seok "
        "stop them (all are needed)."
    )
    # asking again explains why reminders for a show it does not follow itself still come
    assert await fan.say("/unsubscribe The Interest of Love") == (
        "This chat does not follow <b>The Interest of Love</b> itself. Reminders for The Interest of Love come because "
        "this chat follows Moon Ga Young and Yoo Yeon Seok; /unsubscribe Moon Ga Young and /unsubscribe Yoo Yeon Seok "
        "stop them (all are needed)."
    )


async def test_finished_shows_are_named_so_for_actors_and_in_the_list(make_story):
    story = await make_story(start="2024-06-01T00:00:00Z")
    fan = story.chat("telegram", "5")
    assert await fan.say("/subscribe Kim Ji Won") == (
        "Following <b>Kim Ji Won</b>: news that mentions them; their shows here have all finished airing "
        "(Queen of Tears (finished airing)), so no reminders for now."
    )
    await fan.say("/subscribe Queen of Tears")
    listing = await fan.say("/subscriptions")
    assert "• <b>Kim Ji Won</b> (actor, all their shows have finished airing)" in listing
    assert "• <b>Queen of Tears</b> (show, finished airing 28 Apr 2024)" in listing


async def test_next_picks_the_earliest_airing_even_when_episodes_are_listed_out_of_order(make_story):
    shows = [{"title": "Moved Around", "airings": [
        {"episode": 1, "at": datetime(2026, 5, 1, 20, 0, tzinfo=UTC)},
        {"episode": 2, "at": datetime(2026, 5, 20, 20, 0, tzinfo=UTC)},
        {"episode": 3, "at": datetime(2026, 5, 10, 20, 0, tzinfo=UTC)},  # a special shown before episode 2
    ]}]
    story = await make_story(start="2026-05-02T00:00:00Z", catalog={"shows": shows})
    reply = await story.chat().say("/next Moved Around")
    assert reply.startswith("Next: <b>Moved Around</b> episode 3, Sun 20:00 (UTC), 10 May 2026, in 8 days 20 hours")


async def test_lead_times_read_naturally(make_story):
    story = await make_story()
    fan = story.chat()
    assert await fan.say("/remind 0m") == "Reminders will come at air time each episode."
    assert await fan.say("/remind 0m 1h30m") == "Reminders will come 1h30m before and at air time each episode."
    assert await fan.say("/remind 1d 0m 1H") == "Reminders will come 1d and 1h before and at air time each episode."
    assert "Reminders come 1d and 1h before and at air time each episode." in await fan.say("/remind")


async def test_long_lists_are_cut_to_fit_one_discord_message(make_story):
    shows = [
        {"title": f"Daily Drama {n}", "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "time": f"{n % 24:02d}:15",
         "premiere": date(2026, 3, 2), "episodes": 30}
        for n in range(40)
    ]
    story = await make_story(start="2026-03-01T00:00:00Z", catalog={"shows": shows})
    admin = story.chat("discord", "-1", user="1", admin=True)
    for n in range(40):
        await admin.say(f"/channel subscribe Daily Drama {n}")
    listing = await admin.say("/channel list")
    assert "…and 10 more." in listing and len(listing) <= 2000
    schedule = await admin.say("/schedule")
    assert schedule.count("\n• ") == 20 and schedule.endswith("\n…and 238 more.") and len(schedule) <= 2000
