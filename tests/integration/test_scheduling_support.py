"""A running scheduling service for the integration tests, and builders of what it consumes.

Not a test module itself (it holds no tests): named test_scheduling_* so it stays with the
scheduling tests it serves.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import httpx
from fastapi import FastAPI

from contracts.envelope import Envelope
from services.scheduling.bootstrap import Settings, build
from tests.actors import service_client
from tests.conftest import Infra
from tests.factories import MANAGER, envelope, order_created_data
from tests.pipeline_versions import default_pipeline, published

MSK = ZoneInfo("Europe/Moscow")


def monday(weeks_ahead: int = 2) -> date:
    today = datetime.now(UTC).date()
    return today + timedelta(days=7 * weeks_ahead - today.weekday())


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=MSK)


def actor(role: str, user_id: uuid.UUID | str | None = None) -> dict[str, str]:
    uid = str(user_id or uuid.uuid4())
    return {"X-Actor-Id": uid, "X-Actor-Username": role, "X-Actor-Role": role}


MANAGER_HEADERS = actor("manager", MANAGER.id)
DIRECTOR_HEADERS = actor("director")


def stage_changed(order_id: uuid.UUID, to: str, from_: str, **extra: Any) -> Envelope:
    return envelope(
        f"order-{order_id}",
        type_="orders.StageChanged",
        schema_version=1,
        data={
            "order_id": str(order_id),
            "from_stage": from_,
            "to_stage": to,
            "direction": "forward",
            **extra,
        },
    )


@dataclass
class Harness:
    app: FastAPI
    client: httpx.AsyncClient
    pool: asyncpg.Pool
    schema: str

    async def apply(self, env: Envelope) -> None:
        """The consumer's handler, called directly, in a transaction of its own."""
        async with self.pool.acquire() as conn, conn.transaction():
            await self.app.state.handler(conn, env)

    async def crew(self, role: str = "measurer") -> uuid.UUID:
        uid = uuid.uuid4()
        data = {
            "user_id": str(uid),
            "username": f"{role}{uid.hex[:6]}",
            "display_name": role.title(),
            "role": role,
            "active": True,
        }
        await self.apply(
            envelope(f"user-{uid}", type_="identity.UserRegistered", schema_version=1, data=data)
        )
        return uid

    async def order(self, stage: str = "intake", order_id: uuid.UUID | None = None) -> uuid.UUID:
        order_id = order_id or uuid.uuid4()
        await self.apply(envelope(f"order-{order_id}", data=order_created_data(order_id)))
        if stage != "intake":
            await self.apply(stage_changed(order_id, stage, "intake"))
        return order_id

    async def book(
        self, order_id: uuid.UUID, kind: str, assignee: uuid.UUID, start: datetime, hours: float = 1
    ) -> httpx.Response:
        body = {
            "kind": kind,
            "assignee_id": str(assignee),
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=hours)).isoformat(),
        }
        return await self.client.post(
            f"/orders/{order_id}/visits", json=body, headers=MANAGER_HEADERS
        )

    async def tasks(self, order_id: uuid.UUID) -> list[dict[str, Any]]:
        reply = await self.client.get(
            "/tasks", params={"order_id": str(order_id)}, headers=MANAGER_HEADERS
        )
        assert reply.status_code == 200, reply.text
        found: list[dict[str, Any]] = reply.json()
        return found

    async def overdue_alert(self) -> str:
        """An admin's robot telling the manager and directors of an overdue order (the seeded
        one was retired: the notifications defaults tell it now). Returns its id."""
        rule = {
            "title": "Просрочка → менеджеру и руководителю",
            "trigger": "order_overdue",
            "actions": [
                {
                    "type": "notify",
                    "manager": True,
                    "role": "director",
                    "text_ru": "Заказ №{number} превысил срок на стадии «{stage}»",
                    "text_en": "Order #{number} is overdue in stage {stage}",
                }
            ],
        }
        reply = await self.client.put(
            "/automation/rules/overdue-to-director", json=rule, headers=DIRECTOR_HEADERS
        )
        assert reply.status_code == 200, reply.text
        return "overdue-to-director"

    async def outbox(self, type_: str) -> list[dict[str, Any]]:
        rows = await self.pool.fetch(
            "SELECT envelope FROM outbox WHERE envelope->>'type' = $1 ORDER BY position", type_
        )
        return [r["envelope"] for r in rows]


def settings_for(infra: Infra, database_url: str, schema: str, **overrides: Any) -> Settings:
    return Settings(
        database_url=database_url,
        kafka_bootstrap=infra.kafka_bootstrap,
        db_schema=schema,
        consumer_group=f"scheduling-{schema}",
        relay_poll_interval_s=0.2,
        relay_loss_check_interval_s=0.5,
        consumer_watchdog_interval_s=1.0,
        timer_poll_interval_s=0.2,
        # Orders here are applied before they are named, so a command naming an unknown order
        # is a test of refusal: refuse it after a short wait (test_scheduling_order_wait.py
        # sets its own bound).
        unknown_order_wait_s=overrides.pop("unknown_order_wait_s", 0.2),
        **overrides,
    )


@asynccontextmanager
async def scheduling(
    infra: Infra, database_url: str, schema: str | None = None, **overrides: Any
) -> AsyncIterator[Harness]:
    schema = schema or f"sched_{uuid.uuid4().hex[:10]}"
    app = build(settings_for(infra, database_url, schema, **overrides))
    async with (
        app.router.lifespan_context(app),
        service_client(app, "http://scheduling") as client,
    ):
        harness = Harness(app, client, app.state.pool, schema)
        # What the orders service publishes at its start: every stored version, here the
        # default one (its stages, limits and production's view).
        await harness.apply(published(1, default_pipeline()))
        yield harness
