"""The FastAPI shell every service shares: health, readiness, metrics, correlation, errors."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from plumbing import correlation, db, metrics, progress
from plumbing.errors import DomainError

log = logging.getLogger(__name__)

Check = Callable[[], Awaitable[object]]
# Fields for the readiness body that never fail it (what a dependency is doing, not whether
# this process can serve): API.md keeps other services' state out of the ready/503 decision.
Report = Callable[[], Awaitable[Mapping[str, object]]]


@dataclass
class Runtime:
    """What a service runs besides HTTP: startup, background loops, readiness checks."""

    startup: Sequence[Callable[[], Awaitable[None]]] = ()
    background: Sequence[Callable[[], Coroutine[Any, Any, None]]] = ()
    shutdown: Sequence[Callable[[], Awaitable[None]]] = ()
    # What this process needs to serve its own requests: failing, it leaves rotation (503).
    checks: dict[str, Check] = field(default_factory=dict)
    # What it uses but can do without for a while (commands wait in its log, reads go on):
    # reported in the body and the `dependency_up` gauge, never a reason to leave rotation.
    dependencies: dict[str, Check] = field(default_factory=dict)
    reports: Sequence[Report] = ()


class CheckFailed(Exception):
    """A readiness check's failure whose message is short, generic and safe to publish
    ("unreachable", "answered 503"); any other exception is published as "unavailable"."""


async def _checked(name: str, check: Check) -> str:
    """ "ok" or "failing: <short reason>". /readyz is reachable from outside (probes, the
    ingress): exception texts name hosts, ports, users and library internals, so the
    detail goes to the log and the body says only which check failed and roughly how."""
    try:
        await asyncio.wait_for(check(), 3)
    except TimeoutError:
        reason = "timed out"
    except CheckFailed as exc:
        reason = str(exc)
    except Exception as exc:  # readiness reports any failure, it never raises
        log.warning("readiness check %s failing: %r", name, exc)
        return "failing: unavailable"
    else:
        return "ok"
    log.warning("readiness check %s failing: %s", name, reason)
    return f"failing: {reason}"


async def _reported(reports: Sequence[Report]) -> dict[str, object]:
    body: dict[str, object] = {}
    consumers = progress.report()
    if consumers:
        # Whether each group has read its logs up to their end: right after a start (or a
        # broker that lost its data) the read models can be behind while requests work.
        body["consumers"] = consumers
    answers = await asyncio.gather(
        *(asyncio.wait_for(report(), 3) for report in reports), return_exceptions=True
    )
    for answer in answers:
        if isinstance(answer, BaseException):
            # A report is extra information: its failure is logged, not served.
            log.warning("readiness report failed: %r", answer)
        else:
            body.update(answer)
    return body


def create_app(name: str, runtime: Runtime) -> FastAPI:
    tasks: list[asyncio.Task[None]] = []

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        for step in runtime.startup:
            await step()
        tasks.extend(asyncio.create_task(job(), name=f"{name}-bg") for job in runtime.background)
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            for step in runtime.shutdown:
                await step()

    app = FastAPI(title=name, lifespan=lifespan)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        # All at once: one after the other, a gateway's readiness (its database, the broker,
        # five services, their reports) took 9 s under load, past every probe's timeout.
        names, deps = list(runtime.checks), list(runtime.dependencies)
        outcomes, dep_outcomes, reported = await asyncio.gather(
            asyncio.gather(*(_checked(n, runtime.checks[n]) for n in names)),
            asyncio.gather(*(_checked(n, runtime.dependencies[n]) for n in deps)),
            _reported(runtime.reports),
        )
        results = dict(zip(names, outcomes, strict=True))
        dependencies = dict(zip(deps, dep_outcomes, strict=True))
        for dep, outcome in dependencies.items():
            metrics.DEPENDENCY_UP.labels(dep).set(1 if outcome == "ok" else 0)
        ok = all(v == "ok" for v in results.values())
        # Reported, never a reason to leave rotation: the service still serves its requests,
        # and only a newer release can move those partitions (the gauge raises the alert).
        blocked = metrics.blocked_partitions()
        body = {"ready": ok, "checks": results, "dependencies": dependencies}
        return JSONResponse(
            {**body, "blocked_partitions": blocked, **reported}, status_code=200 if ok else 503
        )

    @app.get("/metrics", include_in_schema=False)
    async def metrics_endpoint() -> Response:
        return Response(metrics.render(), media_type="text/plain; version=0.0.4")

    install_error_handlers(app)
    app.add_middleware(Observe)
    app.add_middleware(LiteralPathsFirst)
    app.add_middleware(RefuseNul)
    return app


class Observe:
    """Each request's correlation id (taken from the caller or made, and answered back), and
    its count and latency per route, measured to the start of the answer.

    Pure ASGI: Starlette's `@app.middleware("http")` (BaseHTTPMiddleware) runs every request
    in a second task and copies every chunk of the answer through a memory stream, a live
    stream's every frame included; the same work here is a function call per message
    (issue 17, "pure ASGI middleware")."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        correlation.set_current(Headers(scope=scope).get(correlation.HEADER) or None)
        cid = correlation.get_or_new()
        started = time.perf_counter()

        async def observed(message: Message) -> None:
            if message["type"] == "http.response.start":
                # The router has put the matched route in this same scope by now.
                path = getattr(scope.get("route"), "path", "unmatched")
                method = scope["method"]
                metrics.HTTP_REQUESTS.labels(method, path, message["status"]).inc()
                metrics.HTTP_LATENCY.labels(method, path).observe(time.perf_counter() - started)
                MutableHeaders(scope=message)[correlation.HEADER] = cid
            await send(message)

        await self.app(scope, receive, observed)


class RefuseNul:
    """422 for a request whose target carries a NUL (`%00`), before any route sees it.

    No identifier, filter or search term of the API has one, and PostgreSQL refuses NUL in
    text: passed on, `?q=%00` made the read side answer 500 (the gateway relayed 502). One
    check here covers every parameter of every service, instead of one per query."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (
            b"%00" in scope.get("query_string", b"")
            or b"%00" in (scope.get("raw_path") or b"")
            or "\x00" in scope.get("path", "")
        ):
            refusal = JSONResponse(
                error_body("invalid_input", "the request target contains a NUL character"),
                status_code=422,
            )
            await refusal(scope, receive, send)
            return
        await self.app(scope, receive, send)


class LiteralPathsFirst:
    """405 for a method a literal path does not have, before a template that also matches the
    path can take the request.

    OpenAPI matches paths literally first: /media/purposes is its own path (GET), not a
    /media/{media_id}. Starlette tries routes in order and a template's full match beats the
    literal route's method mismatch, so `DELETE /media/purposes` reached the media route and
    answered 422 ("media_id is not a UUID") where the API documents no DELETE at all: 405,
    with `Allow` naming the literal path's methods (Schemathesis ST204). The literal paths
    are read once from the app's routes, which are fixed once it serves."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._literal: dict[str, frozenset[str]] | None = None

    def _literal_paths(self, routes: Sequence[BaseRoute]) -> dict[str, frozenset[str]]:
        found: dict[str, set[str]] = {}
        for context in iter_route_contexts(routes):
            if getattr(context, "param_convertors", None) == {} and context.methods:
                path = getattr(context.route, "path", None)
                if isinstance(path, str):
                    found.setdefault(path, set()).update(context.methods)
        return {path: frozenset(methods) for path, methods in found.items()}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and "app" in scope:
            if self._literal is None:
                self._literal = self._literal_paths(scope["app"].routes)
            methods = self._literal.get(scope.get("path", ""))
            if methods is not None and scope["method"] not in methods:
                refusal = JSONResponse(
                    error_body("method_not_allowed", "Method Not Allowed"),
                    status_code=405,
                    headers={"Allow": ", ".join(sorted(methods))},
                )
                await refusal(scope, receive, send)
                return
        await self.app(scope, receive, send)


# A restarted PostgreSQL takes seconds (the fault run's recoveries: 2-4 s).
DATABASE_RETRY_AFTER_S = 2


def error_body(code: str, detail: str, **extra: object) -> dict[str, object]:
    return {"detail": detail, "code": code, **extra}


def install_error_handlers(app: FastAPI) -> None:
    """One table from errors to the API's shape: {"detail", "code", ...}, never a bare 500."""

    @app.exception_handler(DomainError)
    async def domain_error(_: Request, exc: DomainError) -> JSONResponse:
        retry = exc.extra.get("retry_after")
        # RFC 9110: a 503 (or 429) may say when to come back; clients and proxies read the header.
        headers = {"Retry-After": str(retry)} if isinstance(retry, int) else None
        return JSONResponse(
            error_body(exc.code, exc.message, **exc.extra), status_code=exc.status, headers=headers
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": e.get("type")}
            for e in exc.errors()
        ]
        first = errors[0] if errors else {"loc": [], "msg": "invalid input"}
        where = ".".join(str(p) for p in first["loc"] if p != "body")
        return JSONResponse(
            error_body(
                "invalid_input",
                f"{where}: {first['msg']}" if where else str(first["msg"]),
                errors=errors,
            ),
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code >= 500:
            # A detail written for a 500 tends to be an exception's text: logged, not served.
            log.error("HTTP %d: %s", exc.status_code, exc.detail)
            return JSONResponse(
                error_body("internal_error", "internal error"),
                status_code=exc.status_code,
                headers=exc.headers,
            )
        headers = exc.headers
        if exc.status_code == 405:
            headers = {**(headers or {}), "Allow": ", ".join(_allowed_methods(request))}
        if isinstance(exc.detail, dict):
            return JSONResponse(exc.detail, status_code=exc.status_code, headers=headers)
        code = {
            401: "unauthenticated",
            403: "forbidden",
            404: "not_found",
            405: "method_not_allowed",
        }
        return JSONResponse(
            error_body(code.get(exc.status_code, "error"), str(exc.detail)),
            status_code=exc.status_code,
            headers=headers,
        )

    @app.exception_handler(ClientDisconnect)
    async def gone(_: Request, __: ClientDisconnect) -> JSONResponse:
        # The client left (or was cut off by a deadline, plumbing/http_guard.py) before its
        # body arrived: nobody reads this answer, and it is no server error to alert on.
        log.info("client disconnected before its request body arrived")
        return JSONResponse(
            error_body("client_disconnected", "the request body did not arrive"), status_code=400
        )

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        if db.unavailable(exc):
            # Nothing was applied (the transaction never committed): the client may simply
            # come back, and an alert counts 503s, not this process's bugs (API.md).
            log.warning("database unavailable: %r", exc)
            return JSONResponse(
                error_body(
                    "database_unavailable",
                    "the database is unavailable; nothing was changed, retry shortly",
                    retry_after=DATABASE_RETRY_AFTER_S,
                ),
                status_code=503,
                headers={"Retry-After": str(DATABASE_RETRY_AFTER_S)},
            )
        # The text and traceback go to the log only: they name files, hosts and internals.
        log.error("unhandled error", exc_info=exc)
        return JSONResponse(error_body("internal_error", "internal error"), status_code=500)


def _allowed_methods(request: Request) -> list[str]:
    """Every method the path is served with (RFC 9110: a 405 lists them in `Allow`). Starlette
    names only the methods of the first route whose path matched, and a path served by two
    routes (GET and PUT /pipeline) would seem to allow one.

    A path that a route names literally is that route's alone, as OpenAPI matches paths:
    /media/purposes is not a /media/{media_id}, though the template matches it, so that
    template's DELETE is not advertised there (Schemathesis compares `Allow` with the methods
    the OpenAPI documents for the path, and failed on it). Templates count only where no
    literal route has the path."""
    literal: set[str] | None = None  # None: no route names this path literally
    templated: set[str] = set()
    for context in iter_route_contexts(request.app.routes):
        matched, _ = context.route.matches(request.scope)
        if matched is Match.NONE:
            continue
        methods = context.methods or ()
        # A route that takes no path parameter has an empty table of them; a route kind
        # without the table (none today) is counted as a template, the weaker claim.
        if getattr(context, "param_convertors", None) == {}:
            literal = (literal or set()) | set(methods)
        else:
            templated.update(methods)
    return sorted(templated if literal is None else literal)
