"""When an order ends (a terminal stage of its own pipeline version), its booked visits and
open tasks end with it, once."""

from __future__ import annotations

import uuid

from contracts.pipeline import PipelineDefinition, StageDefinition
from tests.factories import envelope, order_created_data
from tests.integration.test_scheduling_support import (
    Harness,
    at,
    monday,
    stage_changed,
)
from tests.pipeline_versions import default_pipeline, published


async def test_cancelling_an_order_frees_the_calendar_and_cancels_its_tasks(
    svc: Harness,
) -> None:
    measurer = await svc.crew("measurer")
    order = await svc.order("measurement")
    booked = await svc.book(order, "measurement", measurer, at(monday(), 10))
    assert booked.status_code == 201, booked.text
    cancelled = stage_changed(
        order, "cancelled", "measurement", direction="cancel", reason="клиент отказался"
    )
    await svc.apply(cancelled)
    await svc.apply(cancelled)  # redelivered: nothing is cancelled twice
    statuses = {t["kind"]: t["status"] for t in await svc.tasks(order)}
    assert statuses["measurement"] == "cancelled"
    assert "open" not in statuses.values()
    visits = await svc.outbox("scheduling.VisitCancelled")
    assert len(visits) == 1
    assert visits[0]["causation_id"] == str(cancelled.event_id)
    # the slot is free again for another order
    other = await svc.order("measurement")
    again = await svc.book(other, "measurement", measurer, at(monday(), 10))
    assert again.status_code == 201, again.text


def archived_after_closing() -> PipelineDefinition:
    """Version 1, where `closed` no longer ends the order but a later `archived` does."""
    base = default_pipeline()
    stages = [
        s.model_copy(update={"terminal": False}) if s.key == "closed" else s for s in base.stages
    ]
    archived = StageDefinition(key="archived", title_ru="Архив", title_en="Archived", terminal=True)
    at = [s.key for s in stages].index("closed") + 1
    forward = {**base.forward, "closed": ["archived"]}
    return PipelineDefinition(stages=[*stages[:at], archived, *stages[at:]], forward=forward)


async def order_on(svc: Harness, version: int, stage: str) -> uuid.UUID:
    order = uuid.uuid4()
    data = {**order_created_data(order), "pipeline_version": version}
    await svc.apply(envelope(f"order-{order}", data=data))
    await svc.apply(stage_changed(order, stage, "intake"))
    return order


async def status(svc: Harness, order: uuid.UUID, kind: str = "measurement") -> str:
    return str({t["kind"]: t["status"] for t in await svc.tasks(order)}[kind])


async def test_an_order_ends_where_its_version_says_a_stage_is_terminal(svc: Harness) -> None:
    await svc.apply(published(2, archived_after_closing()))
    measurer = await svc.crew("measurer")
    order = await order_on(svc, 2, "measurement")
    booked = await svc.book(order, "measurement", measurer, at(monday(), 10))
    assert booked.status_code == 201, booked.text

    await svc.apply(stage_changed(order, "closed", "measurement"))
    assert await status(svc, order) == "open"  # closed ends nothing in this version
    assert await svc.outbox("scheduling.VisitCancelled") == []

    await svc.apply(stage_changed(order, "archived", "closed"))
    assert await status(svc, order) == "cancelled"
    (visit,) = await svc.outbox("scheduling.VisitCancelled")
    assert visit["data"]["reason"] == "заказ закрыт"


async def test_before_its_version_arrives_an_order_still_ends_when_cancelled(
    svc: Harness,
) -> None:
    """Version 9 is not here yet (it travels on its own partition): the two ends every
    version has had decide meanwhile, so a cancelled order frees its crew at once."""
    measurer = await svc.crew("measurer")
    order = await order_on(svc, 9, "measurement")
    booked = await svc.book(order, "measurement", measurer, at(monday(), 11))
    assert booked.status_code == 201, booked.text
    await svc.apply(
        stage_changed(order, "cancelled", "measurement", direction="cancel", reason="отказ")
    )
    assert await status(svc, order) == "cancelled"
    (visit,) = await svc.outbox("scheduling.VisitCancelled")
    assert visit["data"]["reason"] == "заказ отменён"
