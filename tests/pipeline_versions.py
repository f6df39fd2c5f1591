"""Pipeline versions as the orders service publishes them (`orders.PipelinePublished`), for
tests of the services that follow each order's version: version 1 (the golden fixture, the
default pipeline), a version with `varnishing` between production and shipment_prep, and one
without `rework`."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

from contracts.envelope import Actor, Envelope
from contracts.pipeline import PipelineDefinition, StageDefinition

FIXTURE = (
    Path(__file__).resolve().parents[1] / "contracts/fixtures/orders.PipelinePublished.v1.json"
)
VARNISHING = StageDefinition(
    key="varnishing", title_ru="Лакировка", title_en="Varnishing", limit_hours=24
)


def default_pipeline() -> PipelineDefinition:
    data = json.loads(FIXTURE.read_text())["data"]["definition"]
    return PipelineDefinition.model_validate(data)


def with_varnishing(limit_hours: float | None = 24) -> PipelineDefinition:
    """Version 1 with `varnishing` after production: production → varnishing → shipment_prep."""
    base = default_pipeline()
    stages = list(base.stages)
    at = base.keys().index("production") + 1
    stages.insert(at, VARNISHING.model_copy(update={"limit_hours": limit_hours}))
    forward = {**base.forward, "production": ["varnishing"], "varnishing": ["shipment_prep"]}
    return PipelineDefinition(stages=stages, forward=forward)


def without_rework() -> PipelineDefinition:
    """Version 1 with no `rework`: installation leads to closed only."""
    base = default_pipeline()
    forward = {k: [t for t in v if t != "rework"] for k, v in base.forward.items() if k != "rework"}
    return PipelineDefinition(stages=[s for s in base.stages if s.key != "rework"], forward=forward)


def published(version: int, definition: PipelineDefinition) -> Envelope:
    """What the orders service writes for a version: stream `pipeline`, event N is version N."""
    return Envelope(
        event_id=uuid.uuid4(),
        type="orders.PipelinePublished",
        schema_version=1,
        stream_id="pipeline",
        stream_version=version,
        occurred_at=datetime.now(UTC),
        actor=Actor.system(),
        correlation_id=str(uuid.uuid4()),
        data={"version": version, "definition": definition.model_dump(mode="json")},
    )
