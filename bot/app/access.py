"""Who may do what: bot owners (the config's `owners`) everywhere; a chat's admins as the
platform says (asked only when an admin command runs)."""

from __future__ import annotations

from ..config import Config
from ..domain.interfaces import IncomingMessage


class Access:
    def __init__(self, config: Config):
        self.config = config

    def is_owner(self, msg: IncomingMessage) -> bool:
        """A bot owner (the config's `owners`): may change what is global, such as the feeds."""
        return f"{msg.platform}:{msg.user}" in self.config.owners

    async def is_admin(self, msg: IncomingMessage) -> bool:
        """Owners everywhere; otherwise the platform is asked (only when an admin command runs)."""
        if self.is_owner(msg):
            return True
        return await msg.ask_admin()
