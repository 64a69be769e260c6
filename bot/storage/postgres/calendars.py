"""PostgreSQL: calendar links (a chat's token hash and nonce) and each broadcast's published revision."""

from __future__ import annotations

from collections.abc import Mapping

from ..values import ChatKey
from .base import PostgresBase


class PostgresCalendars(PostgresBase):
    async def calendar_nonce(self, *, platform: str, chat_id: str) -> str | None:
        return await self._value("SELECT nonce FROM calendar_links WHERE platform = %s AND chat_id = %s", (platform, chat_id))

    async def set_calendar_link(self, *, platform: str, chat_id: str, nonce: str, token_hash: str, now: int) -> None:
        await self._execute(
            "INSERT INTO calendar_links (platform, chat_id, nonce, token_hash, created_at) VALUES (%s, %s, %s, %s, %s) "
            "ON CONFLICT (platform, chat_id) DO UPDATE SET nonce = excluded.nonce, token_hash = excluded.token_hash, "
            "created_at = excluded.created_at",
            (platform, chat_id, nonce, token_hash, now),
        )

    async def calendar_chat(self, token_hash: str) -> ChatKey | None:
        row = await self._one("SELECT platform, chat_id FROM calendar_links WHERE token_hash = %s", (token_hash,))
        return ChatKey(row[0], row[1]) if row else None

    async def calendar_revisions(self, starts: Mapping[str, int]) -> dict[str, int]:
        if not starts:
            return {}
        async with self.transaction():
            known = {
                uid: (start, sequence)
                for uid, start, sequence in await self._all(
                    "SELECT uid, start, sequence FROM calendar_events WHERE uid = ANY(%s::text[]) FOR UPDATE", (list(starts),)
                )
            }
            changed = [
                (uid, start, known[uid][1] + 1 if uid in known else 0)
                for uid, start in starts.items() if uid not in known or known[uid][0] != start
            ]
            await self._executemany(
                "INSERT INTO calendar_events (uid, start, sequence) VALUES (%s, %s, %s) "
                "ON CONFLICT (uid) DO UPDATE SET start = excluded.start, sequence = excluded.sequence",
                changed,
            )
        return {uid: sequence for uid, (_start, sequence) in known.items()} | {uid: seq for uid, _s, seq in changed}
