"""A queued message's chat, read again when it is sent: the one place that decides a chat which
was paused (unreachable) or is gone from the database gets nothing more."""

from __future__ import annotations

from ..domain.interfaces import ChatRef
from ..storage import Storage
from ..storage.values import ChatSettings

PAUSED_OR_GONE = "the chat is paused or gone"


async def chat_now(store: Storage, chat: ChatRef) -> ChatSettings | str:
    """The chat's settings as they are now, or why no message goes to it (`PAUSED_OR_GONE`)."""
    settings = await store.chat(platform=chat.platform, chat_id=chat.key)
    if settings is None or settings.paused_reason:
        return PAUSED_OR_GONE
    return settings
