"""The envelope every event travels in, on the bus and in every log."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

ActorKind = Literal["user", "robot", "system"]


class Actor(BaseModel):
    """Who caused a fact: a person (with role), a robot rule, or the system itself."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: ActorKind
    id: str | None = None
    username: str | None = None
    role: str | None = None
    rule_id: str | None = Field(default=None, description="Automation rule id when kind=robot")

    @classmethod
    def system(cls) -> Actor:
        return cls(kind="system")


class Envelope(BaseModel):
    """A stored or published event. `data` holds the payload of `type` at `schema_version`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: UUID
    type: str
    schema_version: int = Field(ge=1)
    stream_id: str
    stream_version: int = Field(ge=1)
    occurred_at: datetime
    actor: Actor
    correlation_id: str
    causation_id: str | None = None
    data: dict[str, Any]

    def to_json_bytes(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def from_json_bytes(cls, raw: bytes) -> Envelope:
        return cls.model_validate_json(raw)
