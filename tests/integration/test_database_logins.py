"""Least privilege in the database, through real PostgreSQL: one login per service owning only
its schemas, the published logs readable by projections' login and nothing else of another's,
no login able to make roles, the analysts' role limited; provisioning idempotent.

A database of its own, provisioned as the local stack does (deploy/local/db_logins.py), with
each service's tables made by its own login: the real migrations of orders, scheduling and
projections, plumbing's outbox for media and the gateway, and a private table in every schema.
"""

from __future__ import annotations

import asyncio
import secrets
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg
import pytest

from contracts.envelope import Envelope
from deploy.database.plan import SCHEMAS, SERVICES, Analyst, Login, Plan, with_login
from deploy.database.provision import drop_roles, provision
from deploy.local.db_logins import local_plan, provision_local, role_names, role_prefix
from deploy.local.layout import DB_LOGINS, Secrets
from plumbing import db
from plumbing.ordered_log import OUTBOX_DDL, OUTBOX_ORDER_DDL, OUTBOX_TRACE_DDL
from plumbing.relay import RELAY_DDL, RELAY_ORDER_DDL
from services.orders.bootstrap import MIGRATIONS as ORDERS_MIGRATIONS
from services.projections.adapters import reporting
from services.projections.adapters.tables import MIGRATIONS as PROJECTIONS_MIGRATIONS
from services.projections.application.rebuild import RebuildRefused, rebuild
from services.projections.bootstrap import Settings as ProjectionsSettings
from services.scheduling.bootstrap import MIGRATIONS as SCHEDULING_MIGRATIONS
from tests.conftest import Infra
from tests.integration.projections_world import new_order, user

PRIVATE_DDL = "CREATE TABLE IF NOT EXISTS private_notes (id int PRIMARY KEY, note text NOT NULL)"
MIGRATIONS: dict[str, list[str]] = {
    "orders": [*ORDERS_MIGRATIONS, PRIVATE_DDL],
    "scheduling": [*SCHEDULING_MIGRATIONS, PRIVATE_DDL],
    "media": [
        OUTBOX_DDL,
        OUTBOX_TRACE_DDL,
        OUTBOX_ORDER_DDL,
        RELAY_DDL,
        RELAY_ORDER_DDL,
        PRIVATE_DDL,
    ],
    "notifications": [PRIVATE_DDL],
    "projections": [*PROJECTIONS_MIGRATIONS, PRIVATE_DDL],
    "gateway": [
        OUTBOX_DDL,
        OUTBOX_TRACE_DDL,
        OUTBOX_ORDER_DDL,
        RELAY_DDL,
        RELAY_ORDER_DDL,
        PRIVATE_DDL,
    ],
}
# What each service's login publishes, and projections' login alone may read.
LOGS = {"orders": "events", "scheduling": "outbox", "media": "outbox", "gateway": "outbox"}


@dataclass
class Server:
    admin_url: str  # the test database, as the server's superuser
    server_url: str  # another database, to drop this one from
    database: str
    keys: Secrets
    plan: Plan

    def url(self, service: str) -> str:
        role = self.plan.role_of(service)
        return with_login(self.admin_url, role, self.keys.db_passwords[service])

    @property
    def analyst_role(self) -> str:
        assert self.plan.analyst is not None
        return self.plan.analyst.role

    @property
    def analyst_url(self) -> str:
        return with_login(self.admin_url, self.analyst_role, self.keys.db_passwords["analyst"])

    async def as_login(self, service: str) -> asyncpg.Connection:
        return await asyncpg.connect(self.url(service))


@asynccontextmanager
async def connected(url: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(url)
    try:
        yield conn
    finally:
        await conn.close()


def random_keys() -> Secrets:
    passwords = {name: secrets.token_hex(16) for name in DB_LOGINS}
    return Secrets(
        "jwt",
        "access",
        "secret",
        postgres_password=secrets.token_hex(16),
        db_passwords=passwords,
    )


async def _admin(url: str, sql: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="module")
async def server(infra: Infra) -> AsyncIterator[Server]:
    name = f"oms_logins_{uuid.uuid4().hex[:8]}"
    await _admin(infra.server_url, f"CREATE DATABASE {name}")
    admin_url = infra.server_url.rpartition("/")[0] + "/" + name
    keys = random_keys()
    plan = local_plan(role_prefix(name), keys)
    try:
        assert await provision(admin_url, plan)
        world = Server(admin_url, infra.server_url, name, keys, plan)
        for service in SERVICES:
            # What build_service does at start: pool, migrations, then the log readers' grant.
            schema = SCHEMAS[service][0]
            pool = await db.create_pool(world.url(service), schema, max_size=1)
            try:
                await db.migrate(pool, schema, MIGRATIONS[service])
                await pool.execute("INSERT INTO private_notes VALUES (1, $1)", service)
                readers = plan.log_readers(service)
                if readers:
                    assert await db.grant_log_readers(pool, schema, LOGS[service], readers) == [
                        plan.role_of("projections")
                    ]
                if service == "projections":
                    async with pool.acquire() as conn:
                        await reporting.install(conn, schema, "reporting", world.analyst_role)
            finally:
                await pool.close()
        yield world
    finally:
        await _admin(infra.server_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await drop_roles(infra.server_url, role_names(role_prefix(name)))


async def test_each_login_owns_its_schemas_and_works_in_them(server: Server) -> None:
    for service in SERVICES:
        conn = await server.as_login(service)
        try:
            role = await conn.fetchval("SELECT current_user")
            assert role == server.plan.role_of(service)
            for schema in SCHEMAS[service]:
                owner = await conn.fetchval(
                    "SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = $1", schema
                )
                assert owner == role, schema
            own = SCHEMAS[service][0]
            await conn.execute(f"CREATE TABLE {own}.scratch (x int)")
            await conn.execute(f"INSERT INTO {own}.scratch VALUES (7)")
            assert await conn.fetchval(f"SELECT x FROM {own}.scratch") == 7
            await conn.execute(f"DROP TABLE {own}.scratch")
            # Every table in its schema is its own, migrations included.
            foreign = await conn.fetchval(
                "SELECT count(*) FROM pg_tables WHERE schemaname = $1 AND tableowner <> $2",
                own,
                role,
            )
            assert foreign == 0
        finally:
            await conn.close()


async def test_no_login_reads_another_services_tables(server: Server) -> None:
    for reader in SERVICES:
        conn = await server.as_login(reader)
        try:
            for owner in SERVICES:
                if owner == reader:
                    continue
                schema = SCHEMAS[owner][0]
                with pytest.raises(asyncpg.InsufficientPrivilegeError):
                    await conn.fetch(f"SELECT * FROM {schema}.private_notes")
                with pytest.raises(asyncpg.InsufficientPrivilegeError):
                    await conn.execute(f"INSERT INTO {schema}.private_notes VALUES (2, 'x')")
        finally:
            await conn.close()


async def test_projections_reads_exactly_the_published_logs(server: Server) -> None:
    conn = await server.as_login("projections")
    try:
        for owner, table in LOGS.items():
            assert await conn.fetchval(f"SELECT count(*) FROM {owner}.{table}") == 0
            # Read, never written.
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await conn.execute(f"DELETE FROM {owner}.{table}")
            # Nothing else of the owner's: its private table, and its real ones.
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await conn.fetch(f"SELECT * FROM {owner}.private_notes")
        for table in ("orders.idempotency_keys", "scheduling.crew_members", "orders.inbox"):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await conn.fetch(f"SELECT * FROM {table}")
        # notifications publishes no log: projections reads nothing of it.
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.fetch("SELECT * FROM notifications.private_notes")
    finally:
        await conn.close()
    # And nobody else reads the logs.
    conn = await server.as_login("notifications")
    try:
        for owner, table in LOGS.items():
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await conn.fetch(f"SELECT * FROM {owner}.{table}")
    finally:
        await conn.close()


async def test_no_login_may_create_roles_databases_or_foreign_schemas(server: Server) -> None:
    for service in SERVICES:
        conn = await server.as_login(service)
        try:
            attributes = await conn.fetchrow(
                "SELECT rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls "
                "FROM pg_roles WHERE rolname = current_user"
            )
            assert attributes is not None
            assert not any(attributes.values()), service
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await conn.execute(f"CREATE ROLE intruder_{uuid.uuid4().hex[:8]}")
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await conn.execute(f"CREATE DATABASE intruder_{uuid.uuid4().hex[:8]}")
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await conn.execute("CREATE TABLE public.intruder (x int)")
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await conn.execute(f"GRANT {server.plan.role_of(service)} TO CURRENT_USER")
            fresh = f"{service}_extra_{uuid.uuid4().hex[:6]}"
            if service == "projections":
                # Its rebuild migrates a fresh schema and renames it over the live one.
                await conn.execute(f"CREATE SCHEMA {fresh}")
                await conn.execute(f"DROP SCHEMA {fresh}")
            else:
                with pytest.raises(asyncpg.InsufficientPrivilegeError):
                    await conn.execute(f"CREATE SCHEMA {fresh}")
        finally:
            await conn.close()


async def test_the_analyst_reads_the_reporting_views_within_a_timeout_and_a_limit(
    server: Server,
) -> None:
    role = server.analyst_role
    admin = await asyncpg.connect(server.admin_url)
    try:
        row = await admin.fetchrow(
            "SELECT rolcanlogin, rolconnlimit, rolconfig FROM pg_roles WHERE rolname = $1", role
        )
    finally:
        await admin.close()
    assert row is not None
    assert row["rolcanlogin"] is True
    assert row["rolconnlimit"] == 5
    assert "statement_timeout=60s" in row["rolconfig"]

    first = await asyncpg.connect(server.analyst_url)
    more: list[asyncpg.Connection] = []
    try:
        assert await first.fetchval("SHOW statement_timeout") == "1min"
        assert await first.fetchval("SELECT count(*) FROM reporting.orders") == 0
        for table in ("projections.board_cards", "orders.events", "gateway.outbox"):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await first.fetch(f"SELECT * FROM {table}")
        more = [await asyncpg.connect(server.analyst_url) for _ in range(4)]
        with pytest.raises(asyncpg.TooManyConnectionsError):
            await asyncpg.connect(server.analyst_url)  # the sixth
    finally:
        for conn in [first, *more]:
            await conn.close()


async def test_the_rebuild_runs_as_projections_own_login_and_only_as_it(server: Server) -> None:
    at = datetime.now(UTC)
    order = new_order(4242)
    order.created(at)
    member = uuid.uuid4()
    # Each log written by its owner's login.
    async with connected(server.url("orders")) as conn:
        for position, env in enumerate(order.log, start=1):
            await conn.execute(
                "INSERT INTO orders.events (position, event_id, stream_id, stream_version, "
                "envelope) VALUES ($1, $2, $3, $4, $5)",
                position,
                env.event_id,
                env.stream_id,
                env.stream_version,
                env.model_dump_json(),
            )
    joined: Envelope = user(member, "ivan", "installer", at)
    async with connected(server.url("gateway")) as conn:
        await conn.execute(
            "INSERT INTO gateway.outbox (position, event_id, topic, key, envelope) "
            "VALUES (1, $1, 'identity', ''::bytea, $2)",
            joined.event_id,
            joined.model_dump_json(),
        )
    settings = ProjectionsSettings(
        database_url=server.url("projections"), analyst_role=server.analyst_role
    )
    result = await rebuild(settings.rebuild_plan())
    assert result.events == len(order.log) + 1

    async with connected(server.url("projections")) as conn:
        owner = await conn.fetchval(
            "SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = 'projections'"
        )
        assert owner == server.plan.role_of("projections")
        assert await conn.fetchval("SELECT count(*) FROM projections.board_cards") == 1
    async with connected(server.analyst_url) as conn:
        # The views were pointed at the swapped-in tables, and the grants kept.
        assert await conn.fetchval("SELECT number FROM reporting.orders") == 4242

    as_admin = ProjectionsSettings(database_url=server.admin_url).rebuild_plan()
    with pytest.raises(RebuildRefused, match="belongs to"):
        await rebuild(as_admin)


async def test_provisioning_again_rotates_passwords_and_adopts_what_the_admin_made(
    infra: Infra,
) -> None:
    name = f"oms_adopt_{uuid.uuid4().hex[:8]}"
    await _admin(infra.server_url, f"CREATE DATABASE {name}")
    url = infra.server_url.rpartition("/")[0] + "/" + name
    role = f"{name}_svc"
    try:
        # A schema as a service left it when it ran as the superuser (before the logins).
        await _admin(
            url,
            "CREATE SCHEMA legacy; CREATE TABLE legacy.items (id serial PRIMARY KEY); "
            "CREATE SEQUENCE legacy.numbers; CREATE VIEW legacy.v AS SELECT id FROM legacy.items; "
            "CREATE TYPE legacy.mood AS ENUM ('ok'); "
            "CREATE FUNCTION legacy.f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
        )
        first = Plan((Login("svc", role, "first-password", ("legacy",)),), None)
        assert await provision(url, first)
        second = Plan((Login("svc", role, "second-password", ("legacy",)),), None)
        assert await provision(url, second)

        with pytest.raises(asyncpg.InvalidPasswordError):
            await asyncpg.connect(with_login(url, role, "first-password"))
        conn = await asyncpg.connect(with_login(url, role, "second-password"))
        try:
            owners = await conn.fetch(
                "SELECT c.relname, c.relowner::regrole::text AS owner FROM pg_class c "
                "WHERE c.relnamespace = 'legacy'::regnamespace"
            )
            assert {r["relname"] for r in owners} >= {"items", "items_id_seq", "numbers", "v"}
            assert {r["owner"] for r in owners} == {role}
            assert await conn.fetchval("SELECT legacy.f()") == 1
            await conn.execute(
                "CREATE OR REPLACE FUNCTION legacy.f() RETURNS int LANGUAGE sql AS 'SELECT 2'"
            )
            await conn.execute("ALTER TYPE legacy.mood ADD VALUE 'good'")
            await conn.execute("INSERT INTO legacy.items DEFAULT VALUES")
        finally:
            await conn.close()
    finally:
        await _admin(infra.server_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await drop_roles(infra.server_url, [role])


async def test_an_admin_who_may_not_create_roles_changes_nothing(server: Server) -> None:
    # A service's own login stands in for a DATABASE_URL whose user lacks CREATEROLE.
    plan = Plan(
        (Login("x", f"{server.database}_never", "pw", ("never",)),),
        Analyst(f"{server.database}_never_analyst", None),
    )
    assert await provision(server.url("orders"), plan) is False
    conn = await asyncpg.connect(server.admin_url)
    try:
        assert not await conn.fetchval(
            "SELECT count(*) FROM pg_roles WHERE rolname LIKE $1", f"{server.database}_never%"
        )
        assert not await conn.fetchval("SELECT 1 FROM pg_namespace WHERE nspname = 'never'")
    finally:
        await conn.close()


async def test_two_stacks_provisioning_at_once_both_succeed(server: Server) -> None:
    done = await asyncio.gather(*(provision(server.admin_url, server.plan) for _ in range(2)))
    assert done == [True, True]


async def test_the_stack_falls_back_to_one_login_when_its_url_may_not_create_roles(
    server: Server,
) -> None:
    # What Stack.start does with a DATABASE_URL whose user lacks CREATEROLE: no logins, and
    # the caller keeps that one URL for every service (and logs a warning).
    assert await asyncio.to_thread(provision_local, server.url("orders"), server.keys) is None


async def test_an_admin_with_createrole_owning_the_database_can_provision(infra: Infra) -> None:
    # Managed servers seldom hand out a superuser: a role with CREATEROLE that owns the
    # database (PostgreSQL 16+ makes it an admin of the roles it creates) must do.
    tag = uuid.uuid4().hex[:8]
    name, admin = f"oms_managed_{tag}", f"oms_managed_{tag}_admin"
    await _admin(infra.server_url, f"CREATE ROLE {admin} LOGIN CREATEROLE PASSWORD 'admin-pw'")
    await _admin(infra.server_url, f"CREATE DATABASE {name} OWNER {admin}")
    url = with_login(infra.server_url.rpartition("/")[0] + "/" + name, admin, "admin-pw")
    keys = random_keys()
    plan = local_plan(role_prefix(name), keys)
    try:
        assert await provision(url, plan)
        assert await provision(url, plan)  # and again
        orders = with_login(url, plan.role_of("orders"), keys.db_passwords["orders"])
        async with connected(orders) as conn:
            await conn.execute("CREATE TABLE orders.t (x int)")
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await conn.execute("CREATE SCHEMA elsewhere")
            assert not await conn.fetchval(
                "SELECT rolcreaterole FROM pg_roles WHERE rolname = current_user"
            )
    finally:
        await _admin(infra.server_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await drop_roles(infra.server_url, [*role_names(role_prefix(name)), admin])
