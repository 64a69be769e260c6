"""Owners correct the catalog (/show skip, /show move) and the catalog file is reloaded: the
followers hear of each change once, and reminders follow at once, also across restarts."""

from datetime import date

from bot.domain.catalog import parse_catalog
from tests.conftest import at
from tests.fixtures.catalogs import night_owl

OWNER = {"owners": ["telegram:1"]}


async def fan_and_owner(make_story, **config):
    story = await make_story(start="2022-12-20T00:00:00Z", **OWNER, **config)
    fan, owner = story.chat("telegram", "100"), story.chat("telegram", "1")
    await fan.say("/timezone America/New_York")
    await fan.say("/subscribe The Interest of Love")
    return story, fan, owner


async def test_an_owner_skips_a_preempted_date_and_the_episodes_move_one_slot_on(make_story):
    story, fan, owner = await fan_and_owner(make_story)
    assert await owner.say("/show skip The Interest of Love 2022-12-21") == (
        "Done: <b>The Interest of Love</b> does not air on 2022-12-21 (Asia/Seoul). Its followers are told."
    )
    [notice] = fan.received("notice")
    assert notice.text.startswith(
        "📺 Schedule change: <b>The Interest of Love</b> (JTBC): episode 1 now airs Thu 08:30 (America/New_York), 22 Dec 2022 "
        "instead of Wed 08:30 (America/New_York), 21 Dec 2022; episode 2 now airs Wed 08:30 (America/New_York), 28 Dec 2022 "
        "instead of Thu 08:30 (America/New_York), 22 Dec 2022;"
    )
    assert notice.text.endswith("; and 12 more. Reminders follow the new time.")
    assert owner.received("notice") == []  # the owner follows nothing
    await story.stop()
    await story.start()  # the edit is kept; nothing is announced again
    await story.advance("2022-12-23T00:00:00Z")
    assert [r.at for r in fan.received("reminder")] == [at("2022-12-22T13:00:00Z")]
    assert "episode 1" in fan.received("reminder")[0].text
    assert len(fan.received("notice")) == 1


async def test_an_owner_moves_one_episode(make_story):
    story, fan, owner = await fan_and_owner(make_story)
    reply = await owner.say("/show move The Interest of Love 2 2022-12-23 21:00")
    assert reply == "Done: <b>The Interest of Love</b> episode 2 airs Fri 21:00 (Asia/Seoul), 23 Dec 2022. Its followers are told."
    assert [n.text for n in fan.received("notice")] == [
        "📺 Schedule change: <b>The Interest of Love</b> (JTBC): episode 2 now airs Fri 07:00 (America/New_York), 23 Dec 2022 "
        "instead of Thu 08:30 (America/New_York), 22 Dec 2022. Reminders follow the new time."
    ]
    await story.advance("2022-12-24T00:00:00Z")
    assert [r.at for r in fan.received("reminder")] == [at("2022-12-21T13:00:00Z"), at("2022-12-23T11:30:00Z")]


async def test_only_owners_correct_the_catalog_and_bad_input_changes_nothing(make_story):
    story, fan, owner = await fan_and_owner(make_story)
    assert await fan.say("/show skip The Interest of Love 2022-12-21") == "Only the bot's owners can use /show: it changes what every chat gets. Nothing was changed."
    assert await owner.say("/show skip Nothing Like It 2022-12-21") == 'No show called "Nothing Like It".'
    assert await owner.say("/show skip The Interest of Love 2022-12-20") == (
        "<b>The Interest of Love</b> has no broadcast on 2022-12-20 (Asia/Seoul). Nothing was changed."
    )
    assert (await owner.say("/show skip The Interest of Love tomorrow")).startswith("Usage: /show skip &lt;show&gt; &lt;date&gt;")
    assert await owner.say("/show move The Interest of Love 99 2022-12-23 21:00") == (
        "<b>The Interest of Love</b> has no episode 99. Nothing was changed."
    )
    assert (await owner.say("/show move The Interest of Love 2 2022-12-23 9pm")).startswith("Usage: /show move")
    assert await owner.say("/show") == "Use one of: /show skip &lt;show&gt; &lt;date&gt;, /show move &lt;show&gt; &lt;episode&gt; &lt;date&gt; &lt;time&gt;."
    assert fan.received("notice") == []
    await story.advance("2022-12-22T00:00:00Z")
    assert [r.at for r in fan.received("reminder")] == [at("2022-12-21T13:00:00Z")]


async def test_a_reloaded_catalog_file_gives_the_same_alerts(make_story):
    story = await make_story(start="2026-02-25T00:00:00Z", catalog=night_owl(skip=[]))
    fan = story.chat()
    await fan.say("/timezone Asia/Seoul")
    assert "Subscribed to <b>Night Owl Test</b>" in await fan.say("/subscribe Night Owl Test")
    # the file now says 8 March is pre-empted, and the show gets another alias
    notices = await story.sim.process.live.reload(parse_catalog(night_owl(skip=[date(2026, 3, 8)], aliases=["NOT", "Owl Night"])))
    await story.sim.process.core.idle()
    assert [n.kind for n in notices] == ["moved"]
    assert [n.text for n in fan.received("notice")] == [
        "📺 Schedule change: <b>Night Owl Test</b> (JTBC): episode 2 now airs Sun 23:50 (Asia/Seoul), 15 Mar 2026 instead of "
        "Sun 23:50 (Asia/Seoul), 8 Mar 2026; episode 3 now airs Sun 23:50 (Asia/Seoul), 22 Mar 2026 instead of "
        "Sun 23:50 (Asia/Seoul), 15 Mar 2026; episode 4 now airs Sun 23:50 (Asia/Seoul), 29 Mar 2026 instead of "
        "Sun 23:50 (Asia/Seoul), 22 Mar 2026. Reminders follow the new time."
    ]
    assert "Next: <b>Night Owl Test</b> episode 1" in await fan.say("/next Owl Night")  # the name index follows too
    await story.advance("2026-03-30T00:00:00Z")
    assert [r.at for r in fan.received("reminder")] == [
        at("2026-03-01T14:20:00Z"), at("2026-03-15T14:20:00Z"), at("2026-03-22T14:20:00Z"), at("2026-03-29T14:20:00Z"),
    ]


async def test_an_owners_command_without_subcommands_refuses_everyone_else(make_story, monkeypatch):
    """An owner-only command with no subcommands (a future /purge, say) is refused to a fan,
    whose message changes nothing; an owner runs it."""
    from bot import commands

    ran: list[str] = []

    async def purge(ctx) -> commands.Message:
        ran.append(ctx.msg.user)
        return commands.Message.of("Purged.")

    purge_command = commands.Command("purge", purge, owner_only=True)
    monkeypatch.setitem(commands.BY_NAME, "purge", purge_command)
    story, fan, owner = await fan_and_owner(make_story)
    assert await fan.say("/purge") == (
        "Only the bot's owners can use /purge: it changes what every chat gets. Nothing was changed."
    )
    assert ran == []
    assert await owner.say("/purge") == "Purged."
    assert ran == ["1"]
