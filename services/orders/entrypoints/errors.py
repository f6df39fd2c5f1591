"""The one table from the orders domain's errors to HTTP statuses (API.md, errors).

The body keeps the API's shape, `{"detail", "code", ...extra}`, so a gate refusal still lists
every unmet condition under `unmet` and a version conflict says the current `version`.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from plumbing.app import error_body
from services.orders.domain import errors as e

STATUS: dict[type[e.OrderError], int] = {
    e.OrderNotFound: 404,
    e.NotAllowed: 403,
    e.InvalidOrder: 422,
    e.PromiseBeforeCreation: 422,
    e.UnknownStage: 422,
    e.ReasonRequired: 422,
    e.IdempotencyKeyReused: 422,
    e.BeforeCreation: 422,
    e.MomentInFuture: 422,
    e.OrderAlreadyExists: 409,
    e.VersionConflict: 409,
    e.TransitionNotAllowed: 409,
    e.WrongStage: 409,
    e.OrderClosed: 409,
    e.GateUnmet: 409,
    e.IdempotencyKeyBusy: 409,
    e.InvalidImport: 422,
    e.ImportConflict: 409,
    e.ImportNotFound: 404,
}


def status_of(error: e.OrderError) -> int:
    # Its own kind first, then a parent's; tests keep every kind in the table, so the
    # fallback (a refusal, never a 500) is only for a kind added without one.
    for kind, status in STATUS.items():
        if type(error) is kind:
            return status
    return next((s for kind, s in STATUS.items() if isinstance(error, kind)), 400)


def install(app: FastAPI) -> None:
    @app.exception_handler(e.OrderError)
    async def order_error(_: Request, exc: e.OrderError) -> JSONResponse:
        return JSONResponse(
            error_body(exc.code, exc.message, **exc.extra), status_code=status_of(exc)
        )
