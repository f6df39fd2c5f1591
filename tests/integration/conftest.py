"""Fixtures of the integration tests."""

from __future__ import annotations

import asyncpg
import pytest

from plumbing import db
from plumbing.inbox import INBOX_DDL
from plumbing.ordered_log import OUTBOX_DDL, Outbox
from plumbing.relay import RELAY_DDL


@pytest.fixture
async def outbox(schema_pool: tuple[asyncpg.Pool, str]) -> Outbox:
    pool, schema = schema_pool
    await db.migrate(pool, schema, [OUTBOX_DDL, RELAY_DDL, INBOX_DDL])
    return Outbox(pool, schema)
