"""Events scheduling reacts to: identity (the crew), orders (known orders, pipeline versions,
stage timers, robots) and media (robots). Runs inside the consumer's inbox transaction."""

from __future__ import annotations

from contracts.envelope import Envelope
from contracts.events import registry
from contracts.events.orders import ManagerAssigned, OrderCreated, PipelinePublished, StageChanged
from plumbing.db import Conn
from services.scheduling.adapters import order_store, pipeline_store
from services.scheduling.adapters.crew_store import upsert_member
from services.scheduling.application.closing import end_order_work, order_ended
from services.scheduling.application.robots import Robots
from services.scheduling.application.timers import on_stage_entered
from services.scheduling.domain.crew import is_crew_role


class EventHandler:
    def __init__(self, robots: Robots) -> None:
        self.robots = robots

    async def __call__(self, conn: Conn, envelope: Envelope) -> None:
        # An update is applied even to a non-crew role, so a demoted member becomes inactive here.
        if envelope.type in ("identity.UserRegistered", "identity.UserUpdated"):
            if is_crew_role(str(envelope.data.get("role"))) or envelope.type.endswith("Updated"):
                await upsert_member(conn, envelope.data)
            return
        if not registry.known(envelope.type):
            return  # a newer producer's event type: nothing here reads it yet
        event = registry.decode(envelope)
        at = envelope.occurred_at
        match event:
            case OrderCreated():
                await order_store.created(
                    conn, event.order_id, event.number, event.manager_id, at, event.pipeline_version
                )
                imported = event.imported_from is not None
                await on_stage_entered(conn, event.order_id, "intake", at, imported=imported)
            case StageChanged():
                await order_store.entered_stage(conn, event.order_id, event.to_stage, at)
                imported = event.imported_from is not None
                await on_stage_entered(conn, event.order_id, event.to_stage, at, imported=imported)
                if await order_ended(conn, event.order_id, event.to_stage):
                    by_cancelling = event.direction == "cancel"
                    await end_order_work(
                        conn, self.robots.emitter, event.order_id, by_cancelling, envelope
                    )
                await self.robots.fire(conn, envelope)
            case PipelinePublished():
                await pipeline_store.publish(conn, event.version, event.definition)
            case ManagerAssigned():
                await order_store.manager_assigned(conn, event.order_id, event.manager_id)
            case _:
                await self.robots.fire(conn, envelope)  # media uploads; others are ignored
