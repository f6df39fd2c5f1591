"""The error body of every refusal (API.md): `{"detail", "code", ...}`, and the OpenAPI
`responses=` a route declares with it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue


class ErrorBody(BaseModel):
    """Some refusals carry more: `unmet` (gate_unmet), `conflicts` (slot_taken), `errors`
    (invalid_input), `retry_after` (a busy service), `not_notified`."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"additionalProperties": True})

    detail: str = Field(description="a human message")
    code: str = Field(description="a stable machine code")


class UnmetCondition(BaseModel):
    model_config = ConfigDict(extra="allow")

    code: str
    message: str


class ConflictBody(ErrorBody):
    """409: version_conflict, transition_not_allowed, gate_unmet (with every unmet
    condition the caller may be told of), slot_taken (with the conflicting bookings)."""

    unmet: list[UnmetCondition] | None = None
    conflicts: list[dict[str, JsonValue]] | None = None


_WHY = {
    400: "malformed request",
    401: "not authenticated",
    403: "the caller may see the object but not do this",
    404: "unknown, or not visible to the caller's role",
    409: "conflict or unmet gate",
    413: "too large",
    422: "invalid input",
    429: "too many attempts",
    502: "a service failed",
    503: "a dependency is unavailable; retry after Retry-After",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: each status with the error model. 401 and 503 come with
    every authenticated route, 422 with every route that takes input."""
    return {
        s: {"model": ConflictBody if s == 409 else ErrorBody, "description": _WHY[s]}
        for s in sorted(set(statuses))
    }
