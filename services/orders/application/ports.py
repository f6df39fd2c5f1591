"""The ports the orders application needs; adapters implement them, fakes included."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from contracts.envelope import Envelope
from plumbing.db import Conn
from plumbing.ordered_log import Cursor


class WrongExpectedVersion(Exception):
    def __init__(self, stream_id: str, expected: int | None, actual: int) -> None:
        super().__init__(f"{stream_id}: expected version {expected}, stream is at {actual}")
        self.stream_id = stream_id
        self.expected = expected
        self.actual = actual


class DuplicateEvent(Exception):
    """An event id is already stored: the command that makes it was applied before."""


class IdempotencyKeyTaken(Exception):
    """Another request stored this idempotency key first (read it back and answer with it)."""


@dataclass(frozen=True)
class IdempotencyRecord:
    key: str
    request_hash: str
    stream_id: str


@dataclass(frozen=True)
class StoredEvent:
    # Unique, and rising with the version within a stream. Not the follow order across
    # streams on PostgreSQL: `cursor` is (plumbing.ordered_log).
    position: int
    envelope: Envelope
    transaction_order: int = 0  # 0 where the position order is the commit order

    @property
    def cursor(self) -> Cursor:
        """Where a reader of the whole log is after this event: pass it to read_all."""
        return Cursor(self.transaction_order, self.position)


@dataclass(frozen=True)
class AppendResult:
    version: int
    position: int


class EventStore(Protocol):
    async def append(
        self,
        stream_id: str,
        events: Sequence[Envelope],
        expected_version: int | None,
        idempotency: IdempotencyRecord | None = None,
    ) -> AppendResult:
        """Append atomically. `expected_version` 0 means "the stream must not exist yet";
        None skips the check. Stream versions of `events` must continue the stream."""
        ...

    async def read_stream(self, stream_id: str) -> list[StoredEvent]:
        """Every event of one stream in order, upcast to current schema versions."""
        ...

    async def read_all(self, after: Cursor, limit: int) -> list[StoredEvent]:
        """The whole log after a cursor (START, or a StoredEvent.cursor), in an order that
        never skips a late commit and keeps each stream's versions in order."""
        ...

    async def find_idempotency(self, key: str) -> IdempotencyRecord | None: ...

    def subscribe(self, after: Cursor) -> AsyncIterator[StoredEvent]:
        """Every event after `after`, then each new one as it commits, in read_all's order."""
        ...


class OrderNumbers(Protocol):
    async def next(self) -> int: ...


# The stream whose event N is `orders.PipelinePublished` of pipeline version N.
PIPELINE_STREAM = "pipeline"


class PipelineStore(Protocol):
    """Pipeline versions, and the PIPELINE_STREAM that publishes them (appended with the
    expected version, so no two saves get one number)."""

    async def current(self) -> int:
        """The version new orders start with."""
        ...

    async def get(self, version: int) -> dict[str, object]: ...

    async def seed(self, definition: dict[str, object]) -> None:
        """Store `definition` as version 1 unless a version 1 exists (safe to race)."""
        ...

    async def published(self) -> int:
        """How many versions the `pipeline` stream holds."""
        ...

    async def add(self, version: int, definition: dict[str, object], event: Envelope) -> None:
        """Store `definition` as `version` and append `event` to the stream as its event
        `version`, atomically; WrongExpectedVersion if either is taken already."""
        ...

    async def publish(self, version: int, event: Envelope) -> None:
        """Append `event` for the stored `version` as the stream's event `version` (versions
        stored before the stream existed); WrongExpectedVersion if the stream is elsewhere."""
        ...


class UserDirectory(Protocol):
    async def by_usernames(self, usernames: Sequence[str]) -> dict[str, str]:
        """username -> user id, for the active users among those names."""
        ...


# Remembers a user from identity.* (for @mentions) inside the consumer's transaction, so the
# row commits with the inbox row that marks the event applied.
RecordUser = Callable[[Conn, dict[str, Any]], Awaitable[None]]


class Appender(Protocol):
    async def append(
        self,
        stream_id: str,
        events: Sequence[Envelope],
        expected_version: int | None,
        idempotency: IdempotencyRecord | None = None,
    ) -> AppendResult: ...


class AtomicAppends(Protocol):
    """Appends to many streams that commit together or not at all (an import, issue 20).
    The PostgreSQL store does it in one transaction; a store that cannot (EventStoreDB has no
    multi-stream transaction) does not offer it, and imports are not wired there."""

    def atomically(self) -> AbstractAsyncContextManager[Appender]: ...


class ImportStore(EventStore, AtomicAppends, Protocol):
    pass


class ImportJobs(Protocol):
    """Each import's progress and outcome, written outside the import's own transaction so
    `GET /imports/{id}` sees it move while that transaction is still open."""

    async def start(self, job_id: str, kind: str, dry_run: bool, total: int, by: str) -> None: ...

    async def progress(self, job_id: str, done: int) -> None: ...

    async def beat(self, job_id: str) -> None:
        """The job's process is alive; one that stops beating is read as `interrupted`."""

    async def finish(self, job_id: str, report: dict[str, Any]) -> None: ...

    async def fail(self, job_id: str, error: dict[str, Any]) -> None: ...

    async def get(self, job_id: str) -> dict[str, Any] | None: ...

    async def recent(self, limit: int) -> list[dict[str, Any]]:
        """The newest jobs first, without their reports."""
        ...
