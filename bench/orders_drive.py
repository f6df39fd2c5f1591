"""The clients of the orders benchmark: one order's round trip, driven closed-loop or paced.

A chain is what one order costs a client: `REQUESTS_PER_ORDER` requests sent one after the
other, each awaited before the next (a transition needs the previous one applied). Both sides
of the comparison are chains of the same length driven by the same httpx client, so the
client's own cost is the same on both sides.
"""

from __future__ import annotations

import asyncio
import secrets
import time
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import httpx

from bench.rounds import percentile
from deploy.local.seed import DEMO_ORDERS

# intake -> closed through every stage, the rework loop included: 8 moves.
STAGES = (
    "measurement",
    "contract",
    "production",
    "shipment_prep",
    "delivery",
    "installation",
    "rework",
    "closed",
)
REQUESTS_PER_ORDER = 1 + len(STAGES)

ORDER = DEMO_ORDERS[0]  # the same order `make run` seeds

# One order's requests; returns the seconds each request took, in order.
Chain = Callable[[httpx.AsyncClient], Coroutine[Any, Any, list[float]]]


def check(reply: httpx.Response, status: int) -> httpx.Response:
    """A benchmark counting refused requests as served would report nonsense: fail loudly."""
    if reply.status_code != status:
        request = reply.request
        raise RuntimeError(
            f"{request.method} {request.url.path}: {reply.status_code} {reply.text[:300]}"
        )
    return reply


def client(base_url: str) -> httpx.AsyncClient:
    # Paced runs may hold many requests open at once when the server falls behind.
    limits = httpx.Limits(max_connections=256, max_keepalive_connections=256)
    return httpx.AsyncClient(base_url=base_url, timeout=120, limits=limits)


async def login(api: httpx.AsyncClient, username: str) -> dict[str, str]:
    form = {"username": username, "password": "demo"}
    reply = check(await api.post("/api/v1/auth/token", data=form), 200)
    return {"Authorization": f"Bearer {reply.json()['access_token']}"}


def a_customer_order() -> dict[str, object]:
    """The seeded order for a customer of its own. With one phone number for every order the
    directory summed one customer's ever-growing list of cards at each of its events
    (`customers_store.summed`: 0.2 to 1.6 ms a request in `bench-profile`, growing with the
    run), a cost no business with many customers pays."""
    digits = f"{secrets.randbelow(10**7):07d}"
    return {
        **ORDER,
        "phone": f"+7 9{secrets.randbelow(100):02d} {digits[:3]}-{digits[3:5]}-{digits[5:]}",
    }


def order_chain(headers: dict[str, str]) -> Chain:
    """POST /orders, then the 8 transitions to `closed`, through the gateway."""

    async def run(api: httpx.AsyncClient) -> list[float]:
        seconds = []
        started = time.perf_counter()
        reply = await api.post("/api/v1/orders", json=a_customer_order(), headers=headers)
        seconds.append(time.perf_counter() - started)
        order_id = check(reply, 201).json()["id"]
        for stage in STAGES:
            started = time.perf_counter()
            reply = await api.post(
                f"/api/v1/orders/{order_id}/transitions", json={"to": stage}, headers=headers
            )
            seconds.append(time.perf_counter() - started)
            check(reply, 200)
        return seconds

    return run


def raw_chain(payload: bytes) -> Chain:
    """REQUESTS_PER_ORDER appends of an event-sized JSON to one new stream, one after the other
    (bench/orders_raw_app.py: the event and its outbox row in one transaction)."""
    headers = {"Content-Type": "application/json"}

    async def run(api: httpx.AsyncClient) -> list[float]:
        seconds = []
        path = f"/raw/order-{uuid.uuid4()}"
        for _ in range(REQUESTS_PER_ORDER):
            started = time.perf_counter()
            reply = await api.post(path, content=payload, headers=headers)
            seconds.append(time.perf_counter() - started)
            check(reply, 200)
        return seconds

    return run


async def closed_loop(api: httpx.AsyncClient, chain: Chain, orders: int, clients: int) -> float:
    """Seconds for `clients` concurrent clients to run `orders` chains, each as fast as it can."""
    remaining = orders

    async def one_client() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await chain(api)

    started = time.perf_counter()
    await asyncio.gather(*(one_client() for _ in range(clients)))
    return time.perf_counter() - started


@dataclass(frozen=True)
class Paced:
    served_s: float  # wall time from the first chain's start to the last answer
    samples_ms: list[float]  # per request

    @staticmethod
    def pooled(runs: list[Paced]) -> Paced:
        """Several paced runs as one: their samples together, their wall times added."""
        return Paced(sum(r.served_s for r in runs), [s for r in runs for s in r.samples_ms])

    @property
    def achieved(self) -> float:
        """Requests per second actually served."""
        return len(self.samples_ms) / self.served_s

    @property
    def p50_ms(self) -> float | None:
        return percentile(self.samples_ms, 0.5)

    @property
    def p99_ms(self) -> float | None:
        return percentile(self.samples_ms, 0.99)


async def paced(api: httpx.AsyncClient, chain: Chain, orders: int, requests_per_s: float) -> Paced:
    """Open loop: a new chain starts every 1/rate seconds whether or not earlier ones are done.

    Chains start on schedule, not when a client frees up, so a server falling behind shows as
    queueing in the latencies instead of silently lowering the offered rate.
    """
    loop = asyncio.get_running_loop()
    chains_per_s = requests_per_s / REQUESTS_PER_ORDER
    started = loop.time()
    running: list[asyncio.Task[list[float]]] = []
    for number in range(orders):
        delay = started + number / chains_per_s - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        running.append(asyncio.create_task(chain(api)))
    try:
        done = await asyncio.gather(*running)
    finally:
        for task in running:  # on a failure, leave nothing running into the next step
            task.cancel()
    elapsed = loop.time() - started
    return Paced(elapsed, [s * 1000 for one in done for s in one])
