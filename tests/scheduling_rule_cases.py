"""Rules that name stages, roles or fields that do not exist, or a role that sees no orders
(admin: nothing a robot does would reach it): refused with these codes, by
the rule validation (tests/unit) and through the API (tests/integration) alike."""

from __future__ import annotations

from typing import Any

UNKNOWN_NAMES: list[tuple[dict[str, Any], str]] = [
    ({"conditions": {"stage": "nowhere"}}, "unknown_stage"),
    ({"actions": [{"type": "request_stage_move", "to_stage": "moon"}]}, "unknown_stage"),
    (
        {
            "actions": [
                {
                    "type": "create_task",
                    "kind": "custom",
                    "title": "x",
                    "assignee_role": "pilot",
                }
            ]
        },
        "unknown_role",
    ),
    (
        {"actions": [{"type": "notify", "role": "admin", "text_ru": "x", "text_en": "x"}]},
        "role_sees_no_orders",
    ),
    (
        {"actions": [{"type": "notify", "manager": True, "text_ru": "{amount}", "text_en": "x"}]},
        "unknown_placeholder",
    ),
]
