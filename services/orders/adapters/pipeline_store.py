"""Pipeline versions and the user directory in the orders schema (PostgreSQL), with fakes."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import asyncpg

from plumbing.db import Conn

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
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

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

    async def add(self, definition: dict[str, Any], actor_id: str | None) -> int:
        async with self.pool.acquire() as conn, conn.transaction():
            # Serialize publishers so two directors saving at once get two versions, not one.
            await conn.execute("LOCK TABLE pipelines IN EXCLUSIVE MODE")
            version = int(
                await conn.fetchval("SELECT coalesce(max(version), 0) + 1 FROM pipelines")
            )
            await conn.execute(
                "INSERT INTO pipelines (version, definition, created_by) VALUES ($1, $2, $3)",
                version,
                json.loads(json.dumps(definition)),
                actor_id,
            )
            return version


class MemoryPipelineStore:
    def __init__(self) -> None:
        self.versions: dict[int, dict[str, Any]] = {}
        self.authors: dict[int, str | None] = {}

    async def current(self) -> int:
        return max(self.versions, default=0)

    async def get(self, version: int) -> dict[str, Any]:
        return self.versions[version]

    async def seed(self, definition: dict[str, Any]) -> None:
        self.versions.setdefault(1, definition)

    async def add(self, definition: dict[str, Any], actor_id: str | None) -> int:
        version = max(self.versions, default=0) + 1
        self.versions[version] = definition
        self.authors[version] = actor_id
        return version


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
