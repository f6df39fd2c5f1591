"""The default robots of DOMAIN.md, seeded once. (Stage limits are the pipeline's.)

Who hears what by default is the notifications service's routing table, not robots here: the
notify robots once seeded (contracts' RETIRED_NOTIFY_RULES) are deleted at start. A robot's
`notify` action stays for the notices an admin adds on top."""

from __future__ import annotations

from typing import Any

from services.scheduling.domain.rules import Rule


def _task(kind: str, role: str, title: str, **extra: Any) -> dict[str, Any]:
    return {"type": "create_task", "kind": kind, "assignee_role": role, "title": title, **extra}


_RAW: tuple[dict[str, Any], ...] = (
    {
        "id": "measurement-book-visit",
        "title": "Замер без записи на визит → менеджеру: записать на замер",
        "trigger": "order_entered_stage",
        "conditions": {"stage": "measurement", "without_booked_visit": "measurement"},
        "actions": [_task("book_visit", "manager", "Записать на замер", visit_kind="measurement")],
    },
    {
        "id": "measurement-done-to-contract",
        "title": "Замер выполнен → заказ на заключение сделки",
        "trigger": "task_completed",
        "conditions": {"task_kind": "measurement"},
        "actions": [{"type": "request_stage_move", "to_stage": "contract"}],
    },
    {
        "id": "shipment-prep-delivery-task",
        "title": "Подготовка к отгрузке → задача службе доставки",
        "trigger": "order_entered_stage",
        "conditions": {"stage": "shipment_prep", "without_booked_visit": "delivery"},
        "actions": [_task("delivery", "delivery", "Доставить заказ", due_in_hours=72)],
    },
    {
        "id": "installation-installer-task",
        "title": "Монтаж → задача монтажникам",
        "trigger": "order_entered_stage",
        "conditions": {"stage": "installation", "without_booked_visit": "installation"},
        "actions": [_task("installation", "installer", "Монтаж", due_in_hours=72)],
    },
    {
        "id": "rework-installer-task",
        "title": "Доработка → задача монтажникам",
        "trigger": "order_entered_stage",
        "conditions": {"stage": "rework", "without_booked_visit": "rework"},
        "actions": [_task("rework", "installer", "Доработка", due_in_hours=72)],
    },
)

DEFAULT_RULES: tuple[Rule, ...] = tuple(Rule.model_validate(raw) for raw in _RAW)
