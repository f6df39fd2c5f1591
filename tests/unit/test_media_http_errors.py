"""The media service's refusals carry no HTTP status; the entrypoints map their kinds in one
table (entrypoints/errors.py) to the API's shape: `{"detail", "code", ...}` with a status."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path
from types import ModuleType

import httpx
import pytest
from fastapi import FastAPI

import services.media
from plumbing.app import Runtime, create_app
from services.media.application.work import Busy
from services.media.domain import errors
from services.media.domain.pixels import over_budget
from services.media.domain.purposes import PurposePolicy
from services.media.entrypoints import errors as mapping

MEDIA = Path(services.media.__file__).parent


def modules() -> list[ModuleType]:
    """Every module of the service (not `__main__`, which would start it), so every kind of
    refusal is defined when the test looks for them."""
    found = pkgutil.walk_packages([str(MEDIA)], "services.media.")
    return [importlib.import_module(m.name) for m in found if not m.name.endswith("__main__")]


def kinds(root: type[errors.MediaRefusal]) -> set[type[errors.MediaRefusal]]:
    found = set()
    for sub in root.__subclasses__():
        found |= {sub, *kinds(sub)}
    return found


def test_every_kind_of_refusal_has_a_status_in_the_table() -> None:
    modules()
    every = kinds(errors.MediaRefusal)
    assert len(every) > 10  # the rules', the verifier's, the pixel budget's, busy
    for kind in every:
        assert any(k in mapping.STATUS for k in kind.__mro__), kind


def test_no_refusal_is_raised_without_a_kind() -> None:
    for module in modules():
        tree = ast.parse(Path(str(module.__file__)).read_text(encoding="utf-8"))
        called = {ast.unparse(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
        assert not called & {"MediaRefusal", "errors.MediaRefusal", "e.MediaRefusal"}, module


def imported(path: Path) -> set[str]:
    """Every module a source file imports, `from plumbing import errors` as plumbing.errors."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names |= {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
    return names


@pytest.mark.parametrize("layer", ["domain", "application"])
def test_domain_and_application_know_nothing_of_http(layer: str) -> None:
    for path in (MEDIA / layer).glob("*.py"):
        http = {m for m in imported(path) if m.split(".")[0] in {"fastapi", "starlette"}}
        assert not http | ({"plumbing.errors"} & imported(path)), path
    assert not hasattr(errors.Unacceptable, "status")


def refusing(refusal: Exception) -> FastAPI:
    app = create_app("media-test", Runtime())

    @app.post("/refuse")
    async def refuse() -> None:
        raise refusal

    mapping.install(app)
    return app


async def answer(refusal: Exception) -> httpx.Response:
    transport = httpx.ASGITransport(app=refusing(refusal), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://media") as client:
        return await client.post("/refuse")


async def test_a_refused_purpose_is_a_403_naming_the_purpose_and_role() -> None:
    try:
        PurposePolicy().check("measurer", "photo", "installation")
    except errors.MediaRefusal as refused:
        reply = await answer(refused)
    assert reply.status_code == 403
    assert reply.json() == {
        "detail": "role measurer may not attach a photo with purpose 'installation'; "
        "allowed for measurer: measurement",
        "code": "purpose_not_allowed",
        "purpose": "installation",
        "role": "measurer",
    }


async def test_statuses_and_bodies_are_the_apis() -> None:
    bomb = await answer(over_budget(50_000_000, 400_000_000, "20000x20000 pixels"))
    assert bomb.status_code == 422
    assert bomb.json()["code"] == "too_many_pixels"
    assert (bomb.json()["pixels"], bomb.json()["max_pixels"]) == (400_000_000, 50_000_000)
    big = await answer(errors.TooBig("a photo may be at most 1 bytes; declared 2"))
    assert (big.status_code, big.json()["code"]) == (413, "too_large")
    gone = await answer(errors.MediaNotFound("media x not found"))
    assert (gone.status_code, gone.json()["code"]) == (404, "not_found")
    used = await answer(errors.WrongState("reused", code="client_key_reused"))
    assert (used.status_code, used.json()["code"]) == (409, "client_key_reused")


async def test_busy_is_a_503_that_says_when_to_come_back() -> None:
    busy = await answer(Busy("busy; complete this one again in 5 seconds", retry_after=5))
    assert busy.status_code == 503
    assert busy.headers["Retry-After"] == "5"
    assert busy.json()["code"] == "media_busy"
