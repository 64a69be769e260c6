"""PostgreSQL: the delivery ledger (claim, record outcomes, retries, requeue, prune, states).

Set-based: a claim is one `INSERT ... SELECT FROM unnest(chat ids) ON CONFLICT DO NOTHING` per
platform, the chats a job reached are one UPDATE over an array, and failed or dropped
deliveries are one UPDATE joined to unnested arrays."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial
from itertools import repeat
from typing import Any

from ..shared import pending
from ..values import ChatKey, ClaimState, Delivery, JobPlatform, LedgerJob, Outcome, Pending, RequeueScope, SentRange
from .base import PostgresBase

_chat_key: Callable[[tuple[str, str]], ChatKey] = partial(tuple.__new__, ChatKey)  # no Python-level call per claimed row

_SENT = "UPDATE deliveries SET state = 'sent', sent_at = %s, attempts = attempts + 1, last_error = NULL, next_attempt_at = NULL "
_CLAIM = (
    "INSERT INTO deliveries (kind, job, platform, chat_id, expires_at, state, last_error, claim, sender, next_attempt_at) "
    "SELECT %s::text, %s::text, %s::text, c, %s::bigint, %s::text, %s::text, %s::bigint, %s::integer, %s::bigint "
    "FROM unnest(%s::text[]) AS u(c) ON CONFLICT DO NOTHING"
)
_OUTCOMES = (
    "UPDATE deliveries d SET state = o.state, attempts = d.attempts + 1, last_error = o.error, next_attempt_at = o.retry_at "
    "FROM unnest(%s::text[], %s::text[], %s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[], %s::integer[]) "
    "AS o(state, error, retry_at, kind, job, platform, chat_id, sender) "
    "WHERE d.kind = o.kind AND d.job = o.job AND d.platform = o.platform AND d.chat_id = o.chat_id AND d.state = 'claimed' "
    "AND (o.sender IS NULL OR d.sender = o.sender)"
)
_TAKE = (  # the sender's batch: due rows of its platform, oldest first, none another transaction holds
    "UPDATE deliveries d SET state = 'claimed', next_attempt_at = NULL, claim = NULL, sender = %s "
    "FROM (SELECT kind, job, platform, chat_id FROM deliveries WHERE next_attempt_at <= %s AND state = 'failed' "
    "AND platform = %s ORDER BY next_attempt_at LIMIT %s FOR UPDATE SKIP LOCKED) AS due "
    "WHERE d.kind = due.kind AND d.job = due.job AND d.platform = due.platform AND d.chat_id = due.chat_id "
    "RETURNING d.kind, d.job, d.platform, d.chat_id, d.attempts, d.expires_at"
)
WAKE_CHANNEL = "dramabot_due"  # NOTIFY payload: the platform whose rows are due


def _held_by(sender: int | None) -> str:
    """The condition that a row is still held by `sender` (none without a sender generation)."""
    return "" if sender is None else " AND sender = %s"


def _sender(sender: int | None) -> tuple[int, ...]:
    return () if sender is None else (sender,)


class PostgresLedger(PostgresBase):
    async def claim(self, job: LedgerJob, *, recipients: Iterable[Sequence[Any]], state: ClaimState = "claimed",
                    note: str | None = None, stamp: int | None = None, sender: int | None = None,
                    due: int | None = None) -> list[ChatKey]:
        """Claim one delivery of `job` per (platform, chat); returns exactly the rows this call
        inserted, sorted by platform and chat (see the SQLite backend for the whole contract).
        Two connections claiming the same rows at once: PostgreSQL's unique index makes the
        later wait for the earlier and insert none of the rows it took."""
        by_platform: dict[str, set[str]] = {}
        for recipient in recipients:  # (platform, chat), or a Recipient
            by_platform.setdefault(recipient[0], set()).add(recipient[1])
        claimed: list[ChatKey] = []
        if due is not None:
            state = "failed"  # type: ignore[assignment]  # a retry due now: the queue the sender takes from
        async with self.transaction():
            for platform, unique in sorted(by_platform.items()):
                chats = sorted(unique)  # one lock order for every claimer: no deadlock between two
                params = (job.kind, job.job, platform, job.expires_at, state, note, stamp, sender, due, chats)
                if stamp is None:
                    inserted = sorted(chat for (chat,) in await self._all(_CLAIM + " RETURNING chat_id", params))
                elif await self._execute(_CLAIM, params) == len(chats):
                    inserted = chats  # every row it was given is its own: nothing to read back
                else:
                    inserted = [chat for (chat,) in await self._all(
                        "SELECT chat_id FROM deliveries WHERE kind = %s AND job = %s AND platform = %s AND claim = %s "
                        "ORDER BY chat_id", (job.kind, job.job, platform, stamp),
                    )]
                claimed.extend(map(_chat_key, zip(repeat(platform), inserted)))
        return claimed

    async def record_outcomes(self, *, now: int, sent: Mapping[JobPlatform, Sequence[str]] | None = None,
                              outcomes: Sequence[Outcome] = (), ranges: Sequence[SentRange] = ()) -> None:
        """Record many delivery outcomes in one transaction; only rows still claimed change."""
        async with self.transaction():
            for kind, job, platform, stamp, first, last, sender in ranges:
                await self._execute(
                    _SENT + "WHERE kind = %s AND job = %s AND platform = %s AND chat_id BETWEEN %s AND %s "
                    "AND claim = %s AND state = 'claimed'" + _held_by(sender),
                    (now, kind, job, platform, first, last, stamp, *_sender(sender)),
                )
            for (kind, job, platform, sender), chats in (sent or {}).items():
                await self._execute(
                    _SENT + "WHERE kind = %s AND job = %s AND platform = %s AND state = 'claimed' "
                    "AND chat_id = ANY(%s::text[])" + _held_by(sender),
                    (now, kind, job, platform, list(chats), *_sender(sender)),
                )
            if outcomes:
                first_of: dict[tuple[str, str, str, str], Outcome] = {}
                for o in outcomes:  # the first outcome of a delivery counts, as when applied one by one
                    first_of.setdefault((o.kind, o.job, o.platform, o.chat_id), o)
                kept = list(first_of.values())
                await self._execute(_OUTCOMES, (
                    [o.state for o in kept], [o.error for o in kept], [o.retry_at for o in kept], [o.kind for o in kept],
                    [o.job for o in kept], [o.platform for o in kept], [o.chat_id for o in kept], [o.sender for o in kept],
                ))

    async def take_due(self, *, platform: str, sender: int, now: int, limit: int) -> list[Pending]:
        """The platform's sender takes up to `limit` due rows, oldest first; rows another sender's
        transaction holds are skipped (FOR UPDATE SKIP LOCKED), so two never take the same row."""
        return pending(await self._all(_TAKE, (sender, now, platform, limit)))

    async def requeue_claimed(self, *, platform: str, sender: int, now: int, scope: RequeueScope) -> int:
        whose = "(sender IS NULL OR sender < %s)" if scope == "older" else "sender = %s"
        return await self._execute(
            "UPDATE deliveries SET state = 'failed', next_attempt_at = %s, claim = NULL, sender = NULL "
            f"WHERE platform = %s AND state = 'claimed' AND {whose}",
            (now, platform, sender),
        )

    async def claim_due_retries(self, *, now: int) -> list[Pending]:
        """Claim every failed delivery whose retry time has come, in one statement (its stamp
        cleared: a retry is confirmed on its own)."""
        rows = await self._all(
            "UPDATE deliveries SET state = 'claimed', next_attempt_at = NULL, claim = NULL "
            "WHERE next_attempt_at <= %s AND state = 'failed' "
            "RETURNING kind, job, platform, chat_id, attempts, expires_at",
            (now,),
        )
        return pending(rows)

    async def requeue_unfinished(self, *, now: int) -> int:
        """At start: claims left by a process that stopped mid-send become retries due now."""
        return await self._execute(
            "UPDATE deliveries SET state = 'failed', next_attempt_at = %s, last_error = 'interrupted' WHERE state = 'claimed'",
            (now,),
        )

    async def next_retry_at(self) -> int | None:
        return await self._value(
            "SELECT MIN(next_attempt_at) FROM deliveries WHERE next_attempt_at IS NOT NULL AND state = 'failed'"
        )

    async def prune(self, *, before: int) -> int:
        """Forget ledger rows that expired before `before`; their jobs can never fire again."""
        async with self.transaction():
            removed = await self._execute("DELETE FROM deliveries WHERE expires_at < %s", (before,))
            await self._execute("DELETE FROM catalog_notices WHERE expires_at < %s", (before,))  # as old as their deliveries
        return removed

    async def delivery_states(self) -> dict[Delivery, str]:
        """Every ledger row's state, for inspection and tests."""
        rows = await self._all("SELECT kind, job, platform, chat_id, state FROM deliveries")
        return {Delivery(*row[:4]): row[4] for row in rows}
