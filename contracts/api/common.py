"""Value types shared by the API models.

Times and ids pass through the gateway as the services wrote them (a model that parsed and
re-rendered them would change `+00:00` into `Z`, and bodies would differ from today's): they
are strings that declare their format to the OpenAPI.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, JsonValue

Timestamp = Annotated[str, Field(json_schema_extra={"format": "date-time"})]
Day = Annotated[str, Field(json_schema_extra={"format": "date"})]
Id = Annotated[str, Field(json_schema_extra={"format": "uuid"})]
# As Python writes a Decimal: "185000.00", or with an exponent for one given so ("1E+5").
Money = Annotated[
    str, Field(pattern=r"^-?\d+(\.\d+)?(E[+-]?\d+)?$", description="a decimal string")
]
# A JSON object whose shape another contract defines (an event's data, a rule's trigger):
# its schema is in contracts/schemas, not repeated here.
JsonObject = dict[str, JsonValue]
