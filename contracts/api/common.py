"""Value types shared by the API models.

Times and ids pass through the gateway as the services wrote them (a model that parsed and
re-rendered them would change `+00:00` into `Z`, and bodies would differ from today's): they
are strings that declare their format to the OpenAPI.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, JsonValue

Timestamp = Annotated[str, Field(json_schema_extra={"format": "date-time"})]
Day = Annotated[str, Field(json_schema_extra={"format": "date"})]
Id = Annotated[str, Field(json_schema_extra={"format": "uuid"})]
# As Python writes a Decimal: "185000.00", or with an exponent for one given so ("1E+5").
Money = Annotated[
    str, Field(pattern=r"^-?\d+(\.\d+)?(E[+-]?\d+)?$", description="a decimal string")
]
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def _rfc3339(value: Any) -> Any:
    """What the OpenAPI's `date-time` says: RFC 3339 text with its offset. Pydantic alone
    would also take a number (seconds since 1970) or another ISO 8601 form, so `0.5` would
    be accepted as a moment in 1970 while the description says it is not a time at all."""
    if isinstance(value, datetime):
        return value  # built in Python, not sent
    if not isinstance(value, str) or not _RFC3339.match(value):
        raise ValueError("expected a date-time as RFC 3339 text, e.g. 2025-03-03T09:00:00+03:00")
    return value


# A moment a client sends (a body field or a query parameter): RFC 3339 text with an offset.
When = Annotated[AwareDatetime, BeforeValidator(_rfc3339)]

_FULL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _full_date(value: Any) -> Any:
    """What `date` says: YYYY-MM-DD text (pydantic would also take a number of seconds)."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _FULL_DATE.match(value):
        raise ValueError("expected a date as YYYY-MM-DD text, e.g. 2025-03-03")
    return value


# A day a client sends: YYYY-MM-DD.
OnDay = Annotated[date, BeforeValidator(_full_date)]
# A report's bound: a moment, or a whole day (which the report reads in the company's time zone).
MomentOrDay = When | OnDay
# A JSON object whose shape another contract defines (an event's data, a rule's trigger):
# its schema is in contracts/schemas, not repeated here.
JsonObject = dict[str, JsonValue]


def _no_nul(schema: dict[str, Any]) -> None:
    """Every text of a request says it holds no NUL: the gateway refuses one (PostgreSQL
    cannot store it), so the OpenAPI should not invite it."""
    for node in schema.get("properties", {}).values():
        _mark(node)


def _mark(node: Any) -> None:
    if isinstance(node, list):
        for item in node:
            _mark(item)
    elif isinstance(node, dict):
        if node.get("type") == "string" and "enum" not in node and "const" not in node:
            node.setdefault("not", {"pattern": "\\x00"})
        for key in ("anyOf", "oneOf", "allOf", "items", "additionalProperties"):
            if key in node:
                _mark(node[key])


class Input(BaseModel):
    """Base of every request body: unknown keys are refused (a typo is not silently dropped),
    and the schema says what the gateway's body guard refuses besides."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_no_nul)
