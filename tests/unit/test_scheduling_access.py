"""Who sees and completes a task (services/scheduling/domain/access.py), rule by rule."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from services.scheduling.domain.access import (
    Viewer,
    may_complete,
    may_see_order,
    may_see_schedule,
    may_see_task,
)
from tests.pipeline_versions import default_pipeline, with_varnishing

ME = uuid.uuid4()
ORDER = uuid.uuid4()


@dataclass(frozen=True)
class T:
    order_id: uuid.UUID | None
    assignee_id: uuid.UUID | None = None
    assignee_role: str | None = None


def role_task(role: str, order_id: uuid.UUID | None = ORDER) -> T:
    return T(order_id, None, role)


def test_a_role_task_of_an_order_is_seen_only_with_the_order() -> None:
    installer = Viewer(ME, "installer")
    assert not may_see_task(installer, role_task("installer"), order_visible=False)
    assert may_see_task(installer, role_task("installer"), order_visible=True)


def test_a_role_task_on_no_order_is_seen_by_the_role_until_taken() -> None:
    installer = Viewer(ME, "installer")
    assert may_see_task(installer, role_task("installer", None), order_visible=False)
    assert not may_see_task(installer, role_task("delivery", None), order_visible=False)
    taken = T(None, uuid.uuid4(), "installer")
    assert not may_see_task(installer, taken, order_visible=False)


def test_ones_own_task_and_every_task_for_those_who_see_all() -> None:
    assert may_see_task(Viewer(ME, "delivery"), T(ORDER, ME), order_visible=False)
    for role in ("manager", "director"):
        assert may_see_task(Viewer(ME, role), role_task("installer"), order_visible=False)


def test_an_admin_sees_no_task_of_an_order_not_even_their_own_only_tasks_on_none() -> None:
    admin = Viewer(ME, "admin")
    assert not may_see_task(admin, role_task("installer"), order_visible=True)
    assert not may_see_task(admin, T(ORDER, ME), order_visible=True)  # assigned before
    assert not may_see_task(admin, role_task("admin"), order_visible=True)
    assert may_see_task(admin, role_task("admin", None), order_visible=False)
    assert may_see_task(admin, T(None, ME), order_visible=False)
    v1 = default_pipeline()
    assert not may_see_order(admin, involved=True, stage="shipment_prep", pipeline=v1)


def test_field_roles_see_an_order_they_work_on_production_from_its_stage() -> None:
    v1 = default_pipeline()
    installer = Viewer(ME, "installer")
    assert not may_see_order(installer, involved=False, stage="installation", pipeline=v1)
    assert may_see_order(installer, involved=True, stage="intake", pipeline=v1)
    production = Viewer(ME, "production")
    assert not may_see_order(production, involved=False, stage="contract", pipeline=v1)
    assert may_see_order(production, involved=False, stage="shipment_prep", pipeline=v1)
    assert not may_see_order(production, involved=False, stage="cancelled", pipeline=v1)
    assert not may_see_order(production, involved=False, stage=None, pipeline=v1)


def test_production_sees_by_the_orders_own_pipeline() -> None:
    production = Viewer(ME, "production")
    assert may_see_order(production, involved=False, stage="varnishing", pipeline=with_varnishing())
    # A stage the order's version does not have, or a version not heard of yet: not seen.
    assert not may_see_order(
        production, involved=False, stage="varnishing", pipeline=default_pipeline()
    )
    assert not may_see_order(production, involved=False, stage="production", pipeline=None)
    assert not may_see_order(
        Viewer(ME, "installer"), involved=False, stage="varnishing", pipeline=with_varnishing()
    )


def test_who_completes_a_task_seen() -> None:
    other = uuid.uuid4()
    assert may_complete(Viewer(ME, "installer"), role_task("installer"))  # takes it
    assert not may_complete(Viewer(ME, "installer"), role_task("delivery"))
    assert not may_complete(Viewer(ME, "installer"), T(ORDER, other, "installer"))
    assert may_complete(Viewer(ME, "installer"), T(ORDER, ME))
    assert may_complete(Viewer(ME, "manager"), T(ORDER, other))
    assert not may_complete(Viewer(ME, "admin"), T(None, other))  # admins do no field work


def test_a_calendar_is_its_owners_and_the_bookers() -> None:
    assert may_see_schedule(Viewer(ME, "installer"), ME)
    assert not may_see_schedule(Viewer(ME, "installer"), uuid.uuid4())
    assert may_see_schedule(Viewer(ME, "manager"), uuid.uuid4())
    # A calendar names the orders of its visits: an admin edits hours, not reads calendars.
    assert not may_see_schedule(Viewer(ME, "admin"), uuid.uuid4())
