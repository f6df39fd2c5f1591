"""What the internet sees when something fails (issue 11): readiness says which check failed
and roughly how, never an exception's text; a 500 never echoes one; input a service cannot
take (NUL, lone surrogates, deep nesting) is refused at the door with a 4xx."""

from __future__ import annotations

import json
import logging
import secrets
from typing import Any
from uuid import uuid4

import httpx
import pytest
from fastapi import FastAPI, HTTPException, Request

from gateway.adapters.upstream import Upstreams
from gateway.bootstrap import Settings, build
from gateway.entrypoints.bodies import MAX_DEPTH, json_body
from plumbing.app import CheckFailed, Runtime, create_app
from tests.actors import KEY

SECRET_TEXT = "postgresql://oms:hunter2@10.1.2.3:5432/oms /srv/app/plumbing/db.py"


async def get(app: FastAPI, path: str, **kwargs: Any) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.request(kwargs.pop("method", "GET"), path, **kwargs)


async def test_readiness_names_the_failing_check_but_not_its_exception(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def broken() -> None:
        raise ConnectionRefusedError(SECRET_TEXT)

    async def refused() -> None:
        raise CheckFailed("unreachable")

    async def fine() -> None:
        return None

    app = create_app("errors-test", Runtime(checks={"db": broken, "svc": refused, "ok": fine}))
    with caplog.at_level(logging.WARNING):
        reply = await get(app, "/readyz")

    assert reply.status_code == 503
    body = reply.json()
    assert body["ready"] is False
    assert body["checks"] == {
        "db": "failing: unavailable",
        "svc": "failing: unreachable",
        "ok": "ok",
    }
    assert "hunter2" not in reply.text
    assert "blocked_partitions" in body  # the structured fields stay
    assert "hunter2" in caplog.text, "the detail belongs in the log"


def upstreams(answer: httpx.Response | Exception) -> Upstreams:
    def reply(request: httpx.Request) -> httpx.Response:
        if isinstance(answer, Exception):
            raise answer
        return answer

    return Upstreams({"orders": "http://10.1.2.3:8081"}, KEY, transport=httpx.MockTransport(reply))


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (httpx.ConnectError("[Errno 111] refused by 10.1.2.3:8081"), "unreachable"),
        (httpx.ReadTimeout("read timed out from 10.1.2.3:8081"), "timed out"),
        (httpx.Response(503, text=SECRET_TEXT), "answered 503"),
    ],
    ids=["refused", "timeout", "503"],
)
async def test_the_gateway_reports_a_service_down_without_its_address(
    answer: httpx.Response | Exception, reason: str
) -> None:
    services = upstreams(answer)
    app = create_app("gateway-test", Runtime(checks={"orders": services.checker("orders")}))
    reply = await get(app, "/readyz")
    assert reply.json()["checks"] == {"orders": f"failing: {reason}"}
    assert "10.1.2.3" not in reply.text
    assert "hunter2" not in reply.text


def failing_app() -> FastAPI:
    app = create_app("errors-test", Runtime())

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError(SECRET_TEXT)

    @app.get("/http-500")
    async def http_500() -> None:
        raise HTTPException(500, detail=SECRET_TEXT)

    @app.get("/search")
    async def search(q: str = "") -> dict[str, str]:
        return {"q": q}

    @app.post("/body")
    async def body(request: Request) -> dict[str, Any]:
        return {"body": await json_body(request)}

    return app


@pytest.mark.parametrize("path", ["/boom", "/http-500"])
async def test_a_500_never_echoes_the_exception(path: str) -> None:
    reply = await get(failing_app(), path)
    assert reply.status_code == 500
    assert reply.json() == {"detail": "internal error", "code": "internal_error"}


@pytest.mark.parametrize("target", ["/search?q=%00", "/search?q=a%00b", "/boom%00"])
async def test_a_nul_in_the_target_is_refused_before_any_route(target: str) -> None:
    reply = await get(failing_app(), target)
    assert reply.status_code == 422
    assert reply.json()["code"] == "invalid_input"


async def test_an_ordinary_query_passes() -> None:
    assert (await get(failing_app(), "/search?q=%D0%B4%D0%B2%D0%B5%D1%80%D1%8C")).json() == {
        "q": "дверь"
    }


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "invalid_json"),
        (b'{"a":' * 40_000 + b"1" + b"}" * 40_000, "invalid_json"),
        (b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1), "invalid_json"),
        (b'{"title": "\\ud800"}', "invalid_json"),
        (b'{"\\udfff": 1}', "invalid_json"),
        (b'{"text": "a\\u0000b"}', "invalid_input"),
        (b'{"x": [1, {"y": "\\u0000"}]}', "invalid_input"),
    ],
    ids=[
        "100k-arrays",
        "40k-objects",
        "over-max-depth",
        "surrogate",
        "surrogate-key",
        "nul",
        "deep-nul",
    ],
)
async def test_json_a_service_cannot_take_is_refused_at_the_door(content: bytes, code: str) -> None:
    reply = await get(failing_app(), "/body", method="POST", content=content)
    assert reply.status_code == 422, reply.text
    assert reply.json()["code"] == code


@pytest.mark.parametrize(
    "body",
    [
        {"title": "дверь 😀", "rooms": [{"name": "кухня", "width_mm": 800}]},
        [[[[{"a": "b"}]]]],
        "\ud83d\ude00 as an escaped pair",
    ],
)
async def test_ordinary_json_passes(body: object) -> None:
    reply = await get(failing_app(), "/body", method="POST", content=json.dumps(body).encode())
    assert reply.status_code == 200, reply.text
    assert reply.json() == {"body": json.loads(json.dumps(body))}


async def test_a_body_over_the_limit_is_refused_with_413() -> None:
    reply = await get(failing_app(), "/body", method="POST", content=b" " * (257 * 1024))
    assert reply.status_code == 413
    assert reply.json()["code"] == "too_large"


async def test_a_services_busy_answer_reaches_the_client_with_retry_after() -> None:
    busy = {"detail": "busy, retry", "code": "media_busy", "retry_after": 5}
    services = upstreams(httpx.Response(503, json=busy))
    app = create_app("busy-test", Runtime())

    @app.get("/through")
    async def through() -> object:
        return (await services.call("orders", "GET", "/x", None)).body

    reply = await get(app, "/through")
    assert reply.status_code == 503
    assert reply.json() == busy
    assert reply.headers["retry-after"] == "5"


async def test_any_other_service_failure_is_a_bare_502() -> None:
    services = upstreams(httpx.Response(503, text=SECRET_TEXT))
    app = create_app("fault-test", Runtime())

    @app.get("/through")
    async def through() -> object:
        return (await services.call("orders", "GET", "/x", None)).body

    reply = await get(app, "/through")
    assert reply.status_code == 502
    assert SECRET_TEXT not in reply.text


async def test_a_405_lists_every_method_the_path_is_served_with() -> None:
    app = create_app("allow-test", Runtime())

    @app.get("/thing")
    async def read() -> str:
        return "read"

    @app.put("/thing")
    async def write() -> str:
        return "written"

    reply = await get(app, "/thing", method="DELETE")
    assert reply.status_code == 405
    assert reply.json()["code"] == "method_not_allowed"
    assert reply.headers["allow"] == "GET, PUT"


async def test_a_literal_path_allows_only_its_own_routes_methods() -> None:
    """OpenAPI's path matching: /things/special is its own path, not a /things/{id}, though
    the template matches it (Starlette tries routes in order; the Allow header follows the
    description Schemathesis and clients read)."""
    app = create_app("allow-literal-test", Runtime())

    @app.get("/things/special")
    async def special() -> str:
        return "special"

    @app.get("/things/{thing_id}")
    async def read(thing_id: str) -> str:
        return thing_id

    @app.delete("/things/{thing_id}")
    async def remove(thing_id: str) -> None:
        return None

    literal = await get(app, "/things/special", method="OPTIONS")
    assert literal.status_code == 405
    assert literal.headers["allow"] == "GET"

    templated = await get(app, "/things/42", method="OPTIONS")
    assert templated.status_code == 405
    assert templated.headers["allow"] == "DELETE, GET"

    # The template would take the request (and refuse "special" as its id): the literal
    # path has no DELETE, so it is a 405 like any method the path lacks.
    shadowed = await get(app, "/things/special", method="DELETE")
    assert shadowed.status_code == 405
    assert shadowed.headers["allow"] == "GET"
    assert shadowed.json()["code"] == "method_not_allowed"
    assert (await get(app, "/things/special")).json() == "special"
    assert (await get(app, "/things/42", method="DELETE")).status_code == 200


GATEWAY_PATHS = [
    # Literal paths beside a template that matches them (/media/{media_id}, /crew/{member_id})
    # whose methods they do not have; then a template, and a literal served by two routes.
    ("/api/v1/media/purposes", "/api/v1/media/purposes", "GET"),
    ("/api/v1/crew/calendar", "/api/v1/crew/calendar", "GET"),
    ("/api/v1/media/{media_id}", f"/api/v1/media/{uuid4()}", "DELETE, GET"),
    ("/api/v1/pipeline", "/api/v1/pipeline", "GET, PUT"),
]


@pytest.mark.parametrize(("documented", "path", "allow"), GATEWAY_PATHS)
async def test_the_gateways_allow_header_names_the_methods_its_openapi_documents(
    documented: str, path: str, allow: str
) -> None:
    app = build(Settings(jwt_secret=secrets.token_urlsafe(48)))
    reply = await get(app, path, method="OPTIONS")
    assert reply.status_code == 405
    assert reply.headers["allow"] == allow
    assert allow == ", ".join(sorted(m.upper() for m in app.openapi()["paths"][documented]))
