"""The Telegram adapter on python-telegram-bot 22: `TelegramAdapter` (see `adapter.py`)."""

from .adapter import TelegramAdapter

__all__ = ["TelegramAdapter"]
