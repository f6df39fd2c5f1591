"""The event store on EventStoreDB 22.10+ (esdbclient's asyncio client).

Same port and contract suite (tests/contract/test_event_store.py) as the PostgreSQL adapter.
Where EventStoreDB differs, the difference is handled here and said plainly:

- Versions: ours count events from 1, EventStoreDB's stream positions from 0 (esdb_mapping).
  Every append names the exact current position, even when the caller passed None, so the
  `stream_version` stamped into an envelope always equals where it lands.
- Positions: read_all positions are EventStoreDB commit positions in `$all`: increasing and
  unique per event, with gaps. `$all` is one sequentially written log and an event becomes
  readable only once committed at its position, so a follower never sees a later position
  before an earlier one; cursors are (0, commit position), while the PostgreSQL store needs
  its transaction order for that. Only `order-*` streams are returned: system events and this
  adapter's idempotency streams are filtered out.
- Event ids: EventStoreDB does not keep ids unique; it only makes a retried append with the
  same ids at the same position a silent success. See _check for what that costs us.
- Idempotency keys live in their own stream, and EventStoreDB cannot write two streams in
  one transaction. See append for the order of the two writes and the gap it leaves.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from uuid import UUID

from esdbclient import AsyncEventStoreDBClient, RecordedEvent, StreamState
from esdbclient.exceptions import EventStoreDBClientException, NotFound, WrongCurrentVersion

from contracts.envelope import Envelope
from plumbing.ordered_log import Cursor
from services.orders.adapters.esdb_mapping import (
    ORDER_STREAMS,
    esdb_current_version,
    follow,
    key_event,
    key_record,
    key_stream,
    released_event,
    stamp,
    stream_length,
    to_new_event,
    to_stored,
)
from services.orders.application.follow import follow as follow_log
from services.orders.application.follow import poller
from services.orders.application.ports import (
    AppendResult,
    DuplicateEvent,
    IdempotencyKeyTaken,
    IdempotencyRecord,
    StoredEvent,
    WrongExpectedVersion,
)

# Appends without an expected version still write at an exact position (see above); when a
# concurrent writer takes that position first we re-read and try again, this many times.
ANY_VERSION_ATTEMPTS = 5


class EsdbEventStore:
    def __init__(self, url: str) -> None:
        self._client = AsyncEventStoreDBClient(uri=url)  # parses (and checks) the URL now
        self._connected = False
        self._connecting = asyncio.Lock()

    async def _esdb(self) -> AsyncEventStoreDBClient:
        # The gRPC channel belongs to the running event loop: open it on first use, not in
        # __init__ (which may run outside any loop).
        if not self._connected:
            async with self._connecting:  # concurrent first calls open one channel, not many
                if not self._connected:
                    await self._client.connect()
                    self._connected = True
        return self._client

    async def close(self) -> None:
        if self._connected:
            await self._client.close()
            self._connected = False

    async def append(
        self,
        stream_id: str,
        events: Sequence[Envelope],
        expected_version: int | None,
        idempotency: IdempotencyRecord | None = None,
    ) -> AppendResult:
        ids = [e.event_id for e in events]
        if len(set(ids)) != len(ids):
            raise DuplicateEvent("the same event id twice in one append")
        actual = await self._check(stream_id, ids, expected_version)
        # The key is written first, then the events: two writes, no transaction around them.
        # A definite failure of the second (stale version, duplicate) releases the key again.
        # A crash or a lost connection between them leaves the key pointing at a stream that
        # may never get its events: find_idempotency still returns the record, and a retry of
        # that request then loads an empty stream (404) instead of creating the order. The same
        # gap lets a concurrent request with that key see it before the events exist. Writing
        # the events first would be worse: a crash would lose the key and a retry would make a
        # second order.
        key_at = None if idempotency is None else await self._store_key(idempotency)
        try:
            return await self._append_events(stream_id, events, ids, expected_version, actual)
        except (WrongExpectedVersion, DuplicateEvent):
            if idempotency is not None and key_at is not None:
                await self._release_key(idempotency, key_at)
            raise

    async def _append_events(
        self,
        stream_id: str,
        events: Sequence[Envelope],
        ids: list[UUID],
        expected_version: int | None,
        actual: int,
    ) -> AppendResult:
        client = await self._esdb()
        for _ in range(ANY_VERSION_ATTEMPTS):
            new = [to_new_event(stamp(e, stream_id, actual + n)) for n, e in enumerate(events, 1)]
            try:
                position = await client.append_to_stream(
                    stream_id, current_version=esdb_current_version(actual), events=new
                )
            except WrongCurrentVersion:
                # Someone appended since _check read the stream; the one-stream append is
                # atomic, so nothing of ours was written.
                if expected_version is not None:
                    now = stream_length(await self._last(stream_id))
                    raise WrongExpectedVersion(stream_id, expected_version, now) from None
                actual = await self._check(stream_id, ids, None)
            else:
                return AppendResult(version=actual + len(events), position=position)
        raise WrongExpectedVersion(stream_id, None, actual)

    async def _check(self, stream_id: str, ids: Sequence[UUID], expected: int | None) -> int:
        """The stream's length, after refusing a stale version or an already stored id."""
        recorded = await self._recorded(stream_id)
        actual = stream_length(recorded[-1] if recorded else None)
        if expected is not None and actual != expected:
            raise WrongExpectedVersion(stream_id, expected, actual)
        # EventStoreDB would accept a retry of stored ids at the same position as a silent
        # success; the port wants DuplicateEvent, so look for the ids first. Only the target
        # stream is searched: EventStoreDB keeps no index of ids across streams, and our
        # deterministic ids (uuid5 of cause and action) always go to the stream of the order
        # they concern. Two appends racing with the same ids at the same version both pass
        # this check; EventStoreDB then stores the events once and tells both "success", so a
        # redelivery is still applied only once, but its caller is not told it was a repeat.
        taken = {r.id for r in recorded}.intersection(ids)
        if taken:
            raise DuplicateEvent(", ".join(sorted(str(i) for i in taken)))
        return actual

    async def read_stream(self, stream_id: str) -> list[StoredEvent]:
        return [to_stored(r) for r in await self._recorded(stream_id)]

    async def read_all(self, after: Cursor, limit: int) -> list[StoredEvent]:
        if limit <= 0:
            return []
        start = after.position  # the commit position; the order part is always 0 here
        client = await self._esdb()
        # A forward read includes the event at its start position, which the caller has seen:
        # ask for one more and let `follow` drop it. Position 0 means "from the beginning";
        # EventStoreDB wants a start that is an existing position, so none is passed then.
        response = await client.read_all(
            commit_position=start if start > 0 else None,
            filter_include=(ORDER_STREAMS,),
            filter_by_stream_name=True,
            limit=limit + 1,
        )
        async with response:
            recorded = [r async for r in response]
        return follow(recorded, start, limit)

    def subscribe(self, after: Cursor) -> AsyncIterator[StoredEvent]:
        # Polling read_all keeps one code path (and the same filtering) for catch-up and live.
        return follow_log(self.read_all, after, poller(0.2))

    async def find_idempotency(self, key: str) -> IdempotencyRecord | None:
        return key_record(await self._last(key_stream(key)))

    # --- idempotency keys: one stream per key, claimed by an expected-version write ---------

    async def _store_key(self, record: IdempotencyRecord) -> int:
        """Claim the key; returns the stream position of the claim (needed to release it)."""
        name = key_stream(record.key)
        last = await self._last(name)
        if key_record(last) is not None:
            raise IdempotencyKeyTaken(record.key)
        current = StreamState.NO_STREAM if last is None else last.stream_position
        try:
            # Exact expected version: of two requests racing for one key, exactly one wins.
            await (await self._esdb()).append_to_stream(
                name, current_version=current, events=[key_event(record)]
            )
        except WrongCurrentVersion:
            raise IdempotencyKeyTaken(record.key) from None
        return stream_length(last)

    async def _release_key(self, record: IdempotencyRecord, at: int) -> None:
        # A released key reads as absent and can be claimed again. Release is best effort:
        # the caller gets the append's own error either way; if this write fails the key
        # stays claimed, the gap described in append.
        with contextlib.suppress(EventStoreDBClientException):
            await (await self._esdb()).append_to_stream(
                key_stream(record.key), current_version=at, events=[released_event(record)]
            )

    # --- reads --------------------------------------------------------------------------------

    async def _recorded(self, stream: str) -> Sequence[RecordedEvent]:
        try:
            return await (await self._esdb()).get_stream(stream)
        except NotFound:
            return ()

    async def _last(self, stream: str) -> RecordedEvent | None:
        try:
            tail = await (await self._esdb()).get_stream(stream, backwards=True, limit=1)
        except NotFound:
            return None
        return tail[0] if tail else None
