"""Pipeline versions and the user directory in the orders schema (PostgreSQL), with fakes."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Sequence
from typing import Any

import asyncpg

from contracts.envelope import Envelope
from plumbing.db import Conn
from services.orders.adapters.memory_event_store import MemoryEventStore
from services.orders.adapters.postgres_event_store import PostgresEventStore
from services.orders.application.ports import (
    PIPELINE_STREAM,
    DuplicateEvent,
    WrongExpectedVersion,
)

PIPELINES_DDL = """
CREATE TABLE IF NOT EXISTS pipelines (
    version    int PRIMARY KEY,
    definition jsonb NOT NULL,
    created_by text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS users (
    user_id  uuid PRIMARY KEY,
    username text NOT NULL,
    role     text NOT NULL,
    active   boolean NOT NULL
);
CREATE INDEX IF NOT EXISTS users_username_idx ON users (lower(username));
"""


class PostgresPipelineStore:
    """Versions in the `pipelines` table (the lookup), each published as an event of the
    `pipeline` stream in the same transaction (the event store is the outbox)."""

    def __init__(self, pool: asyncpg.Pool, events: PostgresEventStore) -> None:
        self.pool = pool
        self.events = events

    async def current(self) -> int:
        return int(await self.pool.fetchval("SELECT coalesce(max(version), 0) FROM pipelines"))

    async def get(self, version: int) -> dict[str, Any]:
        row = await self.pool.fetchval(
            "SELECT definition FROM pipelines WHERE version = $1", version
        )
        if row is None:
            raise LookupError(f"pipeline version {version} does not exist")
        return dict(row)

    async def seed(self, definition: dict[str, Any]) -> None:
        await self.pool.execute(
            "INSERT INTO pipelines (version, definition) VALUES (1, $1) ON CONFLICT DO NOTHING",
            json.loads(json.dumps(definition)),
        )

    async def published(self) -> int:
        return len(await self.events.read_stream(PIPELINE_STREAM))

    async def add(self, version: int, definition: dict[str, Any], event: Envelope) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            # A concurrent save of the same number waits here for the first one's commit,
            # then finds the row taken.
            stored = await conn.fetchval(
                "INSERT INTO pipelines (version, definition, created_by) VALUES ($1, $2, $3) "
                "ON CONFLICT DO NOTHING RETURNING true",
                version,
                json.loads(json.dumps(definition)),
                event.actor.id,
            )
            if not stored:
                raise WrongExpectedVersion(PIPELINE_STREAM, version - 1, version)
            with _once(version):
                await self.events.append_in(conn, PIPELINE_STREAM, [event], version - 1)

    async def publish(self, version: int, event: Envelope) -> None:
        with _once(version):
            await self.events.append(PIPELINE_STREAM, [event], expected_version=version - 1)


class MemoryPipelineStore:
    def __init__(self, events: MemoryEventStore | None = None) -> None:
        self.events = events or MemoryEventStore()
        self.versions: dict[int, dict[str, Any]] = {}
        self.authors: dict[int, str | None] = {}

    async def current(self) -> int:
        return max(self.versions, default=0)

    async def get(self, version: int) -> dict[str, Any]:
        return self.versions[version]

    async def seed(self, definition: dict[str, Any]) -> None:
        self.versions.setdefault(1, definition)

    async def published(self) -> int:
        return len(await self.events.read_stream(PIPELINE_STREAM))

    async def add(self, version: int, definition: dict[str, Any], event: Envelope) -> None:
        if version in self.versions:
            raise WrongExpectedVersion(PIPELINE_STREAM, version - 1, version)
        await self.publish(version, event)  # first: a refused append stores nothing
        self.versions[version] = definition
        self.authors[version] = event.actor.id

    async def publish(self, version: int, event: Envelope) -> None:
        with _once(version):
            await self.events.append(PIPELINE_STREAM, [event], expected_version=version - 1)


@contextlib.contextmanager
def _once(version: int) -> Iterator[None]:
    """One refusal for "version N is published already", whether the expected version or
    the version's event id (the same from every replica) caught it."""
    try:
        yield
    except DuplicateEvent:
        raise WrongExpectedVersion(PIPELINE_STREAM, version - 1, version) from None


class PostgresUserDirectory:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def by_usernames(self, usernames: Sequence[str]) -> dict[str, str]:
        rows = await self.pool.fetch(
            "SELECT username, user_id::text AS id FROM users "
            "WHERE active AND lower(username) = ANY($1::text[])",
            [u.lower() for u in usernames],
        )
        return {r["username"].lower(): r["id"] for r in rows}


class MemoryUserDirectory:
    def __init__(self, users: dict[str, str] | None = None) -> None:
        self.users = {name.lower(): uid for name, uid in (users or {}).items()}

    async def by_usernames(self, usernames: Sequence[str]) -> dict[str, str]:
        wanted = {u.lower() for u in usernames}
        return {name: uid for name, uid in self.users.items() if name in wanted}


async def upsert_user(conn: Conn, data: dict[str, Any]) -> None:
    await conn.execute(
        "INSERT INTO users (user_id, username, role, active) VALUES ($1::uuid, $2, $3, $4) "
        "ON CONFLICT (user_id) DO UPDATE SET username = $2, role = $3, active = $4",
        data["user_id"],
        data["username"],
        data["role"],
        data.get("active", True),
    )
