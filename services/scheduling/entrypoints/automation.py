"""HTTP routes for robots (directors and admins). Stage limits are the pipeline's
(`limit_hours` of GET/PUT /pipeline), so there is no route for them here."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError

from plumbing.actor import CurrentActor
from plumbing.errors import Invalid
from services.scheduling.domain.rules import Rule
from services.scheduling.entrypoints.deps import AutomationDep, require

router = APIRouter(prefix="/automation")


@router.get("/rules")
async def rules(actor: CurrentActor, automation: AutomationDep) -> list[dict[str, Any]]:
    require(actor, "rules.read")
    return await automation.rules()


@router.put("/rules/{rule_id}")
async def put_rule(
    rule_id: str, request: Request, actor: CurrentActor, automation: AutomationDep
) -> dict[str, Any]:
    require(actor, "rules.edit")
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
