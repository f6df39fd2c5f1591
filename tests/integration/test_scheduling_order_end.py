"""When an order is cancelled, its booked visits and open tasks end with it, once."""

from __future__ import annotations

from tests.integration.test_scheduling_support import (
    Harness,
    at,
    monday,
    stage_changed,
)


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
