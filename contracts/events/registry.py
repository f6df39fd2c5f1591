"""Which model reads which (type, schema_version), and the upcaster chain to the current one.

Old events are never rewritten: they are upcast on read, one version step at a time. An event
of a newer release (a type or a schema version this one has no model for) is refused with an
error, never guessed at: the caller must stop there, not skip it (see plumbing/consumer.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from pydantic import BaseModel

from contracts.envelope import Envelope
from contracts.events import identity, media, orders, scheduling

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class EventType:
    name: str
    versions: dict[int, type[BaseModel]]
    upcasters: dict[int, Upcaster] = field(default_factory=dict)  # from version N to N+1

    @cached_property  # read for every event a consumer or a rebuild decodes
    def current(self) -> int:
        return max(self.versions)

    def upcast(self, version: int, data: dict[str, Any]) -> dict[str, Any]:
        if version > self.current:
            # Reading it with the current model would drop or misread what the newer version
            # added, and whoever marks it processed would lose it for good.
            raise FutureSchemaVersion(self.name, version, self.current)
        while version < self.current:
            data = self.upcasters[version](data)
            version += 1
        return data


EVENT_TYPES: dict[str, EventType] = {
    t.name: t
    for t in (
        EventType(
            "orders.OrderCreated",
            {1: orders.OrderCreatedV1, 2: orders.OrderCreatedV2, 3: orders.OrderCreated},
            {1: orders.upcast_order_created_v1, 2: orders.upcast_added_optional_fields},
        ),
        *(
            EventType(f"orders.{model.__name__}", {1: model})
            for model in (
                orders.PipelinePublished,
                orders.CustomerUpdated,
                orders.ManagerAssigned,
                orders.AutoMoveRefused,
                orders.DealTermsRecorded,
                orders.ProductionFinished,
                orders.CommentPosted,
                orders.MediaDetached,
                orders.TaskDone,
                orders.PromisedDateSet,
                orders.SmsConsentRecorded,
                orders.VisitPresence,
                orders.SitePinned,
                orders.PhotoReviewed,
                orders.GatePhotosCounted,
                orders.TitleChanged,
                orders.OrderImported,
            )
        ),
        # v2 of these only added optional fields (issue 15: the photo rules' facts).
        EventType(
            "orders.MediaAttached",
            {1: orders.MediaAttachedV1, 2: orders.MediaAttached},
            {1: orders.upcast_added_optional_fields},
        ),
        EventType(
            "orders.StageChanged",
            {1: orders.StageChangedV1, 2: orders.StageChanged},
            {1: orders.upcast_added_optional_fields},
        ),
        EventType(
            "orders.VisitRecorded",
            {1: orders.VisitRecordedV1, 2: orders.VisitRecorded},
            {1: orders.upcast_added_optional_fields},
        ),
        EventType(
            "scheduling.OrderOverdue",
            {1: scheduling.OrderOverdueV1, 2: scheduling.OrderOverdue},
            {1: orders.upcast_added_optional_fields},
        ),
        EventType(
            "media.MediaUploaded",
            {1: media.MediaUploadedV1, 2: media.MediaUploaded},
            {1: orders.upcast_added_optional_fields},
        ),
        *(
            EventType(f"scheduling.{model.__name__}", {1: model})
            for model in (
                scheduling.VisitBooked,
                scheduling.VisitRescheduled,
                scheduling.VisitCancelled,
                scheduling.TaskCreated,
                scheduling.TaskCompleted,
                scheduling.TaskCancelled,
                scheduling.StageMoveRequested,
                scheduling.NotificationRequested,
                scheduling.RuleChanged,
                scheduling.VisitCheckedIn,
                scheduling.VisitCheckedOut,
            )
        ),
        *(
            EventType(f"media.{model.__name__}", {1: model})
            for model in (
                media.MediaDeleted,
                media.ThumbnailReady,
                media.MediaReviewed,
            )
        ),
        EventType("identity.UserRegistered", {1: identity.UserRegistered}),
        EventType("identity.UserUpdated", {1: identity.UserUpdated}),
    )
}


class UnknownEventType(LookupError):
    """A type this release has no model for: written by a newer release, or a mistake."""


class FutureSchemaVersion(LookupError):
    """A schema version newer than any this release reads: written by a newer release."""

    def __init__(self, name: str, version: int, current: int) -> None:
        super().__init__(
            f"{name} schema_version {version} is newer than {current}, "
            "the newest this release reads"
        )
        self.name = name
        self.version = version
        self.current = current


@dataclass(frozen=True)
class Registry:
    """The event types one release reads. The module's functions use this release's; a test can
    build a newer release's (more types, more versions) to see what that release would do."""

    types: Mapping[str, EventType]

    def event_type(self, name: str) -> EventType:
        try:
            return self.types[name]
        except KeyError:
            raise UnknownEventType(name) from None

    def known(self, name: str) -> bool:
        return name in self.types

    def upcast(self, envelope: Envelope) -> Envelope:
        """The same event, its data upcast to the current schema version.

        Raises UnknownEventType or FutureSchemaVersion for an event of a newer release.
        """
        et = self.event_type(envelope.type)
        if envelope.schema_version == et.current:
            return envelope
        data = et.upcast(envelope.schema_version, envelope.data)
        return envelope.model_copy(update={"data": data, "schema_version": et.current})


THIS_RELEASE = Registry(EVENT_TYPES)


def event_type(name: str) -> EventType:
    return THIS_RELEASE.event_type(name)


def current_version(name: str) -> int:
    return event_type(name).current


def upcast(envelope: Envelope) -> Envelope:
    """The same event at the current schema version; refuses events of a newer release."""
    return THIS_RELEASE.upcast(envelope)


def decode(envelope: Envelope) -> BaseModel:
    """The event payload as its current model (validated)."""
    up = upcast(envelope)
    return event_type(up.type).versions[up.schema_version].model_validate(up.data)


def known(name: str) -> bool:
    return THIS_RELEASE.known(name)


_NAME_OF_MODEL: dict[type[BaseModel], str] = {
    t.versions[t.current]: t.name for t in EVENT_TYPES.values()
}


def type_name(event: BaseModel) -> str:
    """The registered type name of a current-version event model instance."""
    try:
        return _NAME_OF_MODEL[type(event)]
    except KeyError:
        raise UnknownEventType(type(event).__name__) from None
