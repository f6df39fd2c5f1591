"""Every request timed where it leaves: an httpx transport that records each one's endpoint,
time to the answer's head and outcome, so the order script borrowed from the fault run
(chaos/workload.py) is measured without a change to it.

Time to the head is the server's time for everything but a stream: the gateway answers JSON
in one piece once it is ready, and the body is a few kilobytes over loopback. A stream's head
comes as soon as it starts; its opening is recorded apart (streams.OPEN) and kept out of p99.
"""

from __future__ import annotations

import re
import time

import httpx

from load.stats import Recorder

_ID = re.compile(r"^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d+)$", re.I)


def endpoint_of(method: str, url: httpx.URL, gateway_host: str) -> str:
    """`GET /api/v1/orders/{id}`: ids and numbers folded, the query left out; a request to
    another host (the presigned upload to the object store) is `PUT s3`."""
    if url.netloc.decode() != gateway_host:
        return f"{method} s3"
    parts = ["{id}" if _ID.match(p) else p for p in url.path.split("/")]
    return f"{method} {'/'.join(parts)}"


class TimedTransport(httpx.AsyncBaseTransport):
    def __init__(self, recorder: Recorder, gateway_host: str, limits: httpx.Limits) -> None:
        self._inner = httpx.AsyncHTTPTransport(limits=limits)
        self._recorder = recorder
        self._gateway = gateway_host

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        name = endpoint_of(request.method, request.url, self._gateway)
        started = time.monotonic()
        try:
            response = await self._inner.handle_async_request(request)
        except httpx.TimeoutException:
            self._recorder.record(name, None, "timeout")
            raise
        except httpx.TransportError:
            self._recorder.record(name, None, "connection")
            raise
        self._recorder.record(name, time.monotonic() - started, response.status_code)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()
