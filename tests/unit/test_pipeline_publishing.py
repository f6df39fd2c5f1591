"""The orders service publishes every pipeline version once, whole, as orders.PipelinePublished
(event N of the `pipeline` stream is version N): on save, and at start-up for versions stored
before the event existed. Over the in-memory adapters (the PostgreSQL ones: tests/integration/
test_orders_pipeline_published.py); titles follow each order's own version."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from contracts.envelope import Actor
from contracts.events import orders as ev
from contracts.events import registry
from services.orders.adapters.memory_event_store import MemoryEventStore
from services.orders.adapters.pipeline_store import MemoryPipelineStore
from services.orders.application.pipelines import Pipelines, definition_of
from services.orders.application.ports import PIPELINE_STREAM
from services.orders.domain.default_pipeline import default_pipeline
from services.orders.domain.history import summarize
from services.orders.domain.pipeline import InvalidPipeline, pipeline_from_dict
from services.orders.entrypoints.views import card
from tests import pipeline_versions as versions
from tests.unit.orders_scenario import PRODUCED, given, moved

DIRECTOR = Actor(kind="user", id="d-1", username="director", role="director")


def version_1() -> dict[str, Any]:
    return versions.default_pipeline().model_dump(mode="json")


def with_varnishing() -> dict[str, Any]:
    """The body of PUT /pipeline for version 1 plus varnishing."""
    return versions.with_varnishing().model_dump(mode="json")


def without_rework() -> dict[str, Any]:
    return versions.without_rework().model_dump(mode="json")


async def published(store: MemoryPipelineStore) -> list[ev.PipelinePublished]:
    stream = await store.events.read_stream(PIPELINE_STREAM)
    assert [s.envelope.stream_version for s in stream] == list(range(1, len(stream) + 1))
    events = []
    for stored in stream:
        event = registry.decode(stored.envelope)
        assert isinstance(event, ev.PipelinePublished)
        events.append(event)
    return events


class Interleaving(MemoryPipelineStore):
    """Yields to other tasks where the PostgreSQL store waits on the server, so concurrent
    saves and start-ups really read the same numbers and race for them."""

    async def current(self) -> int:
        await asyncio.sleep(0)
        return await super().current()

    async def published(self) -> int:
        await asyncio.sleep(0)
        return await super().published()


async def started(store: MemoryPipelineStore) -> Pipelines:
    pipelines = Pipelines(store)
    await pipelines.ensure_default()
    return pipelines


async def test_a_fresh_start_publishes_version_1_whole() -> None:
    store = MemoryPipelineStore()
    await started(store)
    [event] = await published(store)
    assert event.version == 1
    assert event.definition == definition_of(default_pipeline())
    [stored] = await store.events.read_stream(PIPELINE_STREAM)
    assert stored.envelope.actor == Actor.system()


async def test_a_saved_version_is_stored_and_published_as_event_n() -> None:
    store = MemoryPipelineStore()
    pipelines = await started(store)
    saved = await pipelines.publish(with_varnishing(), DIRECTOR)
    assert saved.version == 2
    assert await store.current() == 2
    events = await published(store)
    assert [e.version for e in events] == [1, 2]
    assert events[1].definition.keys()[3:6] == ["production", "varnishing", "shipment_prep"]
    assert events[1].definition.title("varnishing") == "Лакировка"
    # The table holds exactly what was published, so a restart reads the same version.
    assert await store.get(2) == events[1].definition.model_dump(mode="json")
    stream = await store.events.read_stream(PIPELINE_STREAM)
    assert stream[1].envelope.actor == DIRECTOR


async def test_a_refused_definition_is_neither_stored_nor_published() -> None:
    store = MemoryPipelineStore()
    pipelines = await started(store)
    bad = {**version_1(), "forward": {"intake": ["nowhere"]}}
    with pytest.raises(InvalidPipeline):
        await pipelines.publish(bad, DIRECTOR)
    starts_elsewhere = version_1()
    starts_elsewhere["stages"] = starts_elsewhere["stages"][1:]
    starts_elsewhere["forward"].pop("intake")
    with pytest.raises(InvalidPipeline, match="first stage must be 'intake'"):
        await pipelines.publish(starts_elsewhere, DIRECTOR)
    assert await store.current() == 1
    assert len(await published(store)) == 1


async def test_versions_stored_before_the_event_existed_are_published_once_at_start() -> None:
    store = MemoryPipelineStore()
    # What the previous release left: versions in the table, no stream.
    store.versions = {1: version_1(), 2: with_varnishing(), 3: without_rework()}
    pipelines = await started(store)
    assert [e.version for e in await published(store)] == [1, 2, 3]
    assert (await published(store))[2].definition.stage("rework") is None
    # A restart (or another replica later) finds nothing left to publish.
    assert await (await started(store)).publish_stored() == []
    assert len(await published(store)) == 3
    assert (await pipelines.current()).version == 3


async def test_replicas_starting_together_publish_each_version_once() -> None:
    store = Interleaving()
    store.versions = {1: version_1(), 2: with_varnishing()}
    replicas = [Pipelines(store) for _ in range(4)]
    done = await asyncio.gather(*(r.publish_stored() for r in replicas))
    assert sorted(v for versions in done for v in versions) == [1, 2]
    assert [e.version for e in await published(store)] == [1, 2]


async def test_directors_saving_at_once_get_one_version_each() -> None:
    store = Interleaving(MemoryEventStore())
    replicas = [await started(store) for _ in range(2)]
    saves = [with_varnishing(), without_rework(), version_1(), with_varnishing()]
    saved = await asyncio.gather(
        *(replicas[i % 2].publish(d, DIRECTOR) for i, d in enumerate(saves))
    )
    assert sorted(p.version for p in saved) == [2, 3, 4, 5]
    events = await published(store)
    assert [e.version for e in events] == [1, 2, 3, 4, 5]
    for pipeline in saved:  # each save's own definition went out under its own number
        assert events[pipeline.version - 1].definition == definition_of(pipeline)


async def test_a_save_publishes_a_version_an_older_replica_stored_without_its_event() -> None:
    store = MemoryPipelineStore()
    pipelines = await started(store)
    store.versions[2] = without_rework()  # a replica of the previous release saved it
    saved = await pipelines.publish(with_varnishing(), DIRECTOR)
    assert saved.version == 3
    assert [e.version for e in await published(store)] == [1, 2, 3]


# --- titles follow the order's own version ----------------------------------------------


def test_the_card_and_history_name_a_stage_of_the_orders_version() -> None:
    v2 = pipeline_from_dict(with_varnishing(), version=2)
    order = given(*PRODUCED, moved("production", "varnishing")).state()
    shown = card(order, v2)
    assert shown["stage_title"] == "Лакировка"
    assert shown["next_stages"] == ["shipment_prep"]
    assert card(order, v2, "en")["stage_title"] == "Varnishing"
    assert summarize(moved("production", "varnishing"), v2) == "Переход: Производство → Лакировка"
    assert summarize(moved("varnishing", "shipment_prep"), v2, "en") == (
        "Moved: Varnishing → Shipment preparation"
    )


def test_an_order_on_version_1_keeps_its_titles() -> None:
    v1 = default_pipeline()
    order = given(*PRODUCED).state()
    assert card(order, v1)["stage_title"] == "Производство"
    assert card(order, v1)["next_stages"] == ["shipment_prep"]
    # A stage its version does not have is named by its key, never by another version's title.
    assert summarize(moved("production", "varnishing"), v1) == "Переход: Производство → varnishing"
