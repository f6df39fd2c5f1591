"""The EventStoreDB adapter's pure mapping, checked without a server (none runs here).

The adapter's behaviour against a server is the contract suite's job (ESDB_URL)."""

from __future__ import annotations

import json
import re
import uuid

import pytest
from esdbclient import NewEvent, RecordedEvent, StreamState
from esdbclient.common import construct_filter_include_regex

from services.orders.adapters.esdb_mapping import (
    ORDER_STREAMS,
    esdb_current_version,
    follow,
    key_event,
    key_record,
    key_stream,
    position_of,
    released_event,
    stamp,
    stream_length,
    to_new_event,
    to_stored,
)
from services.orders.application.ports import IdempotencyRecord
from tests.factories import envelope, new_stream, order_created_data


def recorded(
    new: NewEvent, stream: str, stream_position: int = 0, commit: int | None = 100
) -> RecordedEvent:
    """What EventStoreDB hands back for `new` once stored."""
    return RecordedEvent(
        type=new.type,
        data=new.data,
        metadata=new.metadata,
        content_type=new.content_type,
        id=new.id,
        stream_name=stream,
        stream_position=stream_position,
        commit_position=commit,
        prepare_position=commit,
    )


def test_a_new_stream_is_expected_not_to_exist() -> None:
    assert esdb_current_version(0) is StreamState.NO_STREAM


@pytest.mark.parametrize(("length", "last_position"), [(1, 0), (2, 1), (7, 6)])
def test_a_stream_of_k_events_ends_at_position_k_minus_one(length: int, last_position: int) -> None:
    assert esdb_current_version(length) == last_position


def test_a_negative_length_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot hold"):
        esdb_current_version(-1)


def test_stream_length_counts_from_the_last_recorded_position() -> None:
    stream = new_stream()
    assert stream_length(None) == 0
    last = recorded(to_new_event(envelope(stream)), stream, stream_position=2)
    assert stream_length(last) == 3
    assert esdb_current_version(stream_length(last)) == last.stream_position


def test_an_envelope_is_stored_whole_under_its_own_id_and_type() -> None:
    stream = new_stream()
    env = stamp(envelope("pending"), stream, 4)
    new = to_new_event(env)
    assert new.id == env.event_id
    assert new.type == env.type
    assert new.content_type == "application/json"
    stored = to_stored(recorded(new, stream, stream_position=3, commit=4242))
    assert stored.position == 4242
    assert stored.envelope == env
    assert (stored.envelope.stream_id, stored.envelope.stream_version) == (stream, 4)


def test_correlation_and_causation_go_to_esdb_metadata_when_present() -> None:
    env = envelope(new_stream())
    assert json.loads(to_new_event(env).metadata) == {"$correlationId": env.correlation_id}
    caused = env.model_copy(update={"causation_id": "cause-1"})
    assert json.loads(to_new_event(caused).metadata)["$causationId"] == "cause-1"


def test_old_schema_versions_are_upcast_on_read() -> None:
    stream = new_stream()
    v1 = order_created_data()
    v1["customer"]["address"] = "Москва, ул. Лесная, 5"
    stored = to_stored(recorded(to_new_event(envelope(stream, data=v1, schema_version=1)), stream))
    assert stored.envelope.schema_version == 3
    assert stored.envelope.data["customer"]["address"] == {"text": "Москва, ул. Лесная, 5"}


def test_a_server_without_commit_positions_on_stream_reads_is_refused() -> None:
    stream = new_stream()
    with pytest.raises(RuntimeError, match=r"22\.10"):
        position_of(recorded(to_new_event(envelope(stream)), stream, commit=None))


def test_follow_drops_the_start_event_and_everything_but_order_events() -> None:
    a, b = new_stream(), new_stream()
    start = recorded(to_new_event(envelope(a)), a, commit=10)  # the caller's `after`
    system = RecordedEvent(
        type="$metadata", data=b"{}", metadata=b"", content_type="application/json",
        id=uuid.uuid4(), stream_name=a, stream_position=0, commit_position=15,
        prepare_position=15,
    )  # fmt: skip
    record = IdempotencyRecord("user:k", "h", a)
    key = recorded(key_event(record), key_stream(record.key), commit=17)
    first = recorded(to_new_event(envelope(b)), b, commit=20)
    second = recorded(to_new_event(envelope(a)), a, stream_position=1, commit=30)
    page = follow([start, system, key, first, second], after=10, limit=100)
    assert [s.position for s in page] == [20, 30]
    assert [s.envelope.event_id for s in page] == [first.id, second.id]
    assert [s.position for s in follow([start, first, second], after=10, limit=1)] == [20]


def test_follow_from_the_beginning_keeps_the_first_event() -> None:
    a = new_stream()
    first = recorded(to_new_event(envelope(a)), a, commit=5)
    assert [s.position for s in follow([first], after=0, limit=10)] == [5]


def test_the_server_side_filter_takes_order_streams_only() -> None:
    # esdbclient anchors the include patterns into one regex, evaluated by the server.
    pattern = re.compile(construct_filter_include_regex((ORDER_STREAMS,)))
    assert pattern.match(new_stream())
    assert not pattern.match(key_stream("user:k"))
    assert not pattern.match("$$order-1")
    assert not pattern.match("$et-orders.OrderCreated")


def test_a_key_stream_name_is_stable_bounded_and_distinct_per_key() -> None:
    long_key = "user:" + "ключ" * 500
    assert key_stream(long_key) == key_stream(long_key)
    assert len(key_stream(long_key)) == len("idempotency-") + 64
    assert key_stream("user:a") != key_stream("user:b")


def test_a_stored_key_reads_back_and_a_released_one_reads_as_absent() -> None:
    record = IdempotencyRecord("user:k", "hash-1", new_stream())
    name = key_stream(record.key)
    assert key_record(None) is None
    assert key_record(recorded(key_event(record), name)) == record
    assert key_record(recorded(released_event(record), name, stream_position=1)) is None
