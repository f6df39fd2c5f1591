"""The one table from the scheduling domain's refusal codes to HTTP statuses (API.md, errors).

Every one is a 422 today: each says the request can never succeed as sent (a visit outside
working hours, a rule naming a stage no pipeline has). The application's own refusals (not
found, a taken slot, a stale version) are `plumbing.errors` kinds and keep their statuses.
The body keeps the API's shape, `{"detail", "code", ...extra}`.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from plumbing.app import error_body
from services.scheduling.domain.errors import Code, SchedulingRefusal

STATUS: dict[Code, int] = {
    "invalid_range": 422,
    "member_inactive": 422,
    "wrong_role": 422,
    "outside_working_hours": 422,
    "member_absent": 422,
    "range_too_long": 422,
    "invalid_hours": 422,
    "invalid_timezone": 422,
    "unknown_stage": 422,
    "retired_rule_id": 422,
    "unknown_role": 422,
    "role_sees_no_orders": 422,
    "unknown_placeholder": 422,
    "unknown_action": 422,
    "invalid_rule": 422,
    "not_your_visit": 403,
    "visit_not_active": 409,
    "time_in_future": 422,
    "time_before_booking": 422,
    "already_checked_in": 409,
    "not_checked_in": 409,
    "already_checked_out": 409,
    "check_out_before_check_in": 422,
}  # tests/unit/test_scheduling_http_errors.py: every `Code` is here


def install(app: FastAPI) -> None:
    @app.exception_handler(SchedulingRefusal)
    async def refused(_: Request, exc: SchedulingRefusal) -> JSONResponse:
        return JSONResponse(
            error_body(exc.code, exc.message, **exc.extra), status_code=STATUS[exc.code]
        )
