"""Which addresses a feed fetch may connect to: public ones only, unless the config allows a host.

An owner's `/feeds add http://127.0.0.1:8081/bot<token>/getMe`, `http://0x7f000001:22/` or
`http://192.168.1.1/` must not make the bot reach its own machine or network, nor tell a closed
port from an open one. Every connection a feed fetch makes (the first request and each redirect)
goes through `GuardedBackend`: it resolves the host itself, refuses when any address it resolves
to is loopback, private, link-local, multicast, reserved or otherwise not global (an IPv4 address
inside IPv6 counts as itself), and connects to the address it checked, so a DNS answer that
changes between the check and the connection cannot slip past it. `[news] allow_hosts` lists the
exceptions: a host name (compared with the URL's host) or an address or network (compared with
the address connected).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class AddressRefused(Exception):
    """The fetch would reach an address that is not public (and not allowed)."""


def as_network(entry: str) -> IpNetwork | None:
    """An `allow_hosts` entry as an address or network, or None for a host name."""
    try:
        return ipaddress.ip_network(entry.strip("[]"), strict=False)
    except ValueError:
        return None


def public(address: IpAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


class AddressGuard:
    """The config's exceptions; `allows` says whether one resolved address may be connected to."""

    def __init__(self, allow_hosts: Iterable[str] = ()):
        self.networks: list[IpNetwork] = []
        self.names: set[str] = set()
        for entry in allow_hosts:
            network = as_network(entry)
            if network is None:
                self.names.add(entry.lower().rstrip("."))
            else:
                self.networks.append(network)

    def allows_name(self, host: str) -> bool:
        return host.lower().rstrip(".") in self.names

    def allows(self, address: IpAddress) -> bool:
        return public(address) or any(address in network for network in self.networks)


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, connecting only to addresses the guard allows."""

    def __init__(self, guard: AddressGuard, inner: httpcore.AsyncNetworkBackend | None = None):
        self.guard = guard
        self.inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        async def connect(to: str) -> httpcore.AsyncNetworkStream:
            return await self.inner.connect_tcp(to, port, timeout, local_address, socket_options)

        if self.guard.allows_name(host):
            return await connect(host)
        addresses = await self._resolve(host, port, timeout)
        if not addresses or not all(self.guard.allows(a) for a in addresses):
            raise AddressRefused(host)
        error: Exception | None = None
        for address in addresses:
            try:
                return await connect(str(address))
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None
        raise error

    async def _resolve(self, host: str, port: int, timeout: float | None) -> list[IpAddress]:
        try:
            async with asyncio.timeout(timeout):
                infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"resolving {host} timed out") from None
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from None
        found: list[IpAddress] = []
        for info in infos:
            address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
            if address not in found:
                found.append(address)
        return found

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise AddressRefused(path)

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport over a `GuardedBackend`; an AddressRefused passes through httpx as it is."""

    def __init__(self, guard: AddressGuard):
        super().__init__()
        self._pool = httpcore.AsyncConnectionPool(  # httpx's defaults, over the guarded backend
            ssl_context=httpx.create_ssl_context(), max_connections=100, max_keepalive_connections=20,
            keepalive_expiry=5.0, network_backend=GuardedBackend(guard),
        )
