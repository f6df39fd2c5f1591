"""Rebuild every read model from the logs into a fresh schema, then swap it in live.

1. Create `<live>_rebuild_<n>` and run the projections' migrations in it.
2. Replay each log (orders event store, scheduling/media/gateway outboxes) in position order
   through the same `project` the live consumer uses, folded in memory (MemoryReadModels),
   then load the fresh schema in one transaction: indexes dropped, each table written once
   with COPY, indexes made again, the derived tables (customers, card_summaries) summed up
   by the live SQL; stage_counts is counted by board_cards' own trigger, once for the
   cards' whole COPY. Every event id replayed is claimed in the fresh inbox under the
   consumer's group, so after the swap the live consumer skips what the rebuild applied and
   applies what it did not.
3. Swap (adapters/generations.py): under a lock on the live inbox, apply what the logs
   gained meanwhile (in PostgreSQL, through `apply`, claims batched), then rename schemas in
   the same transaction.

The read models are order-independent across logs (upserts keyed by each fact's id), so
replaying log after log reaches what the live consumer reached interleaving topics.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from uuid import UUID

import asyncpg

from contracts.envelope import Envelope
from plumbing import db
from plumbing.db import Conn, quote_ident
from plumbing.inbox import claim_many
from services.projections.adapters import generations, logs, reporting
from services.projections.adapters.logs import LogTable
from services.projections.adapters.memory_read_models import MemoryReadModels
from services.projections.adapters.tables import CHECKSUM_QUERIES, MIGRATIONS
from services.projections.application.apply import GROUP, apply, project

log = logging.getLogger(__name__)
BATCH = 1000  # events per transaction of the catch-up
READ_BATCH = 5000  # events per read of the bulk load


class RebuildRefused(RuntimeError):
    """The rebuild did not start (says why); nothing was changed."""


@dataclass
class Plan:
    database_url: str
    live: str
    sources: list[LogTable]
    reporting_schema: str
    analyst_role: str


@dataclass
class Result:
    schema: str
    events: int = 0
    caught_up: int = 0
    seconds: float = 0.0
    positions: dict[str, int] = field(default_factory=dict)


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """The load makes millions of objects that live until it ends (rows, ids, events) and
    form no cycles; each of the collector's full passes walks all of them again, which cost
    a third of the load's time. Cycles made meanwhile are collected after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


async def _load(
    conn: Conn, sources: list[LogTable], result: Result, reader: Conn | None = None
) -> int:
    """Fold every log into memory, then write the (empty, migrated) schema of `conn` in one
    transaction; answers the events applied. The positions read go into `result`. With a
    `reader` (a second connection), each batch of the logs is asked for while the one before
    is folded, so the server reads while Python folds."""
    with _no_cycle_collection():
        return await _fold_and_write(conn, reader or conn, sources, result)


async def _batches(
    reader: Conn, source: LogTable, position: int, ahead: bool
) -> AsyncIterator[list[tuple[int, Envelope]]]:
    """The log's batches after `position`; with `ahead`, the next one already requested."""
    pending = asyncio.ensure_future(logs.read_after(reader, source, position, READ_BATCH))
    try:
        while True:
            batch = await pending
            if not batch:
                return
            pending = asyncio.ensure_future(
                logs.read_after(reader, source, batch[-1][0], READ_BATCH)
            )
            if ahead:
                await asyncio.sleep(0)  # the request goes out before the fold holds the loop
            else:
                await asyncio.wait([pending])
            yield batch
    finally:
        pending.cancel()
        await asyncio.gather(pending, return_exceptions=True)


async def _fold_and_write(conn: Conn, reader: Conn, sources: list[LogTable], result: Result) -> int:
    started = time.monotonic()
    models = MemoryReadModels()
    claimed: dict[UUID, None] = {}  # the fresh inbox, in replay order
    for source in sources:
        if not await logs.exists(conn, source):
            continue  # that service is not deployed here: nothing to replay
        position = result.positions.get(source.name, 0)
        async for batch in _batches(reader, source, position, ahead=reader is not conn):
            for _, envelope in batch:
                if envelope.event_id in claimed:
                    continue  # what claim() does with an id already applied
                claimed[envelope.event_id] = None
                await project(models, envelope, feed=False)
            result.positions[source.name] = batch[-1][0]
    folded = time.monotonic()
    async with conn.transaction():
        # A scratch schema until the swap: losing this commit to a crash loses nothing.
        await conn.execute("SET LOCAL synchronous_commit = off")
        again = await generations.drop_indexes(conn, [*models.FOLDED, "inbox"])
        await models.copy_into(conn)
        await conn.copy_records_to_table(
            "inbox",
            records=[(GROUP, event_id) for event_id in claimed],
            columns=["consumer", "event_id"],
            schema_name=await conn.fetchval("SELECT current_schema()"),
        )
        copied = time.monotonic()
        for statement in again:
            await conn.execute(statement)
        indexed = time.monotonic()
        await models.derive(conn)
    log.info(
        "loaded %d events: read and folded in %.1f s, copied in %.1f s, indexed in %.1f s, "
        "derived and committed in %.1f s",
        len(claimed),
        folded - started,
        copied - folded,
        indexed - copied,
        time.monotonic() - indexed,
    )
    return len(claimed)


async def _replay(conn: Conn, sources: list[LogTable], result: Result) -> int:
    """Apply everything after the positions in `result` in PostgreSQL, one transaction per
    batch (the swap's catch-up, inside its transaction)."""
    applied = 0
    for source in sources:
        if not await logs.exists(conn, source):
            continue
        while True:
            position = result.positions.get(source.name, 0)
            batch = await logs.read_after(conn, source, position, BATCH)
            if not batch:
                break
            async with conn.transaction():
                fresh = await claim_many(conn, GROUP, [e.event_id for _, e in batch])
                for _, envelope in batch:
                    if envelope.event_id in fresh:
                        fresh.discard(envelope.event_id)  # an id twice: applied once
                        await apply(conn, envelope, feed=False)
                        applied += 1
            result.positions[source.name] = batch[-1][0]
    return applied


async def rebuild(plan: Plan) -> Result:
    started = time.monotonic()
    fresh = f"{plan.live}_rebuild_{int(time.time() * 1000)}"
    result = Result(schema=fresh)
    control = await asyncpg.connect(plan.database_url)
    try:
        owner = await generations.owner_mismatch(control, plan.live)
        if owner is not None:
            raise RebuildRefused(
                f"{plan.live} belongs to {owner}: run the rebuild with the projections "
                "service's own DATABASE_URL (its login), or the swapped-in tables lock it out"
            )
        if not await generations.try_lock_rebuild(control, plan.live):
            raise RebuildRefused(f"a rebuild of {plan.live} is already running")
        pool = await db.create_pool(plan.database_url, fresh, max_size=2)
        try:
            await db.migrate(pool, fresh, MIGRATIONS)
            async with pool.acquire() as conn:
                async with pool.acquire() as reader:
                    result.events = await _load(conn, plan.sources, result, reader)

                async def catch_up(c: Conn) -> None:
                    result.caught_up = await _replay(c, plan.sources, result)

                async def refresh_views(c: Conn) -> None:
                    await reporting.install(c, plan.live, plan.reporting_schema, plan.analyst_role)

                retired = f"{plan.live}_retired_{int(time.time() * 1000)}"
                await generations.swap(
                    conn,
                    live=plan.live,
                    fresh=fresh,
                    retired=retired,
                    catch_up=catch_up,
                    after=refresh_views,
                )
        finally:
            await pool.close()
        await generations.unlock_rebuild(control, plan.live)
    finally:
        await control.close()
    result.seconds = time.monotonic() - started
    log.info("rebuilt %s: %d events, %d caught up", plan.live, result.events, result.caught_up)
    return result


async def compare(plan: Plan) -> dict[str, tuple[str, str]]:
    """Replay every log into a scratch schema and compare it with the live read models.

    Answers the tables whose checksums differ, as (live, rebuilt); empty means the live read
    models are exactly what the logs say. Nothing is swapped and the scratch schema is
    dropped. Meaningful once the live consumer has caught up (the fault run waits for quiet).
    """
    rebuilt, live = await _scratch_checksums(plan)
    return {t: (live[t], rebuilt[t]) for t in CHECKSUM_QUERIES if live[t] != rebuilt[t]}


async def rebuilt_checksums(plan: Plan) -> dict[str, str]:
    """What the read models' checksums are when rebuilt from the logs (nothing swapped): the
    backup drill (deploy/local/drill.py) compares them with the ones taken at backup."""
    rebuilt, _ = await _scratch_checksums(plan)
    return rebuilt


async def _scratch_checksums(plan: Plan) -> tuple[dict[str, str], dict[str, str]]:
    """(rebuilt into a scratch schema, live) checksums; the scratch schema is dropped."""
    scratch = f"{plan.live}_check_{int(time.time() * 1000)}"
    pool = await db.create_pool(plan.database_url, scratch, max_size=2)
    try:
        await db.migrate(pool, scratch, MIGRATIONS)
        async with pool.acquire() as conn:
            async with pool.acquire() as reader:
                await _load(conn, plan.sources, Result(schema=scratch), reader)
            rebuilt = await generations.checksum(conn, CHECKSUM_QUERIES)
            async with conn.transaction():
                await conn.execute(f"SET LOCAL search_path = {quote_ident(plan.live)}, public")
                live = await generations.checksum(conn, CHECKSUM_QUERIES)
            await conn.execute(f"DROP SCHEMA {quote_ident(scratch)} CASCADE")
    finally:
        await pool.close()
    return rebuilt, live
