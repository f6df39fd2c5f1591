"""Events of the stream `media-<id>` in their envelopes."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel

from contracts.envelope import Actor, Envelope
from contracts.events import registry
from plumbing import correlation

# Each event type happens at most once per media item (uploaded, thumbnail, deleted), so
# its id can be derived from both: a retried completion writes nothing twice.
_NAMESPACE = uuid.UUID("6f1d4a8e-3c2b-4e5f-9a7d-0b1c2d3e4f50")


def stream_of(media_id: uuid.UUID) -> str:
    return f"media-{media_id}"


def envelopes(
    media_id: uuid.UUID,
    after_version: int,
    events: Sequence[BaseModel],
    actor: Actor,
    now: datetime,
) -> list[Envelope]:
    out = []
    for n, event in enumerate(events, start=1):
        name = registry.type_name(event)
        out.append(
            Envelope(
                event_id=uuid.uuid5(_NAMESPACE, f"{media_id}:{name}"),
                type=name,
                schema_version=registry.current_version(name),
                stream_id=stream_of(media_id),
                stream_version=after_version + n,
                occurred_at=now,
                actor=actor,
                correlation_id=correlation.get_or_new(),
                data=event.model_dump(mode="json"),
            )
        )
    return out
