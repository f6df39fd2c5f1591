"""Fixtures of the integration tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from plumbing import db
from plumbing.dead_letters import DEAD_LETTER_REPLAY_DDL
from plumbing.inbox import INBOX_DDL
from plumbing.ordered_log import OUTBOX_DDL, OUTBOX_ORDER_DDL, OUTBOX_TRACE_DDL, Outbox
from plumbing.relay import RELAY_DDL, RELAY_ORDER_DDL
from tests.conftest import Infra
from tests.integration.test_scheduling_support import Harness, scheduling


@pytest.fixture
async def outbox(schema_pool: tuple[asyncpg.Pool, str]) -> Outbox:
    pool, schema = schema_pool
    await db.migrate(
        pool,
        schema,
        [
            OUTBOX_DDL,
            OUTBOX_TRACE_DDL,
            OUTBOX_ORDER_DDL,
            RELAY_DDL,
            RELAY_ORDER_DDL,
            INBOX_DDL,
            DEAD_LETTER_REPLAY_DDL,
        ],
    )
    return Outbox(pool, schema)


@pytest.fixture
async def svc(infra: Infra, database_url: str) -> AsyncIterator[Harness]:
    """The scheduling service on a schema of its own (tests/integration/test_scheduling_*)."""
    async with scheduling(infra, database_url) as harness:
        yield harness
