"""GET/PUT /pipeline (API.md): the current pipeline version, as data. A restricted audience
is shown only the gate conditions it could act on (contracts/api/hidden.py); administration,
which edits it, the whole of it."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field

from contracts.api.audience import Shown, Views
from contracts.api.hidden import only_visible_conditions
from contracts.pipeline import PipelineDefinition


class GateConditionOut(Shown):
    code: str
    kind: str
    params: dict[str, str] = Field(default_factory=dict)
    message_ru: str
    message_en: str


class StageOut(Shown):
    key: str
    title_ru: str
    title_en: str
    limit_hours: float | None = None
    terminal: bool = False
    gate: list[GateConditionOut] = Field(default_factory=list)


class RestrictedStageOut(StageOut):
    gate: Annotated[list[GateConditionOut], BeforeValidator(only_visible_conditions)] = Field(
        default_factory=list
    )


class PipelineOut(Shown):
    version: int
    stages: list[StageOut]
    forward: dict[str, list[str]]


class RestrictedPipelineOut(PipelineOut):
    stages: list[RestrictedStageOut]  # type: ignore[assignment]


# An admin edits the pipeline (API.md: director, admin), so sees every condition it would
# otherwise drop on saving; a condition names what is needed (deal terms), never a value.
PIPELINE = Views.of(PipelineOut, RestrictedPipelineOut, administration=PipelineOut)


class VersionOpenOrders(Shown):
    version: int
    open_orders: int = Field(description="orders of this version in a non-terminal stage")


class OpenOrders(Shown):
    """GET /pipeline/open-orders: how many open orders follow each pipeline version (a count,
    no order named: what a new version leaves on the old ones, for its preview)."""

    versions: list[VersionOpenOrders]


OPEN_ORDERS = Views.of(OpenOrders)


class PipelineRequest(PipelineDefinition):
    """PUT /pipeline: a whole new version, the wire model every service follows. A `version`
    sent back from GET is ignored: the orders service numbers versions."""

    version: int | None = None
