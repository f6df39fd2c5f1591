"""Typed routes: request bodies parsed by FastAPI into the contracts/api models (so the
OpenAPI says what each route takes) behind the gateway's body guards, and responses shown
to each caller only as their audience's model lists them.

The guards (gateway/entrypoints/bodies.py) run inside the request's own `body()`/`json()`,
which FastAPI calls before it validates: a body over the limit is still refused with 413
before it is all read, and JSON that Python parses but no service can take (deep nesting, a
lone surrogate, NUL) still gets 422, not a 500. FastAPI turns any other exception raised
there into a bare 400, so the refusals are raised as HTTPExceptions carrying the API's error
body, which plumbing's handler passes on as they are.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import HTTPException, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel

from contracts.api.audience import Views, audience_of
from gateway.adapters.upstream import Reply
from gateway.domain.users import User
from gateway.entrypoints.bodies import MAX_BODY, check_passable, read_limited
from plumbing.app import error_body
from plumbing.errors import DomainError, Invalid

# For free-text query and path parameters: a NUL is refused below the app (plumbing's
# RefuseNul), so the OpenAPI says so instead of inviting one.
NO_NUL = r"^[^\x00]*$"


def _refusal(error: DomainError) -> HTTPException:
    return HTTPException(error.status, detail=error_body(error.code, error.message))


class GuardedRequest(Request):
    max_body = MAX_BODY

    async def body(self) -> bytes:
        if not hasattr(self, "_body"):
            try:
                self._body = await read_limited(self, self.max_body)
            except DomainError as refused:
                raise _refusal(refused) from None
        return self._body

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            try:
                parsed = json.loads(await self.body())
            except (ValueError, RecursionError):
                raise _refusal(Invalid("body: not valid JSON", code="invalid_json")) from None
            try:
                check_passable(parsed)
            except DomainError as refused:
                raise _refusal(refused) from None
            self._json = parsed
        return self._json


class GuardedRoute(APIRoute):
    """The route class of every gateway router that takes a body."""

    max_body = MAX_BODY

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        limit = self.max_body

        async def guarded(request: Request) -> Response:
            guarded_request = GuardedRequest(request.scope, request.receive)
            guarded_request.max_body = limit
            return await handler(guarded_request)

        return guarded


class SmallBodyRoute(GuardedRoute):
    """For routes whose bodies are a few fields (an upload's declaration): 16 KB."""

    max_body = 16 * 1024


def sent(body: BaseModel | None) -> Any:
    """A typed body as the service gets it: only what the client sent (no defaults added),
    in JSON form."""
    return None if body is None else body.model_dump(mode="json", exclude_unset=True)


def relayed(reply: Reply, views: Views, user: User, status: int = 200) -> Response:
    """A service's answer passed on as `user`'s audience may see it. Untouched, bytes as
    the service sent them, for an audience that sees the whole model (commercial roles):
    validating and writing it again would change nothing but cost the gateway a parse and
    a dump per request, the board's hundreds of cards included (issue 17, step 5). Every
    other audience's answer goes through its narrower model (`shown`)."""
    if reply.raw is not None and audience_of(user.role) == "commercial":
        return Response(reply.raw, status_code=status, media_type="application/json")
    return shown(reply.body, views, user, status)


def shown(body: Any, views: Views, user: User, status: int = 200) -> JSONResponse:
    """The service's answer as `user`'s audience may see it. Returned as a response, so
    FastAPI does not validate it again against the declared (widest) model, which would add
    null for every key the audience does not get."""
    return JSONResponse(views.show(body, audience_of(user.role)), status_code=status)
