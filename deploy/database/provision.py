"""Make the server match a Plan, as its admin: roles, schema ownership, database grants.

Idempotent, so it runs at every start of the local stack and at every Kubernetes apply:
roles are created or altered (the password follows the plan, so rotating it is a re-run),
schemas created or handed over (with everything in them: a data folder from before the
per-service logins has them owned by the superuser), grants re-stated.
"""

from __future__ import annotations

import logging

import asyncpg

from deploy.database.plan import Analyst, Login, Plan
from plumbing.db import lock_key

log = logging.getLogger(__name__)

# Nothing a service login may hold: each would let it step outside its schemas.
_ELEVATED = ("rolsuper", "rolcreaterole", "rolcreatedb", "rolreplication", "rolbypassrls")


class ProvisioningError(RuntimeError):
    """The server cannot be made to match the plan (says why)."""


def _ident(name: str) -> str:
    # Names are checked by the plan (lower-case, digits, _), so quoting is only belt and braces.
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    # Utility statements (CREATE ROLE ... PASSWORD) take no parameters: a literal it is.
    return "'" + text.replace("'", "''") + "'"


async def may_create_roles(conn: asyncpg.Connection) -> bool:
    row = await conn.fetchrow(
        "SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = current_user"
    )
    return bool(row and (row["rolsuper"] or row["rolcreaterole"]))


async def provision(admin_url: str, plan: Plan) -> bool:
    """Apply `plan`; False (and nothing changed) when the admin may not create roles."""
    conn = await asyncpg.connect(admin_url)
    try:
        if not await may_create_roles(conn):
            return False
        superuser = bool(
            await conn.fetchval("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        )
        database = await conn.fetchval("SELECT current_database()")
        async with conn.transaction():
            # Two stacks (or two Job pods) at once would race on CREATE ROLE; one at a time.
            await conn.execute("SELECT pg_advisory_xact_lock($1)", lock_key("provision"))
            db_q = _ident(database)
            # Nobody connects, or makes temp tables, unless granted below.
            await conn.execute(f"REVOKE ALL ON DATABASE {db_q} FROM PUBLIC")
            await conn.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
            for extension in plan.extensions:
                await conn.execute(
                    f"CREATE EXTENSION IF NOT EXISTS {_ident(extension)} WITH SCHEMA public"
                )
            for login in plan.logins:
                await _login(conn, login, db_q, superuser=superuser)
            if plan.analyst is not None:
                await _analyst(conn, plan.analyst, db_q, superuser=superuser)
    finally:
        await conn.close()
    return True


async def _role(conn: asyncpg.Connection, role: str, attributes: str, *, superuser: bool) -> None:
    """Create `role` or re-state its attributes, then make sure it holds no elevated one."""
    role_q = _ident(role)
    if await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role):
        await conn.execute(f"ALTER ROLE {role_q} WITH {attributes}")
    else:
        await conn.execute(f"CREATE ROLE {role_q} WITH {attributes}")
    row = await conn.fetchrow(
        f"SELECT {', '.join(_ELEVATED)} FROM pg_roles WHERE rolname = $1", role
    )
    assert row is not None
    elevated = [name for name in _ELEVATED if row[name]]
    if elevated and superuser:
        taken = "NOSUPERUSER NOCREATEROLE NOCREATEDB NOREPLICATION NOBYPASSRLS"
        await conn.execute(f"ALTER ROLE {role_q} WITH {taken}")
    elif elevated:
        raise ProvisioningError(
            f"role {role} holds {', '.join(elevated)}; only a superuser can take it away"
        )
    if not superuser:
        # A CREATEROLE admin must be a member to hand schemas to the role (PostgreSQL 16+
        # makes the creator an admin of the role, which lets it grant itself membership).
        await conn.execute(f"GRANT {role_q} TO CURRENT_USER")


async def _login(conn: asyncpg.Connection, login: Login, db_q: str, *, superuser: bool) -> None:
    role_q = _ident(login.role)
    await _role(
        conn,
        login.role,
        f"LOGIN NOINHERIT PASSWORD {_literal(login.password)}",
        superuser=superuser,
    )
    await conn.execute(f"GRANT CONNECT ON DATABASE {db_q} TO {role_q}")
    if login.creates_schemas:
        await conn.execute(f"GRANT CREATE ON DATABASE {db_q} TO {role_q}")
    else:
        await conn.execute(f"REVOKE CREATE ON DATABASE {db_q} FROM {role_q}")
    for schema in login.schemas:
        owner = await conn.fetchval(
            "SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = $1", schema
        )
        if owner is None:
            await conn.execute(f"CREATE SCHEMA {_ident(schema)} AUTHORIZATION {role_q}")
        elif owner != login.role:
            await conn.execute(f"ALTER SCHEMA {_ident(schema)} OWNER TO {role_q}")
            await _adopt(conn, schema, login.role)


async def _adopt(conn: asyncpg.Connection, schema: str, role: str) -> None:
    """Hand over what someone else made in `schema` (a service that ran as the superuser)."""
    role_q = _ident(role)
    moved = 0
    # Tables, views and the like first: ALTER TABLE takes the table's own sequences and indexes
    # with it, and a sequence owned by a table refuses to be given away on its own.
    for kinds in (("r", "p", "v", "m", "f"), ("S",)):
        rows = await conn.fetch(
            "SELECT format('%I.%I', n.nspname, c.relname) AS name, c.relkind::text AS kind "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = $1 AND c.relkind::text = ANY($2) AND c.relowner <> $3::regrole",
            schema,
            list(kinds),
            role,
        )
        for row in rows:
            what = {"v": "VIEW", "m": "MATERIALIZED VIEW", "S": "SEQUENCE", "f": "FOREIGN TABLE"}
            await conn.execute(
                f"ALTER {what.get(row['kind'], 'TABLE')} {row['name']} OWNER TO {role_q}"
            )
            moved += 1
    routines = await conn.fetch(
        "SELECT p.oid::regprocedure::text AS name FROM pg_proc p "
        "JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE n.nspname = $1 AND p.proowner <> $2::regrole",
        schema,
        role,
    )
    for row in routines:
        await conn.execute(f"ALTER ROUTINE {row['name']} OWNER TO {role_q}")
        moved += 1
    # Stand-alone types (enums, domains); a table's row type moves with its table.
    types = await conn.fetch(
        "SELECT format('%I.%I', n.nspname, t.typname) AS name FROM pg_type t "
        "JOIN pg_namespace n ON n.oid = t.typnamespace "
        "WHERE n.nspname = $1 AND t.typtype IN ('e', 'd') AND t.typowner <> $2::regrole",
        schema,
        role,
    )
    for row in types:
        await conn.execute(f"ALTER TYPE {row['name']} OWNER TO {role_q}")
        moved += 1
    log.info("schema %s handed to %s with %d objects in it", schema, role, moved)


async def _analyst(
    conn: asyncpg.Connection, analyst: Analyst, db_q: str, *, superuser: bool
) -> None:
    role_q = _ident(analyst.role)
    access = f"LOGIN PASSWORD {_literal(analyst.password)}" if analyst.password else "NOLOGIN"
    await _role(
        conn,
        analyst.role,
        f"{access} NOINHERIT CONNECTION LIMIT {int(analyst.connection_limit)}",
        superuser=superuser,
    )
    # A role's settings apply to sessions it logs in as; the plan checked the duration's form.
    await conn.execute(
        f"ALTER ROLE {role_q} SET statement_timeout = {_literal(analyst.statement_timeout)}"
    )
    await conn.execute(f"ALTER ROLE {role_q} SET default_transaction_read_only = on")
    await conn.execute(f"GRANT CONNECT ON DATABASE {db_q} TO {role_q}")
    # SELECT on the views themselves is granted by their owner, projections, as it makes them
    # (services/projections/adapters/reporting.py).


async def drop_roles(admin_url: str, roles: list[str]) -> None:
    """Best effort, for throw-away stacks: roles are per server and outlive a dropped
    database. One still owning something elsewhere stays, with a warning."""
    conn = await asyncpg.connect(admin_url)
    try:
        for role in roles:
            try:
                await conn.execute(f"DROP ROLE IF EXISTS {_ident(role)}")
            except asyncpg.PostgresError as exc:
                log.warning("role %s not dropped: %s", role, exc)
    finally:
        await conn.close()
