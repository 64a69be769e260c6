"""What each role starts and stops in a process on a shared database (see scheduler/startup.py):
`scheduler` the scheduler's steps, `send:<platform>` the platform's sending from the queue,
`receive:<platform>` a sole receiver's polling (with `send:<platform>` only: replies leave from the
process that paces the platform), `shard:<platform>:<n>` the adapter's shards, shared out fairly.
The scheduler and the sending roles are shared out too: fanning out and sending compete for one
event loop less when they run in different processes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from functools import partial

from bot.app.fanout import Fanout
from bot.domain.interfaces import Adapter, SoleReceiver
from bot.domain.roles import SCHEDULER, Lease, Role

from .roles import RoleKeeper, ShardHolder

WORK = "work"  # the scheduler and each platform's sending: on different processes when there are enough


def want_roles(keeper: RoleKeeper, *, scheduling: Callable[[], AbstractAsyncContextManager[object]],
               delivery: Fanout, adapters: Mapping[str, Adapter]) -> None:
    """Want every role this process can hold, with what gaining and losing each starts and stops:
    `scheduling()` is entered while `scheduler` is held; `delivery` (the core's) sends a platform's
    queue while `send:<platform>` is held."""
    running = AsyncExitStack()

    async def gain_scheduler(lease: Lease) -> None:
        nonlocal running
        running = AsyncExitStack()
        await running.enter_async_context(scheduling())

    async def lose_scheduler() -> None:
        await running.aclose()

    keeper.want(SCHEDULER, on_gain=gain_scheduler, on_lose=lose_scheduler, spread=WORK)
    for platform, adapter in adapters.items():
        send = Role("send", platform)
        keeper.want(send, on_gain=partial(delivery.start_sending, adapter.platform),
                    on_lose=partial(delivery.stop_sending, adapter.platform), spread=WORK)
        if isinstance(adapter, SoleReceiver) and adapter.receives_alone():
            receive = Role("receive", platform)
            keeper.want(receive, on_gain=ignoring_lease(partial(adapter.start_receiving, partial(keeper.unexpired, receive))),
                        on_lose=adapter.stop_receiving, requires=send)
        if isinstance(adapter, ShardHolder):
            hold = partial(hold_shards, keeper, adapter)
            for role in adapter.shard_roles:
                keeper.want(role, on_gain=ignoring_lease(hold), on_lose=hold, spread=f"shard:{platform}")


def ignoring_lease(call: Callable[[], Awaitable[object]]) -> Callable[[Lease], Awaitable[object]]:
    async def on_gain(lease: Lease) -> None:
        await call()

    return on_gain


async def hold_shards(keeper: RoleKeeper, adapter: ShardHolder) -> None:
    await adapter.hold_roles(keeper.held)
