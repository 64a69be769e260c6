"""PostgreSQL: the delivery ledger (claim, record outcomes, retries, requeue, prune, states).

Set-based: a claim is one `INSERT ... SELECT FROM unnest(chat ids) ON CONFLICT DO NOTHING` per
platform, the chats a job reached are one UPDATE over an array, and failed or dropped
deliveries are one UPDATE joined to unnested arrays."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial
from itertools import repeat
from typing import Any

from ..values import ChatKey, ClaimState, Delivery, JobPlatform, LedgerJob, Outcome, Pending, SentRange
from .base import PostgresBase

_chat_key: Callable[[tuple[str, str]], ChatKey] = partial(tuple.__new__, ChatKey)  # no Python-level call per claimed row

_SENT = "UPDATE deliveries SET state = 'sent', sent_at = %s, attempts = attempts + 1, last_error = NULL, next_attempt_at = NULL "
_CLAIM = (
    "INSERT INTO deliveries (kind, job, platform, chat_id, expires_at, state, last_error, claim) "
    "SELECT %s::text, %s::text, %s::text, c, %s::bigint, %s::text, %s::text, %s::bigint FROM unnest(%s::text[]) AS u(c) "
    "ON CONFLICT DO NOTHING"
)
_OUTCOMES = (
    "UPDATE deliveries d SET state = o.state, attempts = d.attempts + 1, last_error = o.error, next_attempt_at = o.retry_at "
    "FROM unnest(%s::text[], %s::text[], %s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[]) "
    "AS o(state, error, retry_at, kind, job, platform, chat_id) "
    "WHERE d.kind = o.kind AND d.job = o.job AND d.platform = o.platform AND d.chat_id = o.chat_id AND d.state = 'claimed'"
)


class PostgresLedger(PostgresBase):
    async def claim(self, job: LedgerJob, *, recipients: Iterable[Sequence[Any]], state: ClaimState = "claimed",
                    note: str | None = None, stamp: int | None = None) -> list[ChatKey]:
        """Claim one delivery of `job` per (platform, chat); returns exactly the rows this call
        inserted, sorted by platform and chat (see the SQLite backend for the whole contract).
        Two connections claiming the same rows at once: PostgreSQL's unique index makes the
        later wait for the earlier and insert none of the rows it took."""
        by_platform: dict[str, set[str]] = {}
        for recipient in recipients:  # (platform, chat), or a Recipient
            by_platform.setdefault(recipient[0], set()).add(recipient[1])
        claimed: list[ChatKey] = []
        async with self.transaction():
            for platform, unique in sorted(by_platform.items()):
                chats = sorted(unique)  # one lock order for every claimer: no deadlock between two
                params = (job.kind, job.job, platform, job.expires_at, state, note, stamp, chats)
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
            for kind, job, platform, stamp, first, last in ranges:
                await self._execute(
                    _SENT + "WHERE kind = %s AND job = %s AND platform = %s AND chat_id BETWEEN %s AND %s "
                    "AND claim = %s AND state = 'claimed'",
                    (now, kind, job, platform, first, last, stamp),
                )
            for (kind, job, platform), chats in (sent or {}).items():
                await self._execute(
                    _SENT + "WHERE kind = %s AND job = %s AND platform = %s AND state = 'claimed' AND chat_id = ANY(%s::text[])",
                    (now, kind, job, platform, list(chats)),
                )
            if outcomes:
                first_of: dict[tuple[str, str, str, str], Outcome] = {}
                for o in outcomes:  # the first outcome of a delivery counts, as when applied one by one
                    first_of.setdefault((o.kind, o.job, o.platform, o.chat_id), o)
                kept = list(first_of.values())
                await self._execute(_OUTCOMES, (
                    [o.state for o in kept], [o.error for o in kept], [o.retry_at for o in kept], [o.kind for o in kept],
                    [o.job for o in kept], [o.platform for o in kept], [o.chat_id for o in kept],
                ))

    async def claim_due_retries(self, *, now: int) -> list[Pending]:
        """Claim every failed delivery whose retry time has come, in one statement (its stamp
        cleared: a retry is confirmed on its own)."""
        rows = await self._all(
            "UPDATE deliveries SET state = 'claimed', next_attempt_at = NULL, claim = NULL "
            "WHERE next_attempt_at <= %s AND state = 'failed' "
            "RETURNING kind, job, platform, chat_id, attempts, expires_at",
            (now,),
        )
        rows.sort(key=lambda r: (r[0], r[1], r[2], r[3]))
        return [Pending(Delivery(*row[:4]), row[4], row[5]) for row in rows]

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
