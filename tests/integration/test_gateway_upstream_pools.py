"""The gateway's calls to the services, over real sockets: a service that stops answering
ties up only its own connections (a SIGSTOPped process keeps accepting into its backlog and
never replies), and idle connections are closed by the gateway before a service would."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from gateway.adapters.upstream import CONNECTIONS_PER_SERVICE, KEEPALIVE_EXPIRY_S, Upstreams
from plumbing.errors import DomainError
from plumbing.serve import KEEP_ALIVE_S
from tests.actors import KEY

OK = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}"


@asynccontextmanager
async def server(answers: bool) -> AsyncIterator[str]:
    """A service on a local port: answers every request with 200 {}, or never answers."""
    held: list[asyncio.StreamWriter] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)
        while await reader.readuntil(b"\r\n\r\n"):
            if answers:
                writer.write(OK)
                await writer.drain()
            else:
                await asyncio.Event().wait()

    listening = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        for writer in held:
            writer.close()
        listening.close()


async def test_a_service_that_stops_answering_leaves_the_others_reachable() -> None:
    async with server(answers=False) as stuck, server(answers=True) as fine:
        upstreams = Upstreams({"scheduling": stuck, "orders": fine}, KEY, timeout_s=30)
        try:
            # More calls than the stuck service's pool holds (and than httpx's default pool of
            # 100, which all services shared before): the rest queue for it.
            hanging = [
                asyncio.create_task(upstreams.call("scheduling", "GET", "/tasks", None))
                for _ in range(max(CONNECTIONS_PER_SERVICE, 100) + 10)
            ]
            await asyncio.sleep(0.5)

            async with asyncio.timeout(5):
                reply = await upstreams.call("orders", "GET", "/orders", None)
                await upstreams.checker("orders")()
            assert reply.status == 200
            assert not any(task.done() for task in hanging)
        finally:
            for task in hanging:
                task.cancel()
            await asyncio.gather(*hanging, return_exceptions=True)
            await upstreams.close()


async def test_the_stuck_service_itself_is_reported_unavailable_not_hung_on() -> None:
    async with server(answers=False) as stuck:
        upstreams = Upstreams({"scheduling": stuck}, KEY, timeout_s=0.5)
        try:
            with pytest.raises(DomainError) as refused:
                await upstreams.call("scheduling", "GET", "/tasks", None)
            assert (refused.value.status, refused.value.code) == (503, "upstream_unavailable")
        finally:
            await upstreams.close()


def test_the_gateway_drops_idle_connections_before_a_service_closes_them() -> None:
    # The other order races: a request sent on a connection the service is closing at that
    # moment fails with "server disconnected" and the caller sees a 503.
    assert KEEPALIVE_EXPIRY_S < KEEP_ALIVE_S
