"""The scheduling domain's refusals carry no HTTP status; the entrypoints map their codes in
one table (entrypoints/errors.py) to the API's shape: `{"detail", "code", ...}` with a status."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path
from typing import get_args
from uuid import uuid4

import httpx
from fastapi import FastAPI

import services.scheduling.domain
from plumbing.app import Runtime, create_app
from services.scheduling.domain.calendar import check_booking
from services.scheduling.domain.crew import CrewMember
from services.scheduling.domain.errors import Code, SchedulingRefusal
from services.scheduling.entrypoints import errors as mapping

DOMAIN = Path(services.scheduling.domain.__file__).parent


def test_every_code_of_the_domain_has_a_status_in_the_table() -> None:
    assert set(mapping.STATUS) == set(get_args(Code))


def test_every_code_the_domain_raises_is_a_code_it_declares() -> None:
    """mypy checks the `code=` of every refusal against `Code`; this is the same, read from
    the sources, so a refusal raised with a computed code would show here too."""
    raised = set()
    for path in DOMAIN.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and ast.unparse(node.func) == "SchedulingRefusal":
                (code,) = [k.value for k in node.keywords if k.arg == "code"]
                assert isinstance(code, ast.Constant), ast.unparse(node)
                raised.add(code.value)
    assert raised == set(get_args(Code))


def test_the_domain_modules_know_nothing_of_http() -> None:
    for path in DOMAIN.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
            elif isinstance(node, ast.Import):
                names = {a.name for a in node.names}
            else:
                continue
            assert "plumbing.errors" not in names, path
            assert not {n for n in names if n.split(".")[0] in {"fastapi", "starlette"}}, path
    assert not hasattr(SchedulingRefusal, "status")


def refusing(refusal: Exception) -> FastAPI:
    app = create_app("scheduling-test", Runtime())

    @app.post("/refuse")
    async def refuse() -> None:
        raise refusal

    mapping.install(app)
    return app


async def answer(refusal: Exception) -> httpx.Response:
    transport = httpx.ASGITransport(app=refusing(refusal), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://scheduling") as client:
        return await client.post("/refuse")


async def test_a_visit_for_the_wrong_role_is_a_422_naming_the_role_it_needs() -> None:
    installer = CrewMember(id=str(uuid4()), username="ivan", display_name="Иван", role="installer")
    start = datetime(2026, 12, 1, 8, tzinfo=UTC)
    try:
        check_booking(installer, "measurement", start, start.replace(hour=9))
    except SchedulingRefusal as refused:
        reply = await answer(refused)
    assert reply.status_code == 422
    assert reply.json() == {
        "detail": "a measurement visit needs a measurer, not a installer",
        "code": "wrong_role",
        "expected_role": "measurer",
    }
