"""What the outbox delivers: a job (a reminder, an article, a notice...) to one chat per `Item`,
an adapter's own reply as a `ReplyItem`; what it reports to its owner; when a failure is retried."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from ..domain.interfaces import ChatRef, Clock, DeliveryError, Outgoing
from ..domain.jobkeys import JobKind

MAX_ATTEMPTS = 6
RETRY_BASE = timedelta(seconds=30)  # doubled after each failed attempt


class DeliveryJob(Protocol):
    """One reminder job or article, as the outbox needs it."""

    @property
    def kind(self) -> JobKind: ...

    @property
    def key(self) -> str:
        """The ledger's job key."""

    @property
    def expires(self) -> datetime:
        """Not worth sending after this."""

    @property
    def retry_until(self) -> datetime:
        """A retry is not planned after this."""

    async def message_for(self, item: Item) -> Outgoing | str:
        """The message for this chat as of now, or the reason it is no longer wanted."""


@dataclass(slots=True, eq=False)
class Item:
    """One message of a job to one chat."""

    job: DeliveryJob
    chat: ChatRef
    private: bool
    zone: str | None  # the chat's zone when the fan-out read it
    version: int  # the core's change counter when the fan-out read the chat
    attempts: int = 0
    moved: bool = False
    stamp: int = 0  # the claim that made its ledger row, and its place in that claim's sorted rows:
    seq: int = -1  # consecutive places sent together are confirmed as one key range
    mention: str | None = None  # whom the chat's reminders mention, as the fan-out read it
    language: str | None = None  # the language the chat reads, as the fan-out read it (None: the config's)
    sender: int | None = None  # the sending role's generation it was claimed or taken under (None: no shared queue)


@dataclass(slots=True, eq=False)
class ReplyItem:
    """An adapter's own reply call, run under the platform's pace ahead of everything else."""

    chat: ChatRef | None  # None: a request of the adapter's own that concerns no chat
    private: bool
    send: Callable[[], Awaitable[Any]]
    done: asyncio.Future


class DeliveryOwner(Protocol):
    """What the outbox reports to the core."""

    clock: Clock

    async def chat_unreachable(self, chat: ChatRef, reason: str) -> None: ...

    async def chat_moved(self, chat: ChatRef, new_chat: ChatRef) -> None: ...


def retry_time(*, now: datetime, attempts: int, expires: datetime, error: DeliveryError) -> datetime | None:
    """When a failed delivery is tried again (None: give up): the platform's wait, else 30 s
    doubling; never after MAX_ATTEMPTS attempts or past the delivery's expiry."""
    wait = error.retry_after if error.retry_after is not None else RETRY_BASE.total_seconds() * 2**attempts
    at = now + timedelta(seconds=max(1.0, wait))
    if attempts + 1 >= MAX_ATTEMPTS or at > expires:
        return None
    return at
