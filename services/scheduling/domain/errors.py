"""Why the scheduling rules refuse: a stable code (one of `Code`), a human message and, for
some, details the client needs (`extra`, e.g. the role a visit needs).

They carry no HTTP status: the rules do not know they are served over HTTP. The scheduling
entrypoints map each code to a status in one table (entrypoints/errors.py); `Code` lists
every code the domain may give, so mypy refuses a code the table cannot know of.
"""

from __future__ import annotations

from typing import Literal

Code = Literal[
    # a visit's time
    "invalid_range",
    "member_inactive",
    "wrong_role",
    "outside_working_hours",
    "member_absent",
    # a crew member's calendar
    "range_too_long",
    "invalid_hours",
    "invalid_timezone",
    # a robot rule
    "unknown_stage",
    "unknown_role",
    "role_sees_no_orders",
    "unknown_placeholder",
    "unknown_action",
    "invalid_rule",
    "retired_rule_id",
    # a check-in or check-out (domain/presence.py)
    "not_your_visit",
    "visit_not_active",
    "time_in_future",
    "time_before_booking",
    "already_checked_in",
    "not_checked_in",
    "already_checked_out",
    "check_out_before_check_in",
]


class SchedulingRefusal(Exception):
    def __init__(self, message: str, *, code: Code, **extra: object) -> None:
        super().__init__(message)
        self.code: Code = code
        self.message = message
        self.extra = extra
