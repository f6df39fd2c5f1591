"""The board at size, through HTTP on both sides: the projections service's GET /board (what
the gateway calls: per-stage counts plus the first `limit` cards of each stage with their
visit, task, media and overdue columns in one statement, then the pipeline's titles and each
card's forecast, as JSON) against a bare endpoint answering the raw query
(`SELECT stage, count(*) ... GROUP BY stage`) as JSON. Both are processes of their own,
served as our services are (bench/board_apps.py), called by the same httpx client.

The read-model tables are seeded directly (generate_series), not through events: this
measures the read, not the projection (the cards' stored counts are filled as the projector
would fill them). Rounds alternate which side goes first, the machine settled before each;
p50/p95 over the pooled samples (a p95 needs 200: bench.rounds). Hook:
`lines = await run_board_bench(url)` then print.

Before issue 17 step 1 both sides were timed in-process (board_store.board against the
asyncpg query), so the ours side left out its HTTP, titles and forecasts.
"""

from __future__ import annotations

import math
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from bench.rounds import OURS, RAW, percentile, samples_for, settle, shown, sides
from deploy.local.layout import REPO_ROOT
from deploy.local.ports import free_port
from deploy.local.service_process import ServiceProcess, ServiceSpec
from plumbing import db
from plumbing.actor import signing_hook
from services.projections.adapters.tables import MIGRATIONS, SUMMARIES_DDL

APPS = ServiceSpec("board-bench", "bench.board_apps", None)
ROUNDS = 4  # blocks of requests per side, alternating which side goes first
WARM = 20  # requests per side before the clock: connections, plans, caches
# Who the board is read for: a director sees every card, as the gateway then asks for none
# of the field roles' filters. The hook below turns these into the signed token.
DIRECTOR = {
    "X-Actor-Id": str(uuid.uuid4()),
    "X-Actor-Username": "director",
    "X-Actor-Role": "director",
}

SEED = """
INSERT INTO board_cards (order_id, number, title, customer_name, phone, address, address_json,
    stage, stage_entered_at, manager_id, version, search, created_at, amount)
SELECT md5('o' || n)::uuid, n, 'Шкаф ' || n, 'Клиент ' || n, '+7915' || lpad(n::text, 7, '0'),
    'Москва, ул. ' || (n % 500), '{}'::jsonb,
    (ARRAY['intake','measurement','contract','production','shipment_prep','delivery',
           'installation','rework','closed','cancelled'])[1 + n % 10],
    now() - make_interval(mins => n), NULL, 3, 'клиент ' || n, now() - make_interval(days => 30),
    1000 + n
FROM generate_series(1, $1) AS n;
INSERT INTO order_tasks (task_id, order_id, kind, title, status, due_at)
SELECT md5('t' || n)::uuid, md5('o' || n)::uuid, 'measurement', 'Замер',
    CASE WHEN n % 3 = 0 THEN 'done' ELSE 'open' END, now() + make_interval(hours => n % 48)
FROM generate_series(1, $1) AS n;
INSERT INTO order_visits (visit_id, order_id, task_id, kind, assignee_id, starts_at, ends_at,
    status)
SELECT md5('v' || n)::uuid, md5('o' || n)::uuid, md5('t' || n)::uuid, 'measurement',
    md5('u' || (n % 20))::uuid, now() + make_interval(hours => n % 200),
    now() + make_interval(hours => n % 200 + 2), 'booked'
FROM generate_series(1, $1, 2) AS n;
INSERT INTO order_media (media_id, order_id, kind, purpose)
SELECT md5('m' || n)::uuid, md5('o' || (n / 2 + 1))::uuid,
    CASE WHEN n % 2 = 0 THEN 'photo' ELSE 'document' END, 'other'
FROM generate_series(1, $1) AS n;
ANALYZE;
"""


async def _timed(
    http: httpx.AsyncClient, path: str, params: dict[str, str], times: int
) -> list[float]:
    """Milliseconds per request, one request after the other."""
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        reply = await http.get(path, params=params)
        samples.append((time.perf_counter() - started) * 1000)
        if reply.status_code != 200:  # a refused request timed as served would be nonsense
            raise RuntimeError(f"GET {path}: {reply.status_code} {reply.text[:300]}")
    return samples


async def _measure(
    ours_url: str, raw_url: str, requests: int, limit: int
) -> dict[str, list[float]]:
    """`requests` timed requests per side, in ROUNDS blocks alternating which side goes first."""
    hook = signing_hook(os.environ["INTERNAL_SIGNING_KEY"], "projections")
    async with (
        httpx.AsyncClient(
            base_url=ours_url, headers=DIRECTOR, event_hooks={"request": [hook]}, timeout=60
        ) as ours,
        httpx.AsyncClient(base_url=raw_url, timeout=60) as raw,
    ):
        calls = {OURS: (ours, "/board", {"limit": str(limit)}), RAW: (raw, "/raw", {})}
        for http, path, params in calls.values():
            await _timed(http, path, params, WARM)
        samples: dict[str, list[float]] = {OURS: [], RAW: []}
        per_round = math.ceil(requests / ROUNDS)
        for number in range(ROUNDS):
            for side in sides(number):
                await settle(f"before board {side}, round {number + 1}")
                samples[side] += await _timed(*calls[side], per_round)
        return samples


async def run_board_bench(
    database_url: str,
    sizes: tuple[int, ...] = (10_000, 100_000),
    requests: int = samples_for(0.95),
    limit: int = 50,
) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="oms-bench-board-") as logs:
        return await _sizes(database_url, Path(logs), sizes, requests, limit)


async def _sizes(
    database_url: str, root: Path, sizes: tuple[int, ...], requests: int, limit: int
) -> list[str]:
    row = "{:<28}{:>10}{:>10}{:>10}{:>10}{:>8}"
    lines = [
        row.format("board via HTTP (ms)", "ours p50", "ours p95", "raw p50", "raw p95", "p50 ×")
    ]
    for size in sizes:
        schema = f"bench_board_{uuid.uuid4().hex[:8]}"
        pool = await db.create_pool(database_url, schema, max_size=2)
        started: list[ServiceProcess] = []
        try:
            await db.migrate(pool, schema, MIGRATIONS)
            await pool.execute(SEED.replace("$1", str(int(size))))
            # The cards' stored counts, as the step that made their table fills them.
            await pool.execute(SUMMARIES_DDL + "ANALYZE card_summaries;")
            urls = {}
            for side in (OURS, RAW):
                env = {
                    "DATABASE_URL": database_url,
                    "DB_SCHEMA": schema,
                    "BENCH_BOARD_SIDE": side,
                    "PYTHONPATH": str(REPO_ROOT),
                    "LOG_LEVEL": "WARNING",
                }
                server = ServiceProcess(APPS, free_port(), env, root)
                started.append(server)  # before start(): a half-started child is still stopped
                server.start()
                urls[side] = server.url
            samples = await _measure(urls[OURS], urls[RAW], requests, limit)
            ours, raw = samples[OURS], samples[RAW]
            p50, raw50 = statistics.median(ours), statistics.median(raw)
            lines.append(
                row.format(
                    f"{size:,} orders, limit {limit}",
                    f"{p50:.1f}",
                    shown(percentile(ours, 0.95)),
                    f"{raw50:.1f}",
                    shown(percentile(raw, 0.95)),
                    f"{p50 / raw50:.2f}",
                )
            )
        finally:
            for server in reversed(started):
                server.stop()
            await pool.execute(f"DROP SCHEMA {db.quote_ident(schema)} CASCADE")
            await pool.close()
    return [
        *lines,
        f"board: {math.ceil(requests / ROUNDS) * ROUNDS:,} requests per side and size, one at "
        f"a time, in {ROUNDS} rounds alternating;",
        "     ours = projections GET /board (signed as the gateway signs), raw = GET of the "
        "stage counts",
    ]
