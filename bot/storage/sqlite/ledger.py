"""SQLite: the delivery ledger (claim, record outcomes, retries, requeue, prune, states)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial
from itertools import repeat
from typing import Any

from ..shared import pending
from ..values import ChatKey, ClaimState, Delivery, JobPlatform, LedgerJob, Outcome, Pending, RequeueScope, SentRange
from .base import SqliteBase

_chat_key: Callable[[tuple[str, str]], ChatKey] = partial(tuple.__new__, ChatKey)  # no Python-level call per claimed row

_SENT = "UPDATE deliveries SET state = 'sent', sent_at = ?, attempts = attempts + 1, last_error = NULL, next_attempt_at = NULL "


def _held_by(sender: int | None) -> str:
    """The condition that a row is still held by `sender` (none without a sender generation)."""
    return "" if sender is None else " AND sender = ?"


def _sender(sender: int | None) -> tuple[int, ...]:
    return () if sender is None else (sender,)




class SqliteLedger(SqliteBase):
    async def claim(self, job: LedgerJob, *, recipients: Iterable[Sequence[Any]], state: ClaimState = "claimed",
                    note: str | None = None, stamp: int | None = None, sender: int | None = None,
                    due: int | None = None) -> list[ChatKey]:
        """Claim one delivery of `job` per (platform, chat); returns exactly the rows this call
        inserted (duplicates in `recipients` are claimed once), sorted by platform and chat, each
        row stamped with `stamp` (see `record_outcomes`). A recipient that already has a ledger row for this job (sent, failed,
        or claimed by this or another process) is not claimed again: the retry path owns it.

        One `INSERT OR IGNORE ... RETURNING` statement per platform over a JSON array of chat
        ids: two processes (or two fan-outs) can never both claim the same row. `state`
        "dropped" records deliveries that are not to be sent (superseded by a later lead).
        `sender` stamps the rows with the generation of the platform's sending role that sends
        them; `due` queues them for that role's holder instead (a retry due at `due`).
        """
        by_platform: dict[str, list[str]] = {}
        for recipient in recipients:  # (platform, chat), or a Recipient
            by_platform.setdefault(recipient[0], []).append(recipient[1])
        claimed: list[ChatKey] = []
        insert = (
            "INSERT OR IGNORE INTO deliveries (kind, job, platform, chat_id, expires_at, state, last_error, claim, "
            "sender, next_attempt_at) SELECT ?, ?, ?, value, ?, ?, ?, ?, ?, ? FROM json_each(?)"
        )
        if due is not None:
            state = "failed"  # type: ignore[assignment]  # a retry due now: the queue the sender takes from
        async with self.transaction():
            for platform, chats in sorted(by_platform.items()):
                chats.sort()
                params = (job.kind, job.job, platform, job.expires_at, state, note, stamp, sender, due, json.dumps(chats))
                if stamp is None:
                    async with self._db.execute(insert + " RETURNING chat_id", params) as cur:
                        inserted = sorted(chat for (chat,) in await cur.fetchall())
                else:
                    # The stamp is this claim's own, so "the rows it inserted" is "the rows with its stamp";
                    # when it inserted every one it was given (the rule), nothing needs reading back. (No
                    # RETURNING here: one statement the database runs without the interpreter's lock.)
                    cur = await self._db.execute(insert, params)
                    if cur.rowcount == len(chats):
                        inserted = chats
                    else:
                        inserted = [chat for (chat,) in await self._all(
                            "SELECT chat_id FROM deliveries WHERE kind = ? AND job = ? AND platform = ? AND claim = ? "
                            "ORDER BY chat_id", (job.kind, job.job, platform, stamp),
                        )]
                claimed.extend(map(_chat_key, zip(repeat(platform), inserted)))
        return claimed

    async def record_outcomes(self, *, now: int, sent: Mapping[JobPlatform, Sequence[str]] | None = None,
                              outcomes: Sequence[Outcome] = (), ranges: Sequence[SentRange] = ()) -> None:
        """Record many delivery outcomes in one transaction.

        `sent` maps each job and platform to the chats it reached; `ranges` say every row of one
        claim from its first chat to its last was sent (the caller knows they all were);
        `outcomes` are the deliveries that failed or were dropped. Only rows still claimed
        change: an outcome never overwrites a later one.
        """
        async with self.transaction():
            for kind, job, platform, stamp, first, last, sender in ranges:
                await self._db.execute(
                    _SENT + "WHERE kind = ? AND job = ? AND platform = ? AND chat_id BETWEEN ? AND ? "
                    "AND claim = ? AND state = 'claimed'" + _held_by(sender),
                    (now, kind, job, platform, first, last, stamp, *_sender(sender)),
                )
            for (kind, job, platform, sender), chats in (sent or {}).items():
                await self._db.execute(
                    _SENT + "WHERE kind = ? AND job = ? AND platform = ? AND state = 'claimed' "
                    "AND chat_id IN (SELECT value FROM json_each(?))" + _held_by(sender),
                    (now, kind, job, platform, json.dumps(list(chats)), *_sender(sender)),
                )
            if outcomes:
                await self._db.executemany(
                    "UPDATE deliveries SET state = ?, attempts = attempts + 1, last_error = ?, next_attempt_at = ? "
                    "WHERE kind = ? AND job = ? AND platform = ? AND chat_id = ? AND state = 'claimed' "
                    "AND (? IS NULL OR sender = ?)",
                    [(o.state, o.error, o.retry_at, o.kind, o.job, o.platform, o.chat_id, o.sender, o.sender)
                     for o in outcomes],
                )

    async def take_due(self, *, platform: str, sender: int, now: int, limit: int) -> list[Pending]:
        """The platform's sender takes up to `limit` due rows, oldest first (one writer at a time:
        SQLite's lock does what PostgreSQL's SKIP LOCKED does)."""
        async with self.transaction():
            rows = await self._all(
                "UPDATE deliveries SET state = 'claimed', next_attempt_at = NULL, claim = NULL, sender = ? "
                "WHERE (kind, job, platform, chat_id) IN (SELECT kind, job, platform, chat_id FROM deliveries "
                "WHERE next_attempt_at <= ? AND state = 'failed' AND platform = ? ORDER BY next_attempt_at LIMIT ?) "
                "RETURNING kind, job, platform, chat_id, attempts, expires_at",
                (sender, now, platform, limit),
            )
        return pending(rows)

    async def requeue_claimed(self, *, platform: str, sender: int, now: int, scope: RequeueScope) -> int:
        whose = "(sender IS NULL OR sender < ?)" if scope == "older" else "sender = ?"
        async with self.transaction():
            cur = await self._db.execute(
                "UPDATE deliveries SET state = 'failed', next_attempt_at = ?, claim = NULL, sender = NULL "
                f"WHERE platform = ? AND state = 'claimed' AND {whose}",
                (now, platform, sender),
            )
        return cur.rowcount

    async def wake_sender(self, platform: str) -> None:
        """Nothing to tell: one process per file sends everything (its senders poll)."""

    async def wait_due(self, platform: str, *, timeout: float) -> None:
        await asyncio.sleep(timeout)

    async def claim_due_retries(self, *, now: int) -> list[Pending]:
        """Claim every failed delivery whose retry time has come, in one statement: this process
        now owns them, and a crash from here on retries them again at the next start. Their stamp
        is cleared: a retry is confirmed on its own, never by another claim's key range."""
        async with self.transaction():
            rows = await self._all(
                "UPDATE deliveries SET state = 'claimed', next_attempt_at = NULL, claim = NULL "
                "WHERE next_attempt_at <= ? AND state = 'failed' "
                "RETURNING kind, job, platform, chat_id, attempts, expires_at",
                (now,),
            )
        return pending(rows)

    async def requeue_unfinished(self, *, now: int) -> int:
        """At start: claims left by a process that stopped mid-send become retries due now."""
        async with self.transaction():
            cur = await self._db.execute(
                "UPDATE deliveries SET state = 'failed', next_attempt_at = ?, last_error = 'interrupted' "
                "WHERE state = 'claimed'",
                (now,),
            )
        return cur.rowcount

    async def next_retry_at(self) -> int | None:
        async with self.transaction():
            row = await self._one(
                "SELECT MIN(next_attempt_at) FROM deliveries WHERE next_attempt_at IS NOT NULL AND state = 'failed'"
            )
        return row[0]

    async def prune(self, *, before: int) -> int:
        """Forget ledger rows that expired before `before`; their jobs can never fire again."""
        async with self.transaction():
            cur = await self._db.execute("DELETE FROM deliveries WHERE expires_at < ?", (before,))
            await self._db.execute("DELETE FROM catalog_notices WHERE expires_at < ?", (before,))  # as old as their deliveries
        return cur.rowcount

    async def delivery_states(self) -> dict[Delivery, str]:
        """Every ledger row's state, for inspection and tests."""
        async with self.transaction():
            rows = await self._all("SELECT kind, job, platform, chat_id, state FROM deliveries")
        return {Delivery(*row[:4]): row[4] for row in rows}
