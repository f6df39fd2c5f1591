"""The gateway's OpenAPI is what a web client is generated from: every operation says what it
takes and returns (a named model, no untyped body, no schema that allows anything but where
another contract defines the shape), and what it refuses with (the API's error body)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest

from gateway.bootstrap import Settings, build

# Commands that take no body: the path says it all.
BODYLESS = {
    ("post", "/api/v1/orders/{order_id}/production/finished"),
    ("post", "/api/v1/media/{media_id}/complete"),
    ("post", "/api/v1/notifications/{notification_id}/read"),
    ("post", "/api/v1/telegram/link-code"),  # for the caller, who is the input
    ("delete", "/api/v1/media/{media_id}"),
    ("post", "/api/v1/auth/refresh"),  # the refresh cookie is the input
    ("post", "/api/v1/auth/logout"),
}
# Free-form JSON (an empty schema) only where another contract defines the shape: an event's
# data (contracts/schemas), a robot's conditions and actions (the scheduling rule model), the
# bookings a slot_taken refusal names (the scheduling service's).
FREE_FORM = {"HistoryEntry.data", "Rule.conditions", "Rule.actions", "RuleRequest.conditions"}
FREE_FORM |= {"RuleRequest.actions", "ConflictBody.conflicts"}


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    schema: dict[str, Any] = build(Settings(jwt_secret=secrets.token_urlsafe(48))).openapi()
    return schema


def operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            yield method, path, op


def test_every_operation_names_what_it_returns(spec: dict[str, Any]) -> None:
    untyped = []
    for method, path, op in operations(spec):
        ok = {code: r for code, r in op["responses"].items() if code.startswith("2")}
        schemas = [c.get("schema") for r in ok.values() for c in (r.get("content") or {}).values()]
        if not schemas or not all(schemas):
            untyped.append(f"{method.upper()} {path}")
    assert not untyped


def test_every_command_with_a_body_names_its_model(spec: dict[str, Any]) -> None:
    untyped = []
    for method, path, op in operations(spec):
        if method not in ("post", "put", "patch", "delete") or (method, path) in BODYLESS:
            continue
        content: dict[str, Any] = op.get("requestBody", {}).get("content", {})
        body: dict[str, Any] = next(iter(content.values()), {})
        schema: dict[str, Any] = body.get("schema", {})
        # An optional body is the model or nothing; some bodies are one of several models.
        refs = [schema, *schema.get("anyOf", []), *schema.get("oneOf", [])]
        if not any("$ref" in r for r in refs):
            untyped.append(f"{method.upper()} {path}")
    assert not untyped


def test_every_operation_declares_its_refusals_with_the_error_body(spec: dict[str, Any]) -> None:
    missing = []
    for method, path, op in operations(spec):
        refusals = {c: r for c, r in op["responses"].items() if c[0] in "45"}
        refs = {
            c.get("schema", {}).get("$ref", "")
            for r in refusals.values()
            for c in (r.get("content") or {}).values()
        }
        if not refusals or not all(r.endswith(("/ErrorBody", "/ConflictBody")) for r in refs):
            missing.append(f"{method.upper()} {path}")
    assert not missing
    assert "HTTPValidationError" not in spec["components"]["schemas"]


def _anything(schema: Any, at: str) -> Iterator[str]:
    """Where a schema allows any JSON value: `{}`, or an object of such values."""
    if not isinstance(schema, dict):
        return
    if schema in ({}, {"$ref": "#/components/schemas/JsonValue"}):
        yield at
        return
    for key, value in schema.items():
        if key == "properties":
            for name, sub in value.items():
                yield from _anything(sub, f"{at}.{name}")
        elif key in ("items", "additionalProperties", "anyOf", "oneOf", "allOf"):
            subs = value if isinstance(value, list) else [value]
            for sub in subs:
                yield from _anything(sub, at)


def test_free_form_json_only_where_another_contract_defines_it(spec: dict[str, Any]) -> None:
    found = set()
    for name, schema in spec["components"]["schemas"].items():
        if name != "JsonValue":
            found |= set(_anything(schema, name))
    assert found <= FREE_FORM, found - FREE_FORM


def test_every_route_declares_the_refusals_every_route_of_its_kind_can_give(
    spec: dict[str, Any],
) -> None:
    """401 for every signed-in route (all but login); 413 and 422 for every body."""
    missing = []
    for method, path, op in operations(spec):
        wanted = set() if path == "/api/v1/auth/token" else {"401"}
        if "requestBody" in op and path != "/api/v1/auth/token":
            wanted |= {"413", "422"}
        missing += [f"{method.upper()} {path}: {s}" for s in sorted(wanted - set(op["responses"]))]
    assert not missing
