"""Contention on one order: N clients comment on the same order at once (issue 17, step 9).

`python -m bench.contention [--clients 1,8,16] [--rounds 5] [--replicas 1,2]`

The orders service runs as `make run` starts it (a uvicorn process of one worker; with
`--replicas 2`, two such processes on one database, the clients alternating between them),
on a fresh database of the benchmark's PostgreSQL (bench.components: embedded unless
DATABASE_URL / KAFKA_BOOTSTRAP point elsewhere). Each round creates an order and sends N
comments on it at once over HTTP, as the gateway would (signed actor). A comment's decision
does not depend on the order's version, so every answer should be 201: the table prints the
share that was 409 "too busy" instead, any other failure, the latency p50/p99 of all the
answers and the p50 of the 201s alone, and how many comments landed per second of the bursts
(a 409 is work the client must send again). One client alone (N=1) is the floor: the same
request without anyone to race. Afterwards the order's stream must hold exactly the comments
that were answered 201.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import shutil
import statistics
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.components import components, fresh_database
from deploy.local.ports import free_port
from deploy.local.service_process import SERVICES, ServiceProcess
from plumbing.actor import signing_hook

KEY = os.environ.setdefault("INTERNAL_SIGNING_KEY", secrets.token_urlsafe(48))
ORDERS = next(spec for spec in SERVICES if spec.name == "orders")
MANAGER = {
    "X-Actor-Id": "0b0b0b0b-0000-4000-8000-00000000c0de",
    "X-Actor-Username": "manager",
    "X-Actor-Role": "manager",
}
ORDER = {
    "title": "Шкаф-купе",
    "customer": {"name": "Иванов", "phone": "+7 915 123-45-67", "address": "Москва, Тверская 1"},
}
ROW = "{:<10}{:>9}{:>11}{:>9}{:>7}{:>9}{:>9}{:>12}{:>12}"


@dataclass(frozen=True)
class Figures:
    replicas: int
    clients: int
    requests: int
    conflicts: int  # 409
    failures: int  # anything else that is not 201
    p50_ms: float  # every answer
    p99_ms: float
    ok_p50_ms: float  # the 201s only: what a comment that lands costs
    landed_per_s: float  # comments that landed per second of the rounds' wall time


def _client(url: str) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    return httpx.AsyncClient(
        base_url=url,
        timeout=60,
        limits=limits,
        event_hooks={"request": [signing_hook(KEY, "orders")]},
    )


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


Answers = tuple[Counter[int], list[tuple[int, float]], float]


async def _round(apis: list[httpx.AsyncClient], clients: int) -> Answers:
    """(statuses, (status, ms) per answer, wall seconds of the burst)."""
    created = await apis[0].post("/orders", json=ORDER, headers=MANAGER)
    created.raise_for_status()
    order_id = created.json()["id"]

    async def comment(index: int) -> tuple[int, float]:
        api = apis[index % len(apis)]
        started = time.perf_counter()
        reply = await api.post(
            f"/orders/{order_id}/comments", json={"text": f"комментарий {index}"}, headers=MANAGER
        )
        return reply.status_code, time.perf_counter() - started

    began = time.perf_counter()
    answers = await asyncio.gather(*(comment(i) for i in range(clients)))
    wall = time.perf_counter() - began
    statuses = Counter(status for status, _ in answers)
    card = (await apis[0].get(f"/orders/{order_id}", headers=MANAGER)).json()
    # Created (1 event) + one event per accepted comment: nothing lost, nothing twice.
    if card["version"] != 1 + statuses[201]:
        raise RuntimeError(f"order at version {card['version']} after {statuses[201]} comments")
    return statuses, [(status, seconds * 1000) for status, seconds in answers], wall


async def _measure(urls: list[str], clients: int, rounds: int) -> Figures:
    apis = [_client(url) for url in urls]
    try:
        await _round(apis, 1)  # warm the connections and the processes' caches
        statuses: Counter[int] = Counter()
        answers: list[tuple[int, float]] = []
        wall = 0.0
        for _ in range(rounds):
            found, timed, seconds = await _round(apis, clients)
            statuses += found
            answers += timed
            wall += seconds
    finally:
        for api in apis:
            await api.aclose()
    total = sum(statuses.values())
    latencies = [ms for _, ms in answers]
    landed = [ms for status, ms in answers if status == 201]
    return Figures(
        replicas=len(urls),
        clients=clients,
        requests=total,
        conflicts=statuses[409],
        failures=total - statuses[201] - statuses[409],
        p50_ms=statistics.median(latencies),
        p99_ms=_percentile(latencies, 0.99),
        ok_p50_ms=statistics.median(landed) if landed else float("nan"),
        landed_per_s=statuses[201] / wall,
    )


def _start(count: int, database: str, bootstrap: str, root: Path) -> list[ServiceProcess]:
    env = {
        "DATABASE_URL": database,
        "KAFKA_BOOTSTRAP": bootstrap,
        "INTERNAL_SIGNING_KEY": KEY,
        "LOG_LEVEL": "WARNING",
    }
    started: list[ServiceProcess] = []
    for index in range(count):  # one after the other: the first one migrates
        process = ServiceProcess(ORDERS, free_port(), env, root / f"logs-{index}")
        started.append(process)
        process.start()
    return started


async def _replicas(
    count: int, sizes: list[int], rounds: int, server_url: str, bootstrap: str, root: Path
) -> list[Figures]:
    """`count` orders processes on one fresh database, each size of round measured on them."""
    async with fresh_database(server_url) as database:
        processes: list[ServiceProcess] = []
        try:
            processes = _start(count, database, bootstrap, root)  # blocks: nothing else runs
            urls = [p.url for p in processes]
            return [await _measure(urls, clients, rounds) for clients in sizes]
        finally:
            for process in reversed(processes):
                process.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.contention", description=__doc__)
    parser.add_argument("--clients", default="1,8,16", help="concurrent comments per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--replicas", default="1,2", help="orders processes on one database")
    args = parser.parse_args()
    sizes = [int(n) for n in args.clients.split(",")]
    root = Path(tempfile.mkdtemp(prefix="oms-bench-contention-"))
    root.chmod(0o755)
    results: list[Figures] = []
    try:
        with components() as parts:
            for count in (int(n) for n in args.replicas.split(",")):
                results += asyncio.run(
                    _replicas(
                        count, sizes, args.rounds, parts.server_url, parts.kafka_bootstrap, root
                    )
                )
            origin = parts.postgres_origin
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"PostgreSQL: {origin}; rounds per row: {args.rounds}")
    print(
        ROW.format(
            "replicas",
            "clients",
            "requests",
            "409 %",
            "other",
            "p50 ms",
            "p99 ms",
            "201 p50 ms",
            "landed/s",
        )
    )
    for f in results:
        share = 100 * f.conflicts / f.requests
        print(
            ROW.format(
                f.replicas,
                f.clients,
                f.requests,
                f"{share:.1f}",
                f.failures,
                f"{f.p50_ms:.1f}",
                f"{f.p99_ms:.1f}",
                f"{f.ok_p50_ms:.1f}",
                f"{f.landed_per_s:.0f}",
            )
        )


if __name__ == "__main__":
    main()
