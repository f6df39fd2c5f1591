"""Bodies as the services write them (taken from a running system), for the audience tests."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import contracts.api
from contracts.api.audience import Views

ORDER = "67a572ba-3d18-4a1d-b48d-e72afea2e2b6"
MANAGER = "98b6dcfe-ac65-4fea-a44f-6b37e5720de7"
MEASURER = "599a75fe-1cd7-4b7d-b75e-ed59159511c0"
ADDRESS = {
    "text": "Москва, ул. Мира, 5",
    "city": None,
    "street": None,
    "building": None,
    "apartment": None,
    "entrance": None,
    "floor": None,
    "intercom": None,
    "notes": None,
}


def _doc(media_id: str, purpose: str, filename: str) -> dict[str, str]:
    return {"media_id": media_id, "kind": "document", "purpose": purpose, "filename": filename}


def _unmet(code: str, kind: str, **params: str) -> dict[str, Any]:
    return {"code": code, "message": code, "kind": kind, "params": params}


REQUIREMENTS = "d3f502a1-01ec-4fac-a03e-b116355a9b05"
CALCULATION = "e284f5a9-83ab-41ec-b128-14e844875169"
CARD: dict[str, Any] = {
    "id": ORDER,
    "number": 5,
    "title": "Гардероб",
    "stage": "measurement",
    "stage_title": "Замер",
    "stage_entered_at": "2026-11-30T08:47:06.575815Z",
    "version": 16,
    "pipeline_version": 1,
    "customer": {"name": "Альфин Пётр", "phone": "+79155550102", "address": ADDRESS},
    "description": "Описание",
    "manager": {"id": MANAGER},
    "documents": [
        _doc(REQUIREMENTS, "requirements", "wishes.pdf"),
        _doc(CALCULATION, "calculation", "calc.pdf"),
        _doc("7798d2ca-8dfd-4fd4-a95b-ac38b99227d0", "contract_draft", "contract.pdf"),
    ],
    "photos": [],
    "visits": [
        {
            "visit_id": "676e53a3-b2a0-4eda-bd0d-50d044814122",
            "kind": "measurement",
            "status": "booked",
            "task_id": "2a066242-747d-4aab-a64f-bda95d1856d6",
            "assignee_id": MEASURER,
            "starts_at": "2026-12-01T08:47:06.075839Z",
            "ends_at": "2026-12-01T09:47:06.075839Z",
        }
    ],
    "tasks": [
        {
            "id": "fd51bfd8-27ca-590a-99a2-78c81b35509f",
            "order_id": ORDER,
            "visit_id": None,
            "kind": "book_visit",
            "title": "Записать на замер",
            "status": "done",
            "assignee_id": MANAGER,
            "assignee_role": "manager",
            "due_at": "2026-12-01T08:47:04.907686+00:00",
            "visit_kind": "measurement",
            "visit_starts_at": None,
            "visit_ends_at": None,
            "rule_id": "measurement-book-visit",
            "cause_event_id": "f8f4975f-38c7-425a-b69c-c1b5bafdd461",
            "created_at": "2026-11-30T08:47:04.939967+00:00",
            "completed_at": "2026-11-30T08:47:06.120252+00:00",
            "completed_by": MANAGER,
            "note": None,
            "results": {"rooms": [{"name": "Прихожая", "width_mm": 2400, "height_mm": 2650}]},
        }
    ],
    "production_finished": False,
    "gate": {
        "stage": "measurement",
        "unmet": [
            _unmet("measurement_not_done", "visit_task_done", visit_kind="measurement"),
            _unmet("deal_terms_missing", "deal_terms"),
            _unmet("signed_contract_missing", "media_attached", purpose="signed_contract"),
        ],
    },
    "next_stages": ["contract"],
    "deal": {
        "amount": "731904.17",
        "decor": "Шпон дуба",
        "finishing": "Матовый лак",
        "extra_work": "",
        "payment_terms": "Оплата двумя частями",
    },
}


def _entry(n: int, type_: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "event_id": f"d3af0dbf-c77f-4dfc-b70b-16533300000{n}",
        "type": type_,
        "at": "2026-11-30T08:47:04.218250Z",
        "version": n,
        "actor": {
            "kind": "user",
            "id": MANAGER,
            "username": "manager",
            "role": "manager",
            "rule_id": None,
            "name": "manager",
        },
        "caused_by": None,
        "summary": f"{type_} {data.get('filename', '')}",
        "data": {"order_id": ORDER, **data},
    }


HISTORY: list[dict[str, Any]] = [
    _entry(1, "orders.OrderCreated", {"title": "Гардероб", "number": 5, "internal_note": "x"}),
    _entry(2, "orders.MediaAttached", {"media_id": REQUIREMENTS, "purpose": "requirements"}),
    _entry(3, "orders.MediaAttached", {"media_id": "m-calc", "purpose": "calculation"}),
    _entry(4, "orders.DealTermsRecorded", {"amount": "731904.17", "payment_terms": "Оплата"}),
    _entry(5, "orders.MediaDetached", {"media_id": "m-calc"}),
    _entry(
        6,
        "orders.AutoMoveRefused",
        {"unmet": [{"code": "measurement_results_missing", "message_ru": "", "message_en": ""}]},
    ),
    _entry(
        7,
        "orders.AutoMoveRefused",
        {"unmet": [{"code": "signed_contract_missing", "message_ru": "", "message_en": ""}]},
    ),
]

_CUSTOMER = {
    "name": "Орлова Мария",
    "phone": "+79167654321",
    "address": {"text": "Москва, Ленинский пр-т, д. 30"},
    "address_text": "Москва, Ленинский пр-т, д. 30",
}
_BOARD_CARD: dict[str, Any] = {
    "id": ORDER,
    "number": 4,
    "title": "Входная дверь",
    "stage": "intake",
    "stage_entered_at": "2026-11-30T08:47:03.320247Z",
    "version": 1,
    "amount": "731904.17",
    "open_tasks": 0,
    "photos": 0,
    "documents": 2,
    "document_purposes": {"requirements": 1, "contract_draft": 1},
    "overdue": False,
    "customer": _CUSTOMER,
    "manager": {"id": MANAGER, "display_name": "Мария Петрова"},
    "next_visit": None,
}
BOARD: dict[str, Any] = {
    "columns": [
        {
            "stage": "intake",
            "title": "Оформление заказа",
            "count": 2,
            "cards": [
                _BOARD_CARD,
                {k: v for k, v in _BOARD_CARD.items() if k not in ("document_purposes", "amount")},
            ],
        }
    ]
}


def _condition(code: str, kind: str, params: dict[str, str] | None = None) -> dict[str, Any]:
    return {"code": code, "kind": kind, "params": params or {}, "message_ru": "", "message_en": ""}


def _stage(key: str, *gate: dict[str, Any]) -> dict[str, Any]:
    return {
        "key": key,
        "title_ru": key,
        "title_en": key,
        "limit_hours": 48.0,
        "terminal": False,
        "gate": list(gate),
    }


PIPELINE: dict[str, Any] = {
    "version": 1,
    "stages": [
        _stage(
            "intake",
            _condition("customer_incomplete", "customer_complete"),
            _condition("documents_missing", "media_attached", {"kind": "document"}),
        ),
        _stage(
            "contract",
            _condition("deal_terms_missing", "deal_terms"),
            _condition("measurement_not_done", "visit_task_done", {"visit_kind": "measurement"}),
        ),
    ],
    "forward": {"intake": ["contract"]},
}


def _media(media_id: str, purpose: str) -> dict[str, Any]:
    return {
        "media_id": media_id,
        "order_id": ORDER,
        "kind": "document",
        "purpose": purpose,
        "filename": f"{purpose}.pdf",
        "content_type": "application/pdf",
        "size": 45,
        "status": "ready",
        "uploaded_by": MANAGER,
        "created_at": "2026-11-30T08:47:04.298016Z",
        "download_url": "http://127.0.0.1:9/oms-media/x?X-Amz-Signature=abc",
    }


MEDIA = [_media(REQUIREMENTS, "requirements"), _media(CALCULATION, "signed_contract")]


def all_views() -> list[tuple[str, Views]]:
    """Every response's views, from every module of contracts/api."""
    found: list[tuple[str, Views]] = []
    for info in pkgutil.iter_modules(contracts.api.__path__):
        module = importlib.import_module(f"contracts.api.{info.name}")
        found += [
            (f"{info.name}.{name}", value)
            for name, value in vars(module).items()
            if isinstance(value, Views)
        ]
    return sorted(found, key=lambda pair: pair[0])
