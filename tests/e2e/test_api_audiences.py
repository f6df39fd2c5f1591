"""Every GET route's answer, for every role, is exactly its audience's model of it: nothing
the model does not list (the body is unchanged by the audience's filter) and nothing the
OpenAPI does not declare (it validates as the declared, widest, model). Over the security
sweep's world, so commercial data, hidden files and hidden conditions are all there to leak.
"""

from __future__ import annotations

import uuid
from typing import Any, get_args, get_origin

import httpx
import pytest
from pydantic import BaseModel, TypeAdapter

from contracts.api import (
    board,
    cards,
    customers,
    history,
    imports,
    media,
    notifications,
    pipeline,
    push,
    reports,
    scheduling,
    users,
)
from contracts.api.audience import Views, audience_of
from deploy.local.stack import Stack
from tests.e2e import test_security_sweep as sweep
from tests.e2e.conftest import login
from tests.e2e.test_security_sweep import ROUTES, SKIPPED, World, build_world, requests_for

ALL_ROLES = ("manager", "director", "admin", "production", "measurer", "installer", "delivery")
# Routes that are no data of the API (probes, metrics) and carry no audience.
OPERATIONAL = {"/healthz", "/readyz", "/metrics"}
VIEWS: dict[str, Views] = {
    "/api/v1/me": users.ME,
    "/api/v1/users": users.USERS,
    "/api/v1/board": board.BOARD,
    "/api/v1/board/cards/{order_id}": board.BOARD_CARD,
    "/api/v1/customers": customers.CUSTOMERS,
    "/api/v1/customers/directory": customers.DIRECTORY,
    "/api/v1/customers/{phone}": customers.CUSTOMER_PAGE,
    "/api/v1/pipeline": pipeline.PIPELINE,
    "/api/v1/pipeline/open-orders": pipeline.OPEN_ORDERS,
    "/api/v1/orders/{order_id}": cards.CARD,
    "/api/v1/orders/{order_id}/as-of": cards.PAST_CARD,
    "/api/v1/orders/{order_id}/history": history.HISTORY,
    "/api/v1/orders/{order_id}/comments": history.COMMENTS,
    "/api/v1/orders/{order_id}/visits": scheduling.VISITS,
    "/api/v1/orders/{order_id}/media": media.ITEMS,
    "/api/v1/media/purposes": media.PURPOSES,
    "/api/v1/media/{media_id}": media.ITEM,
    "/api/v1/crew": scheduling.CREW,
    "/api/v1/crew/{member_id}/schedule": scheduling.SCHEDULE,
    "/api/v1/crew/calendar": scheduling.CALENDAR,
    "/api/v1/tasks": scheduling.TASKS,
    "/api/v1/automation/rules": scheduling.RULES,
    "/api/v1/automation/stage-limits": scheduling.LIMITS,
    "/api/v1/notifications": notifications.INBOX,
    "/api/v1/push/vapid-public-key": push.VAPID_KEY,
    "/api/v1/notifications/preferences": notifications.PREFERENCES,
    "/api/v1/notifications/deliveries": notifications.DELIVERIES,
    "/api/v1/reports/{name}": reports.REPORT,
    "/api/v1/reports/{name}/orders": reports.REPORT_ORDERS,
    "/api/v1/imports": imports.JOBS,
    "/api/v1/imports/{import_id}": imports.JOB,
}
CHECKED = [r for r in ROUTES if r not in SKIPPED and r not in OPERATIONAL]


@pytest.fixture(scope="module")
async def built(stack: Stack) -> tuple[World, dict[str, Any]]:
    """The sweep's world, built again under a tag of its own: the sweep's module builds one
    too in the same session, and its extra measurer's username comes from the tag."""
    ours = uuid.uuid4().hex[:6].upper()
    async with httpx.AsyncClient(base_url=stack.urls["gateway"], timeout=30) as api:
        spec: dict[str, Any] = (await api.get("/openapi.json")).json()
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(sweep, "TAG", ours)
            world = await build_world(api)
    # The sweep's fillers look the extra measurer up under the sweep's own tag.
    world.ids[f"measurer_{sweep.TAG.lower()}"] = world.ids[f"measurer_{ours.lower()}"]
    return world, spec


def test_every_data_route_has_its_audience_models() -> None:
    assert not [r for r in CHECKED if r not in VIEWS]


def _role_of(world: World, role: str) -> str:
    """requests_for fills path parameters from a role the world knows (ids of the role's own
    and of others); an office role asks with the manager's."""
    return role if role in world.ids else "manager"


def _paths(value: Any, at: str = "") -> set[str]:
    """Every key's path in a body (list items share theirs): what two bodies' shapes differ by."""
    if isinstance(value, dict):
        return {f"{at}.{k}" for k in value} | {
            p for k, v in value.items() for p in _paths(v, f"{at}.{k}")
        }
    if isinstance(value, list):
        return {p for v in value for p in _paths(v, f"{at}[]")}
    return set()


def _allowed(annotation: Any, at: str = "") -> set[str]:
    """The key paths a model lists; `<at>.*` where any key may follow (a dict keyed by data:
    stage keys, weekdays, an event's free-form data)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        out: set[str] = set()
        for name, info in annotation.model_fields.items():
            key = f"{at}.{info.alias or name}"
            out |= {key} | _allowed(info.annotation, key)
        return out
    if get_origin(annotation) is dict:
        return {f"{at}.*"}
    step = "[]" if get_origin(annotation) is list else ""
    return {p for arg in get_args(annotation) for p in _allowed(arg, at + step)}


def _listed(path: str, allowed: set[str]) -> bool:
    if path in allowed:
        return True
    return any(path.startswith(w[:-1]) for w in allowed if w.endswith(".*"))


@pytest.mark.parametrize("route", CHECKED)
@pytest.mark.parametrize("role", ALL_ROLES)
async def test_each_answer_is_its_audiences_model_of_it(
    stack: Stack, built: tuple[World, dict[str, Any]], role: str, route: str
) -> None:
    world, openapi = built
    views = VIEWS[route]
    audience = audience_of(role)
    allowed = _allowed(getattr(views, audience))
    declared: TypeAdapter[Any] = TypeAdapter(views.declared)
    wrong: list[str] = []
    async with httpx.AsyncClient(base_url=stack.urls["gateway"], timeout=30) as api:
        head = world.heads.get(role) or await login(api, role)
        spec = openapi["paths"].get(route, {})
        for url, query in requests_for(world, _role_of(world, role), route, spec):
            reply = await api.get(url, headers=head, params=query)
            where = f"GET {url}?{httpx.QueryParams(query)} -> {reply.status_code}"
            if reply.status_code >= 500:
                wrong.append(f"{where}: server error")
            if reply.status_code != 200 or "json" not in reply.headers.get("content-type", ""):
                continue
            body = reply.json()
            beyond = sorted(p for p in _paths(body) if not _listed(p, allowed))
            if beyond:
                wrong.append(f"{where}: beyond the {audience} model: {beyond[:10]}")
            declared.validate_python(body)  # raises: not what the OpenAPI declares
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "comments", {}),  # no text
        ("POST", "comments", {"text": "x", "notify": ["manager"]}),  # a field of the gateway's
        ("POST", "media", {"kind": "photo", "purpose": "nothing"}),
        ("GET", "history", None),
    ],
)
async def test_an_order_the_caller_may_not_see_is_404_whatever_the_body(
    stack: Stack, built: tuple[World, dict[str, Any]], method: str, path: str, body: Any
) -> None:
    """Access is decided before the body is validated: a 422 would not name the order, but a
    404 is what every other request about it gets."""
    world, _ = built
    async with httpx.AsyncClient(base_url=stack.urls["gateway"], timeout=30) as api:
        reply = await api.request(
            method,
            f"/api/v1/orders/{world.foreign}/{path}",
            headers=world.heads["measurer"],
            json=body,
        )
    assert reply.status_code == 404, reply.text
