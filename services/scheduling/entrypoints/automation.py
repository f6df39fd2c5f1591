"""HTTP routes for robots and stage limits (directors and admins)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError

from plumbing.actor import CurrentActor
from plumbing.errors import Invalid
from services.scheduling.domain.rules import Rule
from services.scheduling.entrypoints.deps import AutomationDep, require_role

router = APIRouter(prefix="/automation")
EDITORS = ("director", "admin")


@router.get("/rules")
async def rules(actor: CurrentActor, automation: AutomationDep) -> list[dict[str, Any]]:
    require_role(actor, *EDITORS)
    return await automation.rules()


@router.put("/rules/{rule_id}")
async def put_rule(
    rule_id: str, request: Request, actor: CurrentActor, automation: AutomationDep
) -> dict[str, Any]:
    require_role(actor, *EDITORS)
    try:
        body = await request.json()
    except ValueError:
        raise Invalid("body: not valid JSON", code="invalid_json") from None
    if not isinstance(body, dict):
        raise Invalid("body: expected an object", code="invalid_rule")
    # `version` (as GET returned it) is the expected version: a stale edit gets 409.
    expected = body.pop("version", None)
    if expected is not None and not isinstance(expected, int):
        raise Invalid("version: expected an integer", code="invalid_rule")
    if body.get("id", rule_id) != rule_id:
        raise Invalid("id: must match the path", code="invalid_rule")
    try:
        rule = Rule.model_validate({**body, "id": rule_id})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise Invalid(
            f"{where}: {first['msg']}",
            code="invalid_rule",
            errors=[{"loc": list(e["loc"]), "msg": e["msg"]} for e in exc.errors()],
        ) from None
    return await automation.put_rule(rule, actor, expected)


@router.get("/stage-limits")
async def stage_limits(actor: CurrentActor, automation: AutomationDep) -> dict[str, Any]:
    require_role(actor, "manager", *EDITORS)
    return {"limits": await automation.stage_limits()}


@router.put("/stage-limits")
async def put_stage_limits(
    body: dict[str, dict[str, float | None]], actor: CurrentActor, automation: AutomationDep
) -> dict[str, Any]:
    """`{"limits": {"measurement": 48, "contract": null}}`: null removes a stage's limit."""
    require_role(actor, *EDITORS)
    if set(body) != {"limits"}:
        raise Invalid('body: expected {"limits": {...}}', code="invalid_input")
    return {"limits": await automation.set_stage_limits(body["limits"])}
