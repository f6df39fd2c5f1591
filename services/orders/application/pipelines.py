"""Pipeline versions: parsed once, cached (a version never changes once stored)."""

from __future__ import annotations

from typing import Any

from services.orders.application.ports import PipelineStore
from services.orders.domain.default_pipeline import DEFAULT_DEFINITION
from services.orders.domain.pipeline import Pipeline, pipeline_from_dict


class Pipelines:
    def __init__(self, store: PipelineStore) -> None:
        self.store = store
        self._cache: dict[int, Pipeline] = {}

    async def ensure_default(self) -> None:
        await self.store.seed(DEFAULT_DEFINITION)

    async def current(self) -> Pipeline:
        return await self.get(await self.store.current())

    async def get(self, version: int) -> Pipeline:
        if version not in self._cache:
            definition = await self.store.get(version)
            self._cache[version] = pipeline_from_dict(definition, version)
        return self._cache[version]

    async def publish(self, definition: dict[str, Any], actor_id: str | None) -> Pipeline:
        """Validate, then store as the next version (InvalidPipeline on a bad definition)."""
        pipeline_from_dict(definition, version=0)
        version = await self.store.add(definition, actor_id)
        return await self.get(version)
