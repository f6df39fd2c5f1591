"""The one table from the media service's refusals to HTTP statuses (API.md, errors).

The body keeps the API's shape, `{"detail", "code", ...extra}`: a refused purpose still says
the `purpose` and `role`, a pixel bomb its `pixels` and `max_pixels`.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from plumbing.app import error_body
from services.media.application.ports import StorageUnavailable
from services.media.application.work import Busy
from services.media.domain import errors as e

STATUS: dict[type[e.MediaRefusal], int] = {
    e.Unacceptable: 422,
    e.TooBig: 413,
    e.NotPermitted: 403,
    e.MediaNotFound: 404,
    e.WrongState: 409,
    Busy: 503,
    StorageUnavailable: 503,  # StorageFull too: a dependency away, never this code's fault
}


def status_of(refusal: e.MediaRefusal) -> int:
    # The nearest kind in the table (a refusal is a subclass of one, e.g. PurposeNotAllowed
    # of NotPermitted); tests keep every kind in it, so 400 (a refusal, never a 500) is only
    # for a kind added without one.
    return next((STATUS[k] for k in type(refusal).__mro__ if k in STATUS), 400)


def install(app: FastAPI) -> None:
    @app.exception_handler(e.MediaRefusal)
    async def media_refusal(_: Request, exc: e.MediaRefusal) -> JSONResponse:
        retry = exc.extra.get("retry_after")
        # RFC 9110: a 503 may say when to come back; clients and proxies read the header.
        headers = {"Retry-After": str(retry)} if isinstance(retry, int) else None
        return JSONResponse(
            error_body(exc.code, exc.message, **exc.extra),
            status_code=status_of(exc),
            headers=headers,
        )
