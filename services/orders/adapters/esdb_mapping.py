"""Pure translation between the event-store port and EventStoreDB's model (no I/O).

Kept apart from the adapter (esdb_event_store.py) so the mapping is unit-tested without a
server, which this machine cannot run.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable

from esdbclient import NewEvent, RecordedEvent, StreamState

from contracts.envelope import Envelope
from contracts.events import registry
from services.orders.application.ports import IdempotencyRecord, StoredEvent

ORDER_STREAMS = r"order-.*"  # stream-name filter for read_all: order streams only
KEY_STORED = "IdempotencyKeyStored"
KEY_RELEASED = "IdempotencyKeyReleased"


def esdb_current_version(length: int) -> int | StreamState:
    """The port counts events (expected_version k = "the stream holds k events", 0 = "must not
    exist"); EventStoreDB wants the 0-based position of the last event, or NO_STREAM."""
    if length < 0:
        raise ValueError(f"a stream cannot hold {length} events")
    return StreamState.NO_STREAM if length == 0 else length - 1


def stream_length(last: RecordedEvent | None) -> int:
    """How many events a stream holds (= our version), from its last recorded event."""
    return 0 if last is None else last.stream_position + 1


def stamp(envelope: Envelope, stream_id: str, version: int) -> Envelope:
    return envelope.model_copy(update={"stream_id": stream_id, "stream_version": version})


def to_new_event(envelope: Envelope) -> NewEvent:
    # The whole envelope is the data, so a reader needs nothing but `data` to rebuild it.
    # $correlationId/$causationId in the metadata feed EventStoreDB's own by-correlation
    # projection and UI; they are copies, never read back.
    metadata = {"$correlationId": envelope.correlation_id}
    if envelope.causation_id is not None:
        metadata["$causationId"] = envelope.causation_id
    return NewEvent(
        type=envelope.type,
        data=envelope.to_json_bytes(),
        metadata=json.dumps(metadata).encode(),
        content_type="application/json",
        id=envelope.event_id,  # EventStoreDB's event id = ours: its idempotent append keys on it
    )


def position_of(recorded: RecordedEvent) -> int:
    if recorded.commit_position is None:
        # EventStoreDB 21.10 leaves stream reads without commit positions (fixed in 22.10).
        raise RuntimeError("the EventStoreDB adapter needs EventStoreDB 22.10 or later")
    return recorded.commit_position


def to_stored(recorded: RecordedEvent) -> StoredEvent:
    envelope = Envelope.from_json_bytes(recorded.data)
    if registry.known(envelope.type):
        envelope = registry.upcast(envelope)  # old events are upcast on read, never rewritten
    return StoredEvent(position_of(recorded), envelope)


def is_order_event(recorded: RecordedEvent) -> bool:
    # The server filters by stream name already; this guards against a filter that was not
    # applied (and against $-typed system events such as stream metadata or links).
    return (
        not recorded.is_system_event
        and re.fullmatch(ORDER_STREAMS, recorded.stream_name) is not None
    )


def follow(recorded: Iterable[RecordedEvent], after: int, limit: int) -> list[StoredEvent]:
    """The port's read_all page from a forward $all read that started at `after`.

    The port's `after` is exclusive, EventStoreDB's start position inclusive, so the event
    at `after` itself (already handed out) is dropped here."""
    page: list[StoredEvent] = []
    for event in recorded:
        if len(page) == limit:
            break
        if position_of(event) > after and is_order_event(event):
            page.append(to_stored(event))
    return page


def key_stream(key: str) -> str:
    # Keys are caller-chosen text: hash them into a bounded stream name with no odd characters.
    return f"idempotency-{hashlib.sha256(key.encode()).hexdigest()}"


def key_event(record: IdempotencyRecord) -> NewEvent:
    data = {"key": record.key, "request_hash": record.request_hash, "stream_id": record.stream_id}
    return NewEvent(type=KEY_STORED, data=json.dumps(data).encode())


def released_event(record: IdempotencyRecord) -> NewEvent:
    return NewEvent(type=KEY_RELEASED, data=json.dumps({"key": record.key}).encode())


def key_record(last: RecordedEvent | None) -> IdempotencyRecord | None:
    """The record a key stream holds: its last event, unless that released the key."""
    if last is None or last.type != KEY_STORED:
        return None
    data = json.loads(last.data)
    return IdempotencyRecord(data["key"], data["request_hash"], data["stream_id"])
