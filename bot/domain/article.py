"""A news entry as the feeds give it and the bot stores, matches and sends it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Article:
    """A news entry; `title` and `summary` are plain text (bot.integrations.feeds takes HTML fields' markup off)."""

    feed: str
    id: str
    title: str
    link: str
    summary: str = ""
    published: datetime | None = None
