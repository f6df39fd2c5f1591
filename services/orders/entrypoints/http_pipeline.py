"""The pipeline as data: read it, publish a new version (directors and admins)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from contracts.roles import may
from plumbing.actor import CurrentActor
from plumbing.errors import Conflict, Forbidden, Invalid
from services.orders.application.pipelines import PipelineBusy
from services.orders.domain.pipeline import InvalidPipeline
from services.orders.entrypoints.deps import CoreDep

router = APIRouter()


@router.get("/pipeline")
async def get_pipeline(core: CoreDep) -> dict[str, Any]:
    return (await core.pipelines.current()).to_dict()


@router.put("/pipeline")
async def put_pipeline(body: dict[str, Any], actor: CurrentActor, core: CoreDep) -> dict[str, Any]:
    if not may(actor.role or "", "pipeline.edit"):
        raise Forbidden("only directors and admins change the pipeline")
    body.pop("version", None)
    try:
        # Stored and published (orders.PipelinePublished) in one transaction.
        pipeline = await core.pipelines.publish(body, actor)
    except InvalidPipeline as exc:
        raise Invalid(str(exc), code="invalid_pipeline") from None
    except PipelineBusy as exc:
        raise Conflict(str(exc), code="version_conflict") from None
    return pipeline.to_dict()
