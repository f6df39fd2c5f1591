"""PostgreSQL pools and tiny forward-only migrations, one schema per service."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Sequence

import asyncpg
from asyncpg.pool import PoolConnectionProxy

log = logging.getLogger(__name__)

# The database is away — restarting, refusing connections while it recovers, or the connection
# died under a statement. None of these says anything about the statement or the event at hand:
# callers wait and try again, and a consumer must never count them as a handler's failure (it
# would dead-letter a good event: seen under the fault run as CannotConnectNowError, 57P03).
UNAVAILABLE: tuple[type[BaseException], ...] = (
    asyncpg.PostgresConnectionError,  # class 08, and a connection closed mid-statement
    asyncpg.InterfaceError,
    asyncpg.exceptions.OperatorInterventionError,  # 57P01-57P03: shutting down, starting up
    asyncpg.TooManyConnectionsError,  # crash recovery briefly leaves no slots free
    asyncpg.exceptions.InternalClientError,  # a pooled connection left mid-protocol by a crash
    OSError,
    TimeoutError,
)


# What PostgreSQL being down, restarting or full looks like to a client: a command met it
# before its transaction committed, so nothing was applied and a retry is safe (API.md: 503
# with Retry-After, never 500).
_UNAVAILABLE = (
    asyncpg.PostgresConnectionError,  # class 08: the connection failed or is gone
    asyncpg.OperatorInterventionError,  # 57P0x: shutting down, crashed, starting up
    asyncpg.TooManyConnectionsError,
    ConnectionError,  # refused, reset, broken pipe: the server is not there
)


def unavailable(exc: BaseException) -> bool:
    """Whether `exc` (or what caused it) says the database cannot be reached right now."""
    seen: set[int] = set()
    stack: list[BaseException] = [exc]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, _UNAVAILABLE):
            return True
        # "connection is closed": a pooled connection whose server went away. Other interface
        # errors ("another operation is in progress") are this code's mistakes, not outages.
        if isinstance(current, asyncpg.InterfaceError) and "closed" in str(current):
            return True
        # A pooled connection whose server died under it mid-protocol ("cannot switch to
        # state 12; another operation (2) is in progress"), seen in the fault run's kills.
        if isinstance(current, asyncpg.InternalClientError) and "cannot switch" in str(current):
            return True
        if isinstance(current, BaseExceptionGroup):
            stack.extend(current.exceptions)
        stack.extend(e for e in (current.__cause__, current.__context__) if e is not None)
    return False


def quote_ident(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"unsafe identifier {name!r}")
    return f'"{name}"'


def lock_key(name: str) -> int:
    """A stable signed 64-bit advisory-lock key for a name (hash(), by contrast, is salted)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


async def _init_connection(conn: asyncpg.Connection) -> None:
    for typ in ("jsonb", "json"):
        await conn.set_type_codec(
            typ, encoder=json.dumps, decoder=json.loads, schema="pg_catalog", format="text"
        )


async def ensure_schema(url: str, schema: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        # Two services starting at once may both try; the lock makes it one at a time.
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", lock_key("ddl:" + schema))
            # Looked up first: a service's own login may not create schemas (provisioning made
            # its schema, deploy/database), and CREATE SCHEMA IF NOT EXISTS checks that right
            # before it checks whether the schema is there.
            if not await conn.fetchval("SELECT 1 FROM pg_namespace WHERE nspname = $1", schema):
                await conn.execute(f"CREATE SCHEMA {quote_ident(schema)}")
    finally:
        await conn.close()


QUERIES_PER_CONNECTION = 5_000
REOPEN_TIMEOUT_S = 5  # a refill's wait for a free connection before it leaves the slot


class _Refill:
    """Keeps a fixed-size pool full: reopens a connection as soon as it is closed, instead of
    on the next acquire that happens to reach its slot. asyncpg reopens lazily and hands out
    the most recently released connection first, so after recycling, slots stayed closed until
    a busy moment reached them and the count of open connections wandered with the load (the
    soak: backends 37 -> 32.5 with lazy reopening; with a refill that opened new slots to
    replace old ones, 48 -> 66). HikariCP's advice is a fixed-size pool that replaces a
    retired connection at once; this does that, so recycling changes which backends serve,
    never how many. A failure to reopen (the database is away) is left to asyncpg's lazy
    path."""

    def __init__(self) -> None:
        self.pool: asyncpg.Pool | None = None
        self._running: asyncio.Task[None] | None = None

    def watch(self, conn: asyncpg.Connection) -> None:
        conn.add_termination_listener(self._closed)

    def _closed(self, _conn: object) -> None:
        if self.pool is None or self.pool.is_closing():
            return
        if self._running is None or self._running.done():
            # One at a time: it reopens every closed slot, however many closed at once.
            self._running = asyncio.get_running_loop().create_task(self._reopen(self.pool))

    @staticmethod
    async def _reopen(pool: asyncpg.Pool) -> None:
        # Only asyncpg's public surface: the free slots are a stack, so taking connections
        # one after another, holding each, reaches the closed slots (just released, they are
        # usually on top: one take) and connects them. Every slot of a fixed-size pool was
        # open, so this opens no slot that was not. It never takes the last open idle
        # connection nor more than half the pool, so requests are never left waiting on it,
        # even while a reconnect is slow (PostgreSQL slowed in the fault run); a slot it
        # does not reach is connected by the request that does, as asyncpg always has.
        held: list[PoolConnectionProxy] = []
        try:
            while (
                pool.get_size() < pool.get_max_size()
                and pool.get_idle_size() > 1
                and len(held) < max(1, pool.get_max_size() // 2)
            ):
                held.append(await pool.acquire(timeout=REOPEN_TIMEOUT_S))
        except Exception as exc:  # away or closing: the lazy path remains
            log.debug("pooled connection not reopened now: %r", exc)
        finally:
            for conn in held:
                await pool.release(conn)


async def create_pool(url: str, schema: str, max_size: int = 10) -> asyncpg.Pool:
    await ensure_schema(url, schema)
    refill = _Refill()

    async def init(conn: asyncpg.Connection) -> None:
        await _init_connection(conn)
        refill.watch(conn)

    pool = await asyncpg.create_pool(
        url,
        # Fixed size: every connection opened at start and kept (reopened at once when
        # recycled, _Refill), so the count is the same at minute 10 and minute 60 and the
        # database's budget is what it always had to be, max_size per pool. A pool that grew
        # with bursts and sank with recycling hid a leak among its swings.
        min_size=max_size,
        max_size=max_size,
        # Idle connections stay (asyncpg's default closes them after 5 idle minutes, and
        # opening one costs a backend and an authentication on the request path).
        max_inactive_connection_lifetime=0,
        # ...but not forever: a PostgreSQL backend keeps what it has learnt (catalog and
        # relation caches, the plans of asyncpg's prepared statements) until it exits, so a
        # connection kept for days grows with everything it ever served (the soak saw the
        # backends' own memory climb 16 % in an hour). A connection is closed after this many
        # queries and opened afresh at once (_Refill), as pgbouncer's server_lifetime does.
        max_queries=QUERIES_PER_CONNECTION,
        init=init,
        server_settings={"search_path": f"{schema},public", "application_name": schema},
    )
    assert pool is not None
    refill.pool = pool
    return pool


async def connect(url: str, schema: str) -> asyncpg.Connection:
    """A dedicated connection (LISTEN, session advisory locks) with the service's search_path."""
    conn = await asyncpg.connect(
        url, server_settings={"search_path": f"{schema},public", "application_name": schema}
    )
    await _init_connection(conn)
    return conn


class MigrationEdited(RuntimeError):
    """A step already applied was changed since: steps are append-only (a new one goes at
    the end). Nothing is applied; the message names the step."""


class SchemaBehind(RuntimeError):
    """The schema lacks steps this release needs, and this process may not apply them (in
    Kubernetes the migrations Job does, before the rollout: deploy/migrate.py)."""


# A step waits this long for a lock before failing (and the whole migration with it), so a
# step that needs a table the running release is using never queues every query behind it.
LOCK_TIMEOUT = "5s"
STATEMENT_TIMEOUT = "10min"


def checksum(sql: str) -> str:
    return hashlib.sha256(sql.encode()).hexdigest()


async def migrate(
    pool: asyncpg.Pool, schema: str, steps: Sequence[str], *, apply: bool = True
) -> list[int]:
    """Apply the numbered steps not yet applied, in one transaction; answers those applied.

    Steps are append-only: each applied step's checksum is kept and checked at every run, so
    an edited one is refused (MigrationEdited) rather than silently differing between old and
    new databases; a database from before the checksums adopts them. With `apply=False`
    (pods in Kubernetes, where the migrations Job applies them), missing steps raise
    SchemaBehind instead. Each step runs under a lock timeout, so it fails fast rather than
    block the running release's queries; all or none of the pending steps commit."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", lock_key("migrate:" + schema))
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(step int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        await conn.execute("ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS checksum text")
        done = {
            r["step"]: r["checksum"]
            for r in await conn.fetch("SELECT step, checksum FROM schema_migrations")
        }
        for number, sql in enumerate(steps, start=1):
            if number not in done:
                continue
            if done[number] is None:  # applied before checksums were kept: adopted as it is
                await conn.execute(
                    "UPDATE schema_migrations SET checksum = $2 WHERE step = $1",
                    number,
                    checksum(sql),
                )
            elif done[number] != checksum(sql):
                raise MigrationEdited(
                    f"{schema}: step {number} was changed after it was applied; steps are "
                    "append-only: restore it and put the change in a new step at the end"
                )
        pending = [(n, sql) for n, sql in enumerate(steps, start=1) if n not in done]
        if pending and not apply:
            raise SchemaBehind(
                f"{schema}: steps {[n for n, _ in pending]} not applied yet "
                "(the migrations Job applies them before the rollout)"
            )
        await conn.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        await conn.execute(f"SET LOCAL statement_timeout = '{STATEMENT_TIMEOUT}'")
        for number, sql in pending:
            started = time.monotonic()
            await conn.execute(sql)
            await conn.execute(
                "INSERT INTO schema_migrations (step, checksum) VALUES ($1, $2)",
                number,
                checksum(sql),
            )
            log.info(
                "%s: step %d applied in %.2f s: %s",
                schema,
                number,
                time.monotonic() - started,
                " ".join(sql.split())[:120],
            )
        return [n for n, _ in pending]


async def grant_log_readers(
    pool: asyncpg.Pool, schema: str, table: str, readers: Sequence[str]
) -> list[str]:
    """Let `readers` read the published log `schema.table`, and nothing else of the schema.

    The owner grants it here, at every start after the migrations, because the log's table is
    made by the migrations, after provisioning. Answers the roles granted; a role that does not
    exist is skipped with a warning (a server without per-service logins). No-op without the
    table (a service that publishes nothing)."""
    granted: list[str] = []
    async with pool.acquire() as conn:
        if await conn.fetchval("SELECT to_regclass($1)", f"{schema}.{table}") is None:
            return granted
        for reader in readers:
            reader_q = quote_ident(reader)
            try:
                async with conn.transaction():
                    await conn.execute(f"GRANT USAGE ON SCHEMA {quote_ident(schema)} TO {reader_q}")
                    await conn.execute(
                        f"GRANT SELECT ON {quote_ident(schema)}.{quote_ident(table)} TO {reader_q}"
                    )
            except asyncpg.UndefinedObjectError:
                log.warning("no role %s to grant %s.%s to", reader, schema, table)
                continue
            granted.append(reader)
    return granted


# A plain connection or one borrowed from a pool: handlers accept either.
Conn = asyncpg.Connection | PoolConnectionProxy
