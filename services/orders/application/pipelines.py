"""Pipeline versions: saved and published together, parsed once, cached (a stored version
never changes).

Every version is published once, whole, as `orders.PipelinePublished`: event N of the
`pipeline` stream is version N. A save appends it in the same transaction that stores the
version, with the expected version N-1, so two directors saving at once get two versions.
Versions stored before the event existed are published at start-up (`ensure_default`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from contracts.envelope import Actor, Envelope
from contracts.events import orders as ev
from contracts.events import registry
from contracts.pipeline import PipelineDefinition
from plumbing import correlation
from services.orders.application.ports import (
    PIPELINE_STREAM,
    DuplicateEvent,
    PipelineStore,
    WrongExpectedVersion,
)
from services.orders.domain.default_pipeline import DEFAULT_DEFINITION
from services.orders.domain.pipeline import Pipeline, check_new, pipeline_from_dict

# Names a version's event: the same id from every replica, so the store's unique event id
# backs the expected version (a version is published once, whoever gets there first).
EVENT_IDS = uuid.UUID("5f0c8a34-2b1e-4c77-9d3a-6e1f0b7a2c90")
MAX_TRIES = 10


class PipelineBusy(Exception):
    """Other saves kept taking the next version number; the caller may simply try again."""


def definition_of(pipeline: Pipeline) -> PipelineDefinition:
    """The wire form (contracts.pipeline) of a parsed version, without its number."""
    data = pipeline.to_dict()
    del data["version"]
    return PipelineDefinition.model_validate(data)


class Pipelines:
    def __init__(
        self, store: PipelineStore, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self.store = store
        self.clock = clock
        self._cache: dict[int, Pipeline] = {}

    async def ensure_default(self) -> None:
        """At start: version 1 exists, and every stored version is published (the upgrade
        from a release without PipelinePublished; a no-op once done)."""
        first = pipeline_from_dict(DEFAULT_DEFINITION, version=1)
        await self.store.seed(definition_of(first).model_dump(mode="json"))
        await self.publish_stored()

    async def current(self) -> Pipeline:
        return await self.get(await self.store.current())

    async def get(self, version: int) -> Pipeline:
        if version not in self._cache:
            definition = await self.store.get(version)
            self._cache[version] = pipeline_from_dict(definition, version)
        return self._cache[version]

    async def publish(self, definition: dict[str, Any], actor: Actor) -> Pipeline:
        """Validate, then store and publish as the next version (InvalidPipeline on a bad
        definition). What is stored is the wire form, so the table and the event agree."""
        parsed = pipeline_from_dict(definition, version=0)
        check_new(parsed)
        wire = definition_of(parsed)
        for _ in range(MAX_TRIES):
            version = await self.store.current() + 1
            try:
                await self.store.add(
                    version, wire.model_dump(mode="json"), self._event(version, wire, actor)
                )
            except WrongExpectedVersion:
                # Another save took this number (ours becomes the next), or a version is
                # stored but not yet published (an older replica saved it): publish, retry.
                await self.publish_stored()
                continue
            return await self.get(version)
        raise PipelineBusy("the pipeline is being changed by others right now; try again")

    async def publish_stored(self) -> list[int]:
        """Publish each stored version the stream lacks, oldest first; returns those this
        call published. Replicas starting together race here: the expected version lets
        one of them publish each version and the others skip it."""
        done = []
        first = await self.store.published() + 1
        for version in range(first, await self.store.current() + 1):
            wire = definition_of(await self.get(version))
            try:
                await self.store.publish(version, self._event(version, wire, Actor.system()))
            except (WrongExpectedVersion, DuplicateEvent):
                continue
            done.append(version)
        return done

    def _event(self, version: int, definition: PipelineDefinition, actor: Actor) -> Envelope:
        event = ev.PipelinePublished(version=version, definition=definition)
        name = registry.type_name(event)
        return Envelope(
            event_id=uuid.uuid5(EVENT_IDS, f"{PIPELINE_STREAM}:{version}"),
            type=name,
            schema_version=registry.current_version(name),
            stream_id=PIPELINE_STREAM,
            stream_version=version,
            occurred_at=self.clock(),
            actor=actor,
            correlation_id=correlation.get_or_new(),
            data=event.model_dump(mode="json"),
        )
