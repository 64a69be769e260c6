"""The contract: role leases. One holder at a time; a generation that rises when a role changes
hands, so a process that lost its role cannot renew or release it under the old generation."""

from bot.domain.roles import Lease, LeaseRow, Role


async def test_a_role_is_held_by_one_process_until_its_lease_expires_then_another_takes_it_over(backend):
    first, second = await backend.open(), await backend.open(exclusive=False)
    held = await first.take_lease(role="scheduler", holder="a:1", now=100.0, ttl=10.0)
    assert held == Lease("scheduler", "a:1", 1)
    assert await second.take_lease(role="scheduler", holder="b:2", now=105.0, ttl=10.0) is None
    assert await first.take_lease(role="scheduler", holder="a:1", now=106.0, ttl=10.0) == held  # renewed, same generation
    assert await second.take_lease(role="scheduler", holder="b:2", now=115.0, ttl=10.0) is None  # 116 not reached yet
    taken = await second.take_lease(role="scheduler", holder="b:2", now=116.0, ttl=10.0)
    assert taken == Lease("scheduler", "b:2", 2)
    assert await first.renew_lease(held, now=117.0, ttl=10.0) is False  # paused too long: it lost the role
    await first.release_lease(held)  # under the old generation: changes nothing
    assert await second.leases() == [LeaseRow("scheduler", "b:2", 2, 126.0)]


async def test_a_released_role_is_free_at_once_and_each_role_has_its_own_lease(backend):
    storage = await backend.open()
    send = await storage.take_lease(role=Role("send", "telegram").name, holder="a:1", now=100.0, ttl=10.0)
    shard = await storage.take_lease(role=Role("shard", "discord", 3).name, holder="a:1", now=100.0, ttl=10.0)
    assert send is not None and shard is not None
    assert await storage.renew_lease(send, now=104.0, ttl=10.0) is True
    await storage.release_lease(send)
    taken = await storage.take_lease(role="send:telegram", holder="b:2", now=104.5, ttl=10.0)
    assert taken == Lease("send:telegram", "b:2", 2)
    assert await storage.take_lease(role="shard:discord:3", holder="b:2", now=104.5, ttl=10.0) is None
    assert [row.role for row in await storage.leases()] == ["send:telegram", "shard:discord:3"]


def test_a_role_is_named_and_read_back_the_same():
    for role in (Role("scheduler"), Role("send", "telegram"), Role("receive", "telegram"), Role("shard", "discord", 12)):
        assert Role.parse(role.name) == role
    for bad in ("", "send", "shard:discord", "shard:discord:x", "boss"):
        try:
            Role.parse(bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad!r} was read as a role")
