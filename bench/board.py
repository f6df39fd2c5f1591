"""The board query at size: `board()` (per-stage counts plus the first `limit` cards of each
stage with their visit, task, media and overdue columns: one statement, one snapshot) against a raw
`SELECT stage, count(*) ... GROUP BY stage` on the same table, p50/p95 over the same rounds.

The read-model tables are seeded directly (generate_series), not through events: this
measures the query, not the projection (the cards' stored counts are filled as the projector
would fill them). Hook: `lines = await run_board_bench(url)` then print.
"""

from __future__ import annotations

import statistics
import time
import uuid

import asyncpg

from plumbing import db
from services.projections.adapters import board_store
from services.projections.adapters.tables import MIGRATIONS, SUMMARIES_DDL

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


def _pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _measure(pool: asyncpg.Pool, rounds: int, limit: int) -> tuple[list[float], list[float]]:
    ours: list[float] = []
    raw: list[float] = []
    for _ in range(rounds):  # alternate, so drift in the machine hits both sides alike
        started = time.perf_counter()
        await board_store.board(pool, q=None, manager=None, visible_to=None, limit=limit)
        ours.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        await pool.fetch("SELECT stage, count(*) FROM board_cards GROUP BY stage")
        raw.append((time.perf_counter() - started) * 1000)
    return ours, raw


async def run_board_bench(
    database_url: str,
    sizes: tuple[int, ...] = (10_000, 100_000),
    rounds: int = 30,
    limit: int = 50,
) -> list[str]:
    row = "{:<28}{:>10}{:>10}{:>10}{:>10}{:>8}"
    lines = [row.format("board query (ms)", "ours p50", "ours p95", "raw p50", "raw p95", "p50 ×")]
    for size in sizes:
        schema = f"bench_board_{uuid.uuid4().hex[:8]}"
        pool = await db.create_pool(database_url, schema, max_size=2)
        try:
            await db.migrate(pool, schema, MIGRATIONS)
            await pool.execute(SEED.replace("$1", str(int(size))))
            # The cards' stored counts, as the step that made their table fills them.
            await pool.execute(SUMMARIES_DDL + "ANALYZE card_summaries;")
            await _measure(pool, 3, limit)  # warm the caches and the plans
            ours, raw = await _measure(pool, rounds, limit)
            p50 = statistics.median(ours)
            raw50 = statistics.median(raw)
            lines.append(
                row.format(
                    f"{size:,} orders, limit {limit}",
                    f"{p50:.1f}",
                    f"{_pct(ours, 0.95):.1f}",
                    f"{raw50:.1f}",
                    f"{_pct(raw, 0.95):.1f}",
                    f"{p50 / raw50:.2f}",
                )
            )
        finally:
            await pool.execute(f"DROP SCHEMA {db.quote_ident(schema)} CASCADE")
            await pool.close()
    return lines
