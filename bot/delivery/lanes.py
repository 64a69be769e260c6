"""The queues of one outbox: replies first, then one lane per kind of job (jobs of a lane take
turns), and the messages a chat's limit held back, put back ahead of their lane in the order they
were held."""

from __future__ import annotations

import heapq
import itertools
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from ..domain.jobkeys import JOB_KINDS
from ..domain.pacing import Spacing
from .jobs import Item, ReplyItem


@dataclass(eq=False)
class _Lane:
    """Queues of one class, one per job, served round-robin; ahead of them, the messages a chat's
    limit held back, in the order they were held (so one chat's messages keep their order across
    jobs, whichever job's turn comes first)."""

    queues: dict[str, deque] = field(default_factory=dict)
    order: deque = field(default_factory=deque)
    released: deque = field(default_factory=deque)
    since: dict[str, float] = field(default_factory=dict)  # job -> when its queue began (monotonic), for /metrics

    def put(self, key: str, items, now: float = 0.0) -> None:
        queue = self.queues.get(key)
        if queue is None:
            queue = self.queues[key] = deque()
            self.order.append(key)
            self.since[key] = now
        queue.extend(items)

class Lanes:
    """What an outbox has to send and in which order, with each chat's and group's pace."""

    def __init__(self, *, per_chat: Spacing | None, per_group: Spacing | None):
        self._per_chat = per_chat
        self._per_group = per_group
        self._chat_paced = self._per_chat is not None or self._per_group is not None
        self._replies: deque = deque()
        self._lanes: dict[str, _Lane] = {kind: _Lane() for kind in JOB_KINDS}
        self._lane_list = tuple(self._lanes.values())
        self._delayed: list[tuple[float, int, Item | ReplyItem]] = []
        self._seq = itertools.count()

    def oldest_queued(self, now: float) -> float:
        """Seconds the oldest job with messages still in its lane has waited (0: none), for /metrics;
        a job's `since` entry is dropped here once its queue is gone (the send path never looks)."""
        oldest = now
        for lane in self._lane_list:
            for key in list(lane.since):
                if key in lane.queues:
                    oldest = min(oldest, lane.since[key])
                else:
                    del lane.since[key]
        return now - oldest

    def _drop_items(self, keep: Callable[[Item], bool]) -> int:
        """Forget the queued messages `keep` refuses (replies stay); how many went."""
        dropped = 0
        for lane in self._lane_list:
            for key in list(lane.order):
                queue = lane.queues[key]
                kept = deque(item for item in queue if keep(item))
                dropped += len(queue) - len(kept)
                if kept:
                    lane.queues[key] = kept
                else:
                    del lane.queues[key]
                    lane.order.remove(key)
            released = deque(item for item in lane.released if keep(item))
            dropped += len(lane.released) - len(released)
            lane.released = released
        delayed = [d for d in self._delayed if isinstance(d[2], ReplyItem) or keep(d[2])]
        if len(delayed) != len(self._delayed):
            dropped += len(self._delayed) - len(delayed)
            heapq.heapify(delayed)
            self._delayed = delayed
        return dropped

    def _chat_ready(self, entry: Item | ReplyItem, now: float) -> float:
        """When this entry's chat may receive again (<= now: at once)."""
        if entry.chat is None:
            return now
        key = entry.chat.chat
        ready = now
        if self._per_chat is not None:
            ready = self._per_chat.ready_at(key, now)
        if self._per_group is not None and not entry.private:
            ready = max(ready, self._per_group.ready_at(key, now))
        return ready

    def _reserve_chat(self, entry: Item | ReplyItem, now: float) -> None:
        if entry.chat is None:
            return
        key = entry.chat.chat
        if self._per_chat is not None:
            self._per_chat.reserve(key, now)
        if self._per_group is not None and not entry.private:
            self._per_group.reserve(key, now)

    def _delay(self, entry: Item | ReplyItem, until: float) -> None:
        heapq.heappush(self._delayed, (until, next(self._seq), entry))

    def _release_delayed(self, now: float) -> None:
        """Put the entries whose time has come back ahead of their class's queues, in the order they
        were parked (one chat's messages keep the order they were made in)."""
        replies: list[ReplyItem] = []
        while self._delayed and self._delayed[0][0] <= now:
            _, _, entry = heapq.heappop(self._delayed)
            if isinstance(entry, ReplyItem):
                replies.append(entry)
            else:
                self._lanes[entry.job.kind].released.append(entry)
        if replies:
            self._replies.extendleft(reversed(replies))

    def _first_ready(self, queue: deque, now: float) -> Item | ReplyItem | None:
        if not self._chat_paced:
            return queue.popleft() if queue else None
        while queue:
            entry = queue.popleft()
            ready = self._chat_ready(entry, now)
            if ready <= now:
                self._reserve_chat(entry, now)
                return entry
            self._delay(entry, ready)
        return None

    def _pick(self, now: float, *, lanes: bool = True) -> Item | ReplyItem | None:
        if self._delayed:
            self._release_delayed(now)
        if self._replies:
            entry = self._first_ready(self._replies, now)
            if entry is not None:
                return entry
        if not lanes:
            return None
        for lane in self._lanes.values():
            if lane.released:
                entry = self._first_ready(lane.released, now)
                if entry is not None:
                    return entry
            for _ in range(len(lane.order)):
                key = lane.order.popleft()
                queue = lane.queues[key]
                entry = self._first_ready(queue, now)
                if queue:
                    lane.order.append(key)
                else:
                    del lane.queues[key]
                if entry is not None:
                    return entry
        return None
