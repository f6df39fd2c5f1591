"""Orders through the whole system: command round trips, latency, long streams.

The whole system runs as `make run` starts it (deploy.local.Stack: every service a uvicorn
process of one worker, the gateway in front), in a fresh database on the benchmark's
PostgreSQL server. The baseline is bench.orders_raw_app, a FastAPI endpoint doing a command's
durable work (the event appended at its stream's next version and its outbox row, in one
transaction), served the same way by one worker process against the same server.

- Round trips: an order created and moved through its 8 transitions to `closed` (9 requests)
  by `clients` concurrent clients, against chains of 9 raw appends. The default pipeline's
  gates need facts from other services, so a director first publishes a version with every
  gate emptied; orders created afterwards use it.
- Latency: both sides again, paced at half the rate each measured, p50/p99 per request over
  at least `latency_requests` requests per side (rounds alternating which side goes first).
- Between timed runs, bench.rounds.settle waits for the machine to be quiet: a run's events
  still flow through the relays and consumers for a moment and must not slow the next run.
- Long streams: one order gathering comments (chat), its card loaded and a command run on it
  at each size, against a raw SELECT of the same rows: does loading stay fast without
  snapshots?
"""

from __future__ import annotations

import asyncio
import math
import shutil
import signal
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx

from bench import costs
from bench.components import Components
from bench.orders_drive import (
    ORDER,
    REQUESTS_PER_ORDER,
    Chain,
    Paced,
    check,
    client,
    closed_loop,
    login,
    order_chain,
    paced,
    raw_chain,
)
from bench.rounds import OURS, RAW, alternate, settle, sides
from deploy.local.db_logins import drop_local_logins
from deploy.local.layout import REPO_ROOT
from deploy.local.ports import free_port
from deploy.local.service_process import ServiceProcess, ServiceSpec
from deploy.local.stack import Stack
from plumbing import db
from services.orders.adapters.pipeline_store import PostgresPipelineStore
from services.orders.adapters.postgres_event_store import PostgresEventStore
from services.orders.application.pipelines import Pipelines
from services.orders.application.service import OrderService

RAW_SERVICE = ServiceSpec("raw-insert", "bench.orders_raw_app", None)
COMMANDS_PER_SIZE = 5  # comments posted on a long stream to time a command on it
COMMENT = "Клиент просит перенести замер на вторник после 18:00, домофон не работает, звонить."


@dataclass(frozen=True)
class Plan:
    orders: int  # round trips per run
    clients: int  # concurrent clients
    rounds: int
    stream_sizes: tuple[int, ...]  # comments on the long-stream order at each measurement
    latency_requests: int = 1000  # per side in the paced runs: enough for a p99
    reads: int = 11  # timed card loads / SELECTs per size, median kept


@dataclass(frozen=True)
class Setup:
    pipeline_version: int
    payload_bytes: int  # the raw side's event: a stored StageChanged envelope


@dataclass(frozen=True)
class Throughput:
    requests: int  # per run and side
    ours: float  # requests per second, median of the rounds
    raw: float


@dataclass(frozen=True)
class Latency:
    ours_offered: float  # requests per second offered: half of each side's maximum
    raw_offered: float
    ours: Paced
    raw: Paced


@dataclass(frozen=True)
class StreamLoad:
    comments: int
    events: int  # in the order's stream when loaded
    card_ms: float  # GET /api/v1/orders/{id} through the gateway
    command_ms: float  # POST a comment: load, decide, append
    fold_ms: float  # OrderService.load in this process: the store's read, upcasts, evolve
    select_ms: float  # SELECT envelope ... WHERE stream_id = $1, straight from asyncpg


Result = Setup | Throughput | Latency | StreamLoad
Emit = Callable[[Result], None]


def run(parts: Components, plan: Plan, emit: Emit) -> None:
    """Start the system and the baseline, measure, stop both; Ctrl-C included."""
    root = Path(tempfile.mkdtemp(prefix="oms-bench-orders-"))
    root.chmod(0o755)  # PostgreSQL runs as `nobody` under root, should the stack start one
    name = f"bench_orders_{uuid.uuid4().hex[:8]}"
    database = f"{parts.server_url.rpartition('/')[0]}/{name}"
    started: list[Stack | ServiceProcess] = []
    try:
        asyncio.run(_admin(parts.server_url, f"CREATE DATABASE {name}"))
        environ = {"DATABASE_URL": database}
        # A broker of our own can carry the system's topics; a shared one (KAFKA_BOOTSTRAP)
        # must not: real consumers would see benchmark orders. The stack then starts its own.
        if parts.broker_origin.startswith("local"):
            environ["KAFKA_BOOTSTRAP"] = parts.kafka_bootstrap
        system = Stack(root, gateway_port=None, environ=environ, seed=False)
        started.append(system)  # before start(): a half-started stack is still stopped
        system.start()
        raw_env = {"DATABASE_URL": database, "PYTHONPATH": str(REPO_ROOT), "LOG_LEVEL": "WARNING"}
        raw = ServiceProcess(RAW_SERVICE, free_port(), raw_env, root / "logs")
        started.append(raw)
        raw.start()
        _register_processes(system, raw)
        asyncio.run(_measure(system.urls["gateway"], raw.url, database, plan, emit))
    finally:
        # A second Ctrl-C must not abort the shutdown halfway and leave processes behind.
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            for component in reversed(started):
                component.stop()
            asyncio.run(_admin(parts.server_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            drop_local_logins(parts.server_url, name)  # the stack's logins outlive the database
            shutil.rmtree(root, ignore_errors=True)
        finally:
            signal.signal(signal.SIGINT, previous)


def _register_processes(system: Stack, raw: ServiceProcess) -> None:
    """The service processes whose CPU `bench --profile` counts (a restart's new pid too)."""

    def pids(component: object) -> list[int]:
        pid = getattr(component, "pid", None)
        return [pid] if isinstance(pid, int) else []

    for name in system.component_names():
        component = system.component(name)
        if isinstance(component, ServiceProcess):
            costs.register(name, lambda c=component: pids(c))  # type: ignore[misc]
    costs.register("raw app", lambda: pids(raw))


async def _admin(server_url: str, sql: str) -> None:
    conn = await asyncpg.connect(server_url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _measure(gateway: str, raw_url: str, database: str, plan: Plan, emit: Emit) -> None:
    async with client(gateway) as api, client(raw_url) as raw_api:
        manager = await login(api, "manager")
        version = await _publish_gateless_pipeline(api, await login(api, "director"))
        ours = order_chain(manager)
        # Warm-up, not timed: connections opened, code paths and caches hot on both sides.
        await closed_loop(api, ours, plan.clients, plan.clients)
        payload = await _event_payload(database)
        raw = raw_chain(payload)
        await closed_loop(raw_api, raw, plan.clients, plan.clients)
        emit(Setup(version, len(payload)))

        def run_of(http: httpx.AsyncClient, chain: Chain) -> Callable[[], Awaitable[float]]:
            async def one() -> float:
                return await closed_loop(http, chain, plan.orders, plan.clients)

            return one

        requests = plan.orders * REQUESTS_PER_ORDER
        ours_rate, raw_rate = await alternate(
            plan.rounds, requests, run_of(api, ours), run_of(raw_api, raw), "round trips"
        )
        emit(Throughput(requests, ours_rate, raw_rate))

        # Enough requests per side for the p99 (plan.latency_requests), over the same rounds,
        # alternating which side goes first; the samples of a side's rounds pooled.
        chains = math.ceil(plan.latency_requests / REQUESTS_PER_ORDER / plan.rounds)
        runs: dict[str, list[Paced]] = {OURS: [], RAW: []}
        pace = {OURS: (api, ours, ours_rate / 2), RAW: (raw_api, raw, raw_rate / 2)}
        for number in range(plan.rounds):
            for side in sides(number):
                await settle(f"before paced {side}, round {number + 1}")
                http, chain, rate = pace[side]
                runs[side].append(await paced(http, chain, chains, rate))
        await settle("after the paced rounds")
        ours_paced, raw_paced = Paced.pooled(runs[OURS]), Paced.pooled(runs[RAW])
        emit(Latency(ours_rate / 2, raw_rate / 2, ours_paced, raw_paced))

        await _long_streams(api, manager, database, plan, emit)


async def _publish_gateless_pipeline(api: httpx.AsyncClient, director: dict[str, str]) -> int:
    """A new pipeline version with every gate emptied: moves need no facts from elsewhere."""
    current = check(await api.get("/api/v1/pipeline", headers=director), 200).json()
    for stage in current["stages"]:
        stage["gate"] = []
    published = check(await api.put("/api/v1/pipeline", headers=director, json=current), 200)
    version = int(published.json()["version"])
    if version <= int(current["version"]):
        raise RuntimeError(f"the pipeline stayed at version {current['version']}")
    return version


async def _event_payload(database: str) -> bytes:
    """A real stored event (the latest stage change) as the raw side's body."""
    conn = await asyncpg.connect(database)
    try:
        text = await conn.fetchval(
            "SELECT envelope::text FROM orders.events "
            "WHERE envelope->>'type' = 'orders.StageChanged' ORDER BY position DESC LIMIT 1"
        )
    finally:
        await conn.close()
    if text is None:
        raise RuntimeError("the warm-up stored no StageChanged event")
    return str(text).encode()


async def _median_ms(call: Callable[[], Awaitable[object]], times: int) -> float:
    seconds = []
    for _ in range(times):
        started = time.perf_counter()
        await call()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds) * 1000


async def _long_streams(
    api: httpx.AsyncClient, headers: dict[str, str], database: str, plan: Plan, emit: Emit
) -> None:
    """One order, comments appended up to each size; its card, a command and a SELECT timed.

    Comments are posted one at a time: concurrent ones on one order would mostly collide and
    retry, which measures the retries rather than the stream.
    """
    created = check(await api.post("/api/v1/orders", json=ORDER, headers=headers), 201)
    order_id = created.json()["id"]
    stream_id = f"order-{order_id}"
    path = f"/api/v1/orders/{order_id}"
    posted = 0

    async def comment() -> None:
        nonlocal posted
        reply = await api.post(f"{path}/comments", json={"text": COMMENT}, headers=headers)
        check(reply, 201)
        posted += 1

    async def card() -> None:
        check(await api.get(path, headers=headers), 200)

    conn = await asyncpg.connect(database)
    # The service's own load path, without HTTP: what a snapshot would save at most.
    pool = await db.create_pool(database, "orders", max_size=1)
    store = PostgresEventStore(pool, "orders")
    service = OrderService(store, Pipelines(PostgresPipelineStore(pool, store)))
    try:

        async def fold() -> None:
            await service.load(uuid.UUID(order_id))

        async def select() -> None:
            await conn.fetch(
                "SELECT envelope FROM orders.events WHERE stream_id = $1 ORDER BY stream_version",
                stream_id,
            )

        for size in (0, *plan.stream_sizes):
            while posted < size:
                await comment()
            comments = posted
            events = int(
                await conn.fetchval(
                    "SELECT count(*) FROM orders.events WHERE stream_id = $1", stream_id
                )
            )
            card_ms = await _median_ms(card, plan.reads)
            fold_ms = await _median_ms(fold, plan.reads)
            select_ms = await _median_ms(select, plan.reads)
            command_ms = await _median_ms(comment, COMMANDS_PER_SIZE)
            emit(StreamLoad(comments, events, card_ms, command_ms, fold_ms, select_ms))
    finally:
        await pool.close()
        await conn.close()
