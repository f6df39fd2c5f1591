"""The default pipeline (DOMAIN.md): stage keys, order and titles. Stages are data: the orders
service stores versioned pipelines; this is version 1, which every service can name."""

from __future__ import annotations

from typing import Final

DEFAULT_STAGES: Final[tuple[tuple[str, str, str], ...]] = (
    ("intake", "Оформление заказа", "Order intake"),
    ("measurement", "Замер", "Measurement"),
    ("contract", "Заключение сделки", "Contract"),
    ("production", "Производство", "Production"),
    ("shipment_prep", "Подготовка к отгрузке", "Shipment preparation"),
    ("delivery", "Доставка", "Delivery"),
    ("installation", "Монтаж", "Installation"),
    ("rework", "Доработка", "Rework"),
    ("closed", "Закрытие", "Closed"),
    ("cancelled", "Отказ", "Cancelled"),
)
STAGE_KEYS: Final = tuple(key for key, _, _ in DEFAULT_STAGES)
# DOMAIN.md, Roles: production sees orders in `production` and later (not cancelled ones).
# The gateway (order access) and scheduling (task access) decide with this one set.
PRODUCTION_STAGES: Final = frozenset(
    {"production", "shipment_prep", "delivery", "installation", "rework", "closed"}
)


def stage_title(key: str, lang: str = "ru") -> str:
    for k, ru, en in DEFAULT_STAGES:
        if k == key:
            return ru if lang == "ru" else en
    return key
