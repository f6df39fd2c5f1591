"""The pipeline on the wire (DOMAIN.md).

Stages are data: the orders service owns versioned pipelines and publishes each version once,
whole, as `orders.PipelinePublished` (`PipelineDefinition` below). Every other service keeps
the versions it has heard of and follows each order's `pipeline_version` for its columns,
titles, limits and robots; none of them names the stages in code.
"""

from __future__ import annotations

from typing import Final

from pydantic import BaseModel, ConfigDict, Field, StrictBool

PRODUCTION: Final = "production"
CANCELLED: Final = "cancelled"


class GateCondition(BaseModel):
    """One requirement to leave a stage: a known `kind` with parameters, under a code."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    kind: str
    params: dict[str, str] = Field(default_factory=dict)
    message_ru: str
    message_en: str


class StageDefinition(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str
    title_ru: str
    title_en: str
    # How long an order may stay before it is overdue; None: no limit.
    limit_hours: float | None = None
    terminal: StrictBool = False
    gate: list[GateCondition] = Field(default_factory=list)


class PipelineDefinition(BaseModel):
    """Stages in board order, and the forward moves allowed from each."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    stages: list[StageDefinition]
    forward: dict[str, list[str]]

    def stage(self, key: str) -> StageDefinition | None:
        return next((s for s in self.stages if s.key == key), None)

    def keys(self) -> list[str]:
        return [s.key for s in self.stages]

    def production_sees(self, key: str) -> bool:
        """DOMAIN.md, Roles: production sees orders in `production` and later — in this
        pipeline's order, so a stage added after production (varnishing) is theirs too;
        never a cancelled order."""
        keys = self.keys()
        if PRODUCTION not in keys or key not in keys or key == CANCELLED:
            return False
        return keys.index(key) >= keys.index(PRODUCTION)

    def title(self, key: str, lang: str = "ru") -> str:
        found = self.stage(key)
        if found is None:
            return key
        return found.title_ru if lang == "ru" else found.title_en
