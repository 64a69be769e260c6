"""Stop and start at any moment: nothing is sent twice, late reminders are caught up or dropped."""

import asyncio
from dataclasses import replace
from datetime import timedelta

from bot.domain.interfaces import ChatMoved, DeliveryError, Unreachable
from bot.domain.render import to_plain
from tests.conftest import at


async def subscribed_fan(make_story, chat="100", zone="America/New_York", lead="30m"):
    story = await make_story(start="2022-12-20T00:00:00Z")
    fan = story.chat("telegram", chat)
    await fan.say(f"/timezone {zone}")
    await fan.say(f"/remind {lead}")
    await fan.say("/subscribe The Interest of Love")
    return story, fan


async def test_reminder_due_while_stopped_is_sent_at_start_if_the_episode_has_not_begun(make_story):
    story, fan = await subscribed_fan(make_story)
    await story.advance("2022-12-21T12:50:00Z")
    await story.stop()
    await story.advance("2022-12-21T13:20:00Z")  # the 13:00 reminder fell due while stopped
    assert fan.received("reminder") == []
    await story.start()
    [late] = fan.received("reminder")
    assert late.at == at("2022-12-21T13:20:00Z")
    assert "episode 1, starts in 10 minutes: Wed 08:30 (America/New_York)" in late.text


async def test_reminder_is_dropped_when_the_episode_began_while_stopped(make_story):
    story, fan = await subscribed_fan(make_story)
    await story.advance("2022-12-21T12:50:00Z")
    await story.stop()
    await story.advance("2022-12-21T13:45:00Z")  # episode 1 began at 13:30
    await story.start()
    await story.advance("2022-12-22T14:00:00Z")
    reminders = fan.received("reminder")
    assert [r.at for r in reminders] == [at("2022-12-22T13:00:00Z")]
    assert "episode 2," in reminders[0].text


async def test_air_time_reminder_missed_while_stopped_is_dropped_even_seconds_after_air(make_story):
    story, fan = await subscribed_fan(make_story, lead="0m")
    await story.advance("2022-12-21T13:29:00Z")
    await story.stop()
    await story.advance("2022-12-21T13:30:20Z")  # episode 1 began 20 seconds ago
    await story.start()
    await story.advance("2022-12-22T13:30:00Z")
    reminders = fan.received("reminder")
    assert [r.at for r in reminders] == [at("2022-12-22T13:30:00Z")]
    assert "episode 2, starts now: Thu 08:30 (America/New_York)" in reminders[0].text


async def test_air_time_reminder_is_sent_by_a_process_started_at_that_instant(make_story):
    story, fan = await subscribed_fan(make_story, lead="0m")
    await story.stop()
    await story.advance("2022-12-21T13:30:00Z")
    await story.start()
    [reminder] = fan.received("reminder")
    assert reminder.at == at("2022-12-21T13:30:00Z")
    assert "episode 1, starts now" in reminder.text


async def test_restart_right_after_a_reminder_does_not_send_it_again(make_story):
    story, fan = await subscribed_fan(make_story)
    await story.advance("2022-12-21T13:00:00Z")
    assert len(fan.received("reminder")) == 1
    await story.stop()
    await story.start()
    await story.advance("2022-12-21T13:29:00Z")
    await story.stop()
    await story.advance("2022-12-21T13:29:30Z")
    await story.start()
    await story.advance("2022-12-21T20:00:00Z")
    assert len(fan.received("reminder")) == 1


async def test_many_restarts_across_the_whole_run_give_each_reminder_exactly_once(make_story):
    story = await make_story(start="2022-12-20T00:00:00Z")
    ny = story.chat("telegram", "1")
    await ny.say("/timezone America/New_York")
    await ny.say("/remind 1h 30m")
    await ny.say("/subscribe The Interest of Love")
    sydney = story.chat("discord", "2")
    await sydney.say("/timezone Sydney")
    await sydney.say("/subscribe Moon Ga Young")
    await sydney.say("/subscribe The Interest of Love")

    # stop and start every 7 hours, including at instants when reminders fall due
    moments = ["2022-12-21T12:30:00Z", "2022-12-21T13:00:00Z"]
    instant = at("2022-12-21T13:00:00Z")
    while instant < at("2023-02-10T00:00:00Z"):
        instant += timedelta(hours=7)
        moments.append(instant.isoformat())
    for moment in moments:
        await story.advance(moment)
        await story.stop()
        await story.start()
    await story.advance("2023-02-11T00:00:00Z")

    ny_texts = [r.text for r in ny.received("reminder")]
    assert len(ny_texts) == 32 and len(set(ny_texts)) == 32
    assert len(sydney.received("reminder")) == 16


async def test_messages_sent_while_stopped_are_answered_at_start(make_story):
    story = await make_story(start="2022-12-20T00:00:00Z")
    fan = story.chat("telegram", "100")
    await story.stop()
    await story.advance("2022-12-20T01:00:00Z")
    assert await fan.say("/subscribe The Interest of Love") == ""
    await story.advance("2022-12-20T02:00:00Z")
    await story.start()
    [reply] = fan.received("reply")
    assert reply.at == at("2022-12-20T02:00:00Z")
    assert "Subscribed to <b>The Interest of Love</b>" in reply.text


async def test_a_failed_send_is_retried_later_and_delivered_once(make_story):
    story, fan = await subscribed_fan(make_story)
    story.sim.adapter("telegram").failures["100"] = DeliveryError("429 Too Many Requests", retry_after=120)
    await story.advance("2022-12-21T13:01:00Z")
    assert fan.received("reminder") == []
    del story.sim.adapter("telegram").failures["100"]
    await story.advance("2022-12-21T14:00:00Z")
    [reminder] = fan.received("reminder")
    assert reminder.at == at("2022-12-21T13:02:00Z")
    assert "starts in 28 minutes" in reminder.text


async def test_a_failed_reminder_is_not_retried_after_the_fan_unsubscribes(make_story):
    story, fan = await subscribed_fan(make_story)
    story.sim.adapter("telegram").failures["100"] = DeliveryError("502 Bad Gateway")
    await story.advance("2022-12-21T13:00:10Z")
    del story.sim.adapter("telegram").failures["100"]
    await fan.say("/unsubscribe The Interest of Love")
    await story.advance("2022-12-21T14:00:00Z")
    assert fan.received("reminder") == []


async def test_a_failed_reminder_is_not_retried_for_a_lead_the_fan_no_longer_wants(make_story):
    story, fan = await subscribed_fan(make_story)
    story.sim.adapter("telegram").failures["100"] = DeliveryError("502 Bad Gateway")
    await story.advance("2022-12-21T13:00:10Z")
    del story.sim.adapter("telegram").failures["100"]
    await fan.say("/remind 10m")
    await story.advance("2022-12-21T14:00:00Z")
    [reminder] = fan.received("reminder")
    assert reminder.at == at("2022-12-21T13:20:00Z") and "starts in 10 minutes" in reminder.text


async def test_failed_news_is_not_retried_after_the_fan_unsubscribes(make_story):
    story, fan = await subscribed_fan(make_story)
    story.sim.adapter("telegram").failures["100"] = DeliveryError("502 Bad Gateway")
    await story.publish(feed="f", id="1", title="The Interest of Love sweeps the awards", link="https://news.example.test/1")
    del story.sim.adapter("telegram").failures["100"]
    await fan.say("/unsubscribe The Interest of Love")
    await story.advance("2022-12-20T02:00:00Z")
    assert fan.received("news") == []


async def test_a_blocked_chat_is_paused_not_retried_and_resumed_when_it_writes_again(make_story):
    story, fan = await subscribed_fan(make_story)
    other = story.chat("telegram", "101")
    await other.say("/subscribe The Interest of Love")
    story.sim.adapter("telegram").failures["100"] = Unreachable("Forbidden: bot was blocked by the user")
    await story.advance("2022-12-21T13:00:00Z")
    del story.sim.adapter("telegram").failures["100"]
    await story.advance("2022-12-22T13:29:00Z")  # paused: episode 2's reminder skips the chat too
    assert fan.received("reminder") == []
    assert len(other.received("reminder")) == 2
    states = await story.sim.process.core.store.delivery_states()
    assert sorted(states.values()) == ["dropped", "sent", "sent"]
    # the fan unblocks the bot and writes: the reply says once what happened, reminders come again
    reply = await fan.say("/subscriptions")
    assert reply.startswith("Delivery to this chat had been paused (Forbidden: bot was blocked by the user); it is back on now.")
    assert "paused" not in await fan.say("/subscriptions")
    await story.advance("2022-12-28T13:00:00Z")
    assert [r.at for r in fan.received("reminder")] == [at("2022-12-28T13:00:00Z")]


async def test_subscriptions_say_when_delivery_is_paused(make_story):
    story, fan = await subscribed_fan(make_story)
    story.sim.adapter("telegram").failures["100"] = Unreachable("Forbidden: bot was blocked by the user")
    await story.advance("2022-12-21T13:00:00Z")
    core = story.sim.process.core
    settings = await core.store.chat(platform="telegram", chat_id="100")
    assert settings.paused_reason == "Forbidden: bot was blocked by the user"
    # read before the chat writes again (a Discord user's DMs stay closed while they use a server)
    reply = (await story.sim.process.inbox.handle(replace(story.sim.adapter("telegram").message("100", "100", "/subscriptions"), reaches_chat=False))).body
    assert "Delivery here is paused: Forbidden: bot was blocked by the user." in to_plain(reply)


async def test_a_moved_chat_takes_its_subscriptions_settings_and_pending_reminders_along(make_story):
    story = await make_story(start="2022-12-20T00:00:00Z")
    group = story.chat("telegram", "-100", user="7", admin=True)
    await group.say("/channel timezone Asia/Seoul")
    await group.say("/channel subscribe The Interest of Love")
    story.sim.adapter("telegram").failures["-100"] = ChatMoved("-1009")
    await story.advance("2022-12-21T13:00:00Z")
    moved = story.chat("telegram", "-1009", user="7", admin=True)
    [reminder] = moved.received("reminder")
    assert "Thu 22:30 (Asia/Seoul)" not in reminder.text and "Wed 22:30 (Asia/Seoul)" in reminder.text
    assert "The Interest of Love" in await moved.say("/channel list")
    assert await story.sim.process.core.store.chat(platform="telegram", chat_id="-100") is None
    await story.advance("2022-12-22T13:00:00Z")
    assert len(moved.received("reminder")) == 2 and group.received("reminder") == []


async def test_a_retry_that_would_come_after_air_time_is_dropped(make_story):
    story, fan = await subscribed_fan(make_story, lead="0m")
    story.sim.adapter("telegram").failures["100"] = DeliveryError("network down")
    await story.advance("2022-12-21T13:30:00Z")
    del story.sim.adapter("telegram").failures["100"]
    await story.advance("2022-12-21T15:00:00Z")
    assert fan.received("reminder") == []


async def test_crash_in_the_middle_of_a_fan_out_is_finished_at_start(make_story):
    story, fan = await subscribed_fan(make_story)
    others = [story.chat("telegram", str(n)) for n in range(200, 203)]
    for other in others:
        await other.say("/subscribe The Interest of Love")
    adapter = story.sim.adapter("telegram")
    adapter.hang.add("100")  # the process dies while this send is under way
    advancing = asyncio.ensure_future(story.advance("2022-12-21T13:00:00Z"))
    while len(story.sent("reminder")) < 3:
        await asyncio.sleep(0)
    await story.sim.kill()
    advancing.cancel()
    await asyncio.gather(advancing, return_exceptions=True)
    await story.advance("2022-12-21T13:05:00Z")
    await story.start()
    await story.advance("2022-12-21T14:00:00Z")
    [reminder] = fan.received("reminder")
    assert reminder.at == at("2022-12-21T13:05:00Z")
    assert "starts in 25 minutes" in reminder.text
    # the others had been sent but not confirmed when it died: repeated at most once, never lost
    assert all(1 <= len(other.received("reminder")) <= 2 for other in others)


async def test_old_ledger_rows_are_forgotten_without_any_reminder_repeating(make_story):
    story, fan = await subscribed_fan(make_story)
    await story.advance("2022-12-22T14:00:00Z")
    assert len(await story.sim.process.core.store.delivery_states()) == 2
    await story.advance("2023-01-05T00:00:00Z")  # a week after episodes 1 and 2 began
    await story.stop()
    await story.start()
    await story.advance("2023-01-06T00:00:00Z")
    jobs = {d.job.split("@")[0] for d in await story.sim.process.core.store.delivery_states()}
    assert "interestoflove#1" not in jobs and "interestoflove#2" not in jobs
    assert [r.text.split(",")[1] for r in fan.received("reminder")] == [f" episode {n}" for n in range(1, 7)]


async def test_a_job_fired_again_after_a_crash_before_progress_was_saved_sends_nothing(make_story):
    story, fan = await subscribed_fan(make_story)
    other = story.chat("discord", "7")
    await other.say("/subscribe Yoo Yeon Seok")
    await story.advance("2022-12-21T13:00:00Z")
    core = story.sim.process.core
    episode_1 = core.catalog.by_show["interestoflove"][0]
    assert await core.reminders.fire_reminder(episode_1, 30) == 0
    assert len(fan.received("reminder")) == 1
    assert len(other.received("reminder")) == 1


async def test_a_group_reminder_retried_after_a_restart_still_mentions_the_role_its_admins_chose(make_story):
    story = await make_story(start="2022-12-20T00:00:00Z")
    channel = story.chat("discord", "555", user="7", admin=True)
    await channel.say("/channel subscribe The Interest of Love")
    await channel.say("/channel ping 4242")
    story.sim.adapter("discord").failures["555"] = DeliveryError("502 Bad Gateway")
    await story.advance("2022-12-21T13:00:10Z")  # the reminder failed: its retry is due in 30 s
    del story.sim.adapter("discord").failures["555"]
    await story.stop()
    await story.start()  # a new process retries it
    await story.advance("2022-12-21T13:10:00Z")
    [reminder] = channel.received("reminder")
    assert reminder.mention == "4242"


async def test_a_retry_that_comes_too_late_after_a_restart_is_dropped_with_a_warning(make_story, caplog):
    story, fan = await subscribed_fan(make_story)
    story.sim.adapter("telegram").failures["100"] = DeliveryError("502 Bad Gateway")
    await story.advance("2022-12-21T13:00:10Z")  # failed: retry at 13:00:30
    del story.sim.adapter("telegram").failures["100"]
    await story.stop()
    await story.advance("2022-12-21T13:45:00Z")  # episode 1 began at 13:30 while stopped
    await story.start()
    assert fan.received("reminder") == []
    assert "1 deliveries due for a retry were dropped: too late by now" in caplog.text
