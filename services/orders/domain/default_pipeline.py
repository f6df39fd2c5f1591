"""Version 1 of the pipeline: the nine stages of DOMAIN.md, plus `cancelled` (отказ)."""

from __future__ import annotations

from typing import Any

from services.orders.domain.pipeline import Pipeline, pipeline_from_dict


def _c(code: str, condition: str, ru: str, en: str, **params: str) -> dict[str, Any]:
    return {"code": code, "kind": condition, "params": params, "message_ru": ru, "message_en": en}


DEFAULT_DEFINITION: dict[str, Any] = {
    "stages": [
        {
            "key": "intake",
            "title_ru": "Оформление заказа",
            "title_en": "Order intake",
            "limit_hours": 48,
            "gate": [
                _c(
                    "customer_incomplete",
                    "customer_complete",
                    "Не заполнены имя, телефон или адрес клиента",
                    "Customer name, phone or address is missing",
                ),
                _c(
                    "documents_missing",
                    "media_attached",
                    "Не приложен ни один документ",
                    "No document is attached",
                    kind="document",
                ),
            ],
        },
        {
            "key": "measurement",
            "title_ru": "Замер",
            "title_en": "Measurement",
            "limit_hours": 120,
            "gate": [
                _c(
                    "measurement_not_done",
                    "visit_task_done",
                    "Замер не выполнен",
                    "The measurement visit is not done",
                    visit_kind="measurement",
                ),
                _c(
                    "measurement_results_missing",
                    "measurement_results",
                    "Нет результатов замера (размеров, документа или фото)",
                    "Measurement results are missing (dimensions, document or photo)",
                ),
            ],
        },
        {
            "key": "contract",
            "title_ru": "Заключение сделки",
            "title_en": "Contract",
            "limit_hours": 120,
            "gate": [
                _c(
                    "deal_terms_missing",
                    "deal_terms",
                    "Не записаны условия сделки",
                    "Deal terms are not recorded",
                ),
                _c(
                    "signed_contract_missing",
                    "media_attached",
                    "Не приложен подписанный договор",
                    "The signed contract is not attached",
                    kind="document",
                    purpose="signed_contract",
                ),
            ],
        },
        {
            "key": "production",
            "title_ru": "Производство",
            "title_en": "Production",
            "limit_hours": 480,
            "gate": [
                _c(
                    "production_not_finished",
                    "production_finished",
                    "Производство не завершено",
                    "Production is not finished",
                ),
            ],
        },
        {
            "key": "shipment_prep",
            "title_ru": "Подготовка к отгрузке",
            "title_en": "Shipment preparation",
            "limit_hours": 72,
            "gate": [
                _c(
                    "delivery_not_booked",
                    "visit_booked",
                    "Доставка не назначена",
                    "Delivery is not booked",
                    visit_kind="delivery",
                ),
            ],
        },
        {
            "key": "delivery",
            "title_ru": "Доставка",
            "title_en": "Delivery",
            "limit_hours": 72,
            "gate": [
                _c(
                    "delivery_not_done",
                    "visit_task_done",
                    "Доставка не выполнена",
                    "The delivery is not done",
                    visit_kind="delivery",
                ),
            ],
        },
        {
            "key": "installation",
            "title_ru": "Монтаж",
            "title_en": "Installation",
            "limit_hours": 120,
            "gate": [
                _c(
                    "installation_not_done",
                    "visit_task_done",
                    "Монтаж не выполнен",
                    "The installation is not done",
                    visit_kind="installation",
                ),
                _c(
                    "installation_photos_missing",
                    "media_attached",
                    "Нет фотографий монтажа",
                    "Installation photos are missing",
                    kind="photo",
                    purpose="installation",
                ),
            ],
        },
        {
            "key": "rework",
            "title_ru": "Доработка",
            "title_en": "Rework",
            "limit_hours": 120,
            "gate": [
                _c(
                    "rework_not_done",
                    "visit_task_done",
                    "Доработка не выполнена",
                    "The rework is not done",
                    visit_kind="rework",
                ),
                _c(
                    "rework_photos_missing",
                    "media_attached",
                    "Нет фотографий доработки",
                    "Rework photos are missing",
                    kind="photo",
                    purpose="rework",
                ),
            ],
        },
        {"key": "closed", "title_ru": "Закрытие", "title_en": "Closed", "terminal": True},
        {"key": "cancelled", "title_ru": "Отказ", "title_en": "Cancelled", "terminal": True},
    ],
    "forward": {
        "intake": ["measurement"],
        "measurement": ["contract"],
        "contract": ["production"],
        "production": ["shipment_prep"],
        "shipment_prep": ["delivery"],
        "delivery": ["installation"],
        "installation": ["rework", "closed"],
        "rework": ["closed"],
    },
}


def default_pipeline() -> Pipeline:
    return pipeline_from_dict(DEFAULT_DEFINITION, version=1)
