"""Golden fixtures per event schema version: they load, round-trip and upcast."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contracts.envelope import Envelope
from contracts.events import registry
from contracts.events.orders import OrderCreated
from contracts.export import main as export_main
from contracts.pipeline import PipelineDefinition, StageDefinition
from contracts.topics import ALL_TOPICS, partition_key, topic_for

FIXTURES = Path(registry.__file__).parents[1] / "fixtures"
VERSIONS = [
    (name, version)
    for name, et in sorted(registry.EVENT_TYPES.items())
    for version in sorted(et.versions)
]


def load(name: str, version: int) -> dict[str, object]:
    data: dict[str, object] = json.loads((FIXTURES / f"{name}.v{version}.json").read_text())
    return data


@pytest.mark.parametrize(("name", "version"), VERSIONS)
def test_every_schema_version_has_a_golden_fixture_that_validates(name: str, version: int) -> None:
    raw = load(name, version)
    envelope = Envelope.model_validate(raw)
    assert envelope.type == name
    assert envelope.schema_version == version
    registry.event_type(name).versions[version].model_validate(envelope.data)


@pytest.mark.parametrize(("name", "version"), VERSIONS)
def test_golden_fixture_round_trips_unchanged(name: str, version: int) -> None:
    raw = load(name, version)
    envelope = Envelope.model_validate(raw)
    assert json.loads(envelope.model_dump_json()) == raw
    model = registry.event_type(name).versions[version]
    assert model.model_validate(raw["data"]).model_dump(mode="json") == raw["data"]


@pytest.mark.parametrize(("name", "version"), VERSIONS)
def test_old_versions_upcast_to_the_current_model(name: str, version: int) -> None:
    envelope = Envelope.model_validate(load(name, version))
    current = registry.decode(envelope)
    assert type(current) is registry.event_type(name).versions[registry.current_version(name)]


def test_free_text_address_of_v1_survives_as_text_in_v2() -> None:
    event = registry.decode(Envelope.model_validate(load("orders.OrderCreated", 1)))
    assert isinstance(event, OrderCreated)
    assert event.customer.address.text == "Москва, ул. Лесная, д. 5, кв. 12"
    assert event.customer.address.city is None
    assert event.customer.address.one_line() == "Москва, ул. Лесная, д. 5, кв. 12"


def test_structured_address_reads_as_one_line() -> None:
    event = registry.decode(Envelope.model_validate(load("orders.OrderCreated", 2)))
    assert isinstance(event, OrderCreated)
    assert event.customer.address.one_line() == "Москва, ул. Садовая, 10, кв. 45"


def test_topics_follow_the_emitting_service_and_keys_the_aggregate() -> None:
    assert topic_for("orders.OrderCreated") == "orders.events"
    assert topic_for("identity.UserUpdated") == "identity.events"
    assert set(ALL_TOPICS) >= {"orders.events", "identity.events", "media.events"}
    assert partition_key("order-1") == b"order-1"
    with pytest.raises(ValueError, match="no topic"):
        topic_for("nowhere.Thing")


def test_unknown_event_type_is_reported_not_guessed() -> None:
    with pytest.raises(registry.UnknownEventType):
        registry.event_type("orders.Unheard")


def test_a_schema_version_newer_than_the_release_reads_is_refused_not_guessed() -> None:
    raw = {**load("orders.OrderCreated", 3), "schema_version": 4}
    envelope = Envelope.model_validate(raw)
    with pytest.raises(registry.FutureSchemaVersion) as refused:
        registry.upcast(envelope)
    assert (refused.value.name, refused.value.version, refused.value.current) == (
        "orders.OrderCreated",
        4,
        3,
    )
    assert "newer" in str(refused.value)
    with pytest.raises(registry.FutureSchemaVersion):
        registry.decode(envelope)
    with pytest.raises(registry.FutureSchemaVersion):
        registry.event_type("orders.OrderCreated").upcast(4, envelope.data)


def test_an_event_type_the_release_does_not_know_cannot_be_upcast() -> None:
    envelope = Envelope.model_validate({**load("orders.StageChanged", 1), "type": "orders.Later"})
    assert not registry.known("orders.Later")
    with pytest.raises(registry.UnknownEventType):
        registry.upcast(envelope)


def test_a_newer_release_registry_reads_what_this_one_refuses() -> None:
    name = "identity.UserRegistered"
    current = registry.event_type(name)
    newer = registry.Registry(
        {
            **registry.EVENT_TYPES,
            name: registry.EventType(
                name,
                {**current.versions, 2: current.versions[1]},
                {1: lambda data: {**data, "nickname": None}},
            ),
        }
    )
    envelope = Envelope.model_validate({**load(name, 1), "schema_version": 2})
    with pytest.raises(registry.FutureSchemaVersion):
        registry.upcast(envelope)
    assert newer.upcast(envelope) is envelope  # already the newer release's current version
    old = Envelope.model_validate(load(name, 1))
    upcast = newer.upcast(old)
    assert (upcast.schema_version, upcast.data["nickname"]) == (2, None)


def test_checked_in_json_schemas_are_current() -> None:
    assert export_main(["--check"]) == 0


def test_production_sees_its_stage_and_every_later_one_of_the_orders_pipeline() -> None:
    def stage(key: str, terminal: bool = False) -> StageDefinition:
        return StageDefinition(key=key, title_ru=key, title_en=key, terminal=terminal)

    keys = ["intake", "production", "varnishing", "shipment_prep", "closed"]
    stages = [stage(k, k == "closed") for k in keys] + [stage("cancelled", True)]
    pipeline = PipelineDefinition(stages=stages, forward={})
    seen = [k for k in [*keys, "cancelled", "unknown"] if pipeline.production_sees(k)]
    assert seen == ["production", "varnishing", "shipment_prep", "closed"]
