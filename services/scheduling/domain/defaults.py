"""The default robots of DOMAIN.md, seeded once. (Stage limits are the pipeline's.)"""

from __future__ import annotations

from typing import Any

from services.scheduling.domain.rules import Rule


def _task(kind: str, role: str, title: str, **extra: Any) -> dict[str, Any]:
    return {"type": "create_task", "kind": kind, "assignee_role": role, "title": title, **extra}


def _notify(ru: str, en: str, **to: Any) -> dict[str, Any]:
    return {"type": "notify", "text_ru": ru, "text_en": en, **to}


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
    {
        "id": "notify-stage-change",
        "title": "Смена стадии → уведомление менеджеру заказа",
        "trigger": "order_entered_stage",
        "actions": [
            _notify(
                "Заказ №{number} перешёл на стадию «{stage}»",
                "Order #{number} moved to stage {stage}",
                manager=True,
            )
        ],
    },
    {
        "id": "notify-task-completed",
        "title": "Задача выполнена → уведомление менеджеру заказа",
        "trigger": "task_completed",
        "actions": [
            _notify(
                "Задача «{title}» по заказу №{number} выполнена",
                "Task “{title}” of order #{number} is done",
                manager=True,
            )
        ],
    },
    {
        "id": "notify-photo-uploaded",
        "title": "Загружено фото → уведомление менеджеру заказа",
        "trigger": "media_uploaded",
        "conditions": {"media_kind": "photo"},
        "actions": [
            _notify(
                "К заказу №{number} загружено фото ({purpose})",
                "A photo ({purpose}) was uploaded to order #{number}",
                manager=True,
            )
        ],
    },
    {
        "id": "overdue-alert",
        "title": "Заказ превысил срок стадии → менеджеру и руководителю",
        "trigger": "order_overdue",
        "actions": [
            _notify(
                "Заказ №{number} превысил срок на стадии «{stage}»",
                "Order #{number} is overdue in stage {stage}",
                manager=True,
                role="director",
            )
        ],
    },
)

DEFAULT_RULES: tuple[Rule, ...] = tuple(Rule.model_validate(raw) for raw in _RAW)
