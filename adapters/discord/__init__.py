"""Discord: slash commands, DMs, channel posts, role pings and scheduled events (discord.py 2)."""

from .adapter import DiscordAdapter

__all__ = ["DiscordAdapter"]
