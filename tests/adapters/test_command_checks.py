"""Who may run a command is said once, on its spec, and refused in one place with one message:
the same words whether the command was typed (Telegram), came as a slash command (Discord) or
as a tapped button. A refused tap leaves the buttons for someone who may use them.

Each story runs the production adapters against the fake Telegram and the fake Discord."""

from __future__ import annotations

from bot.domain.interfaces import Choice
from tests.adapters import discord_bot as discord
from tests.adapters.discord_bot import DiscordBot, answer, world
from tests.adapters.telegram_bot import ADMIN, FAN, GROUP, MEMBER, telegram_bot
from tests.fakes.discord_api import FakeDiscord

ADMINS_ONLY = (
    "Only admins of this chat can do that (Discord: Manage Server; Telegram: group administrator). Nothing was changed."
)
OWNERS_ONLY = "Only the bot's owners can use /feeds: it changes what every chat gets. Nothing was changed."


async def test_a_member_is_refused_a_channel_setting_in_the_same_words_typed_as_a_slash_command_and_tapped(tmp_path):
    async with telegram_bot(tmp_path / "telegram") as (bot, server):
        server.set_role(GROUP, ADMIN, "administrator")
        typed = await bot.says(GROUP, MEMBER, "/channel subscribe Moon River", chat_type="supergroup")
        offer = await bot.says(GROUP, ADMIN, "/channel subscribe Moon", chat_type="supergroup")
        data = offer.reply_markup["inline_keyboard"][0][0]["callback_data"]
        server.push_callback_query(GROUP, MEMBER, data, message_id=offer.message_id, chat_type="supergroup")
        await server.wait_until(lambda: len(server.callback_answers) == 1, what="the tap answered")
        tapped = server.callback_answers[0]
        listing = await bot.says(GROUP, ADMIN, "/channel list", chat_type="supergroup")
    async with FakeDiscord() as fake:
        world(fake)
        running = await DiscordBot.start(fake, tmp_path / "discord")
        try:
            call = await fake.slash("channel subscribe", {"name": "The Interest of Love"}, user=discord.FAN,
                                    guild=discord.GUILD, channel=discord.CHANNEL)
            slash = await answer(call)
        finally:
            await running.stop()

    assert typed.plain_text == ADMINS_ONLY
    assert slash.content == ADMINS_ONLY
    assert tapped.text == ADMINS_ONLY and tapped.show_alert  # an alert to the tapper; the buttons stay
    assert server.edits == []
    assert listing.plain_text == "This chat follows nothing yet. Try /channel subscribe The Interest of Love."


async def test_a_fan_is_refused_an_owners_command_in_the_same_words_typed_as_a_slash_command_and_tapped(tmp_path):
    async with telegram_bot(tmp_path / "telegram") as (bot, server):
        typed = await bot.says(FAN, FAN, "/feeds remove soompi")
        # a button that runs an owners' command (as an owner's answer could offer), tapped by a fan
        offer = await bot.says(FAN, FAN, "/help")
        [data] = bot.adapter.choices.put(str(FAN), (Choice("soompi", ("feeds", "remove"), (("name", "soompi"),)),))
        server.push_callback_query(FAN, FAN, data, message_id=offer.message_id)
        await server.wait_until(lambda: len(server.callback_answers) == 1, what="the tap answered")
        tapped = server.callback_answers[0]
    async with FakeDiscord() as fake:
        world(fake)
        running = await DiscordBot.start(fake, tmp_path / "discord")
        try:
            call = await fake.slash("feeds remove", {"name": "soompi"}, user=discord.FAN, guild=discord.GUILD,
                                    channel=discord.CHANNEL)
            slash = await answer(call)
        finally:
            await running.stop()

    assert typed.plain_text == OWNERS_ONLY
    assert slash.content == OWNERS_ONLY
    assert tapped.text == OWNERS_ONLY and tapped.show_alert  # told no, like a member tapping an admins' button
    assert server.edits == []  # the message tapped is left as it was
