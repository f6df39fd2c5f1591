"""Check-in and check-out of a visit (issue 15): the row and the event commit together.

Idempotency-Key: a phone that sent its queued check-in and lost the answer sends it again
with the same key; it gets the first answer and nothing is recorded twice. The same key
with another body (another visit, act, position or time) is a client bug: 422.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from contracts.envelope import Actor
from contracts.events.common import GeoPoint
from contracts.events.scheduling import VisitCheckedIn, VisitCheckedOut
from plumbing.errors import Invalid, NotFound
from services.scheduling.adapters import presence_store
from services.scheduling.application.events import Emitter, Pending
from services.scheduling.application.order_access import viewer_of
from services.scheduling.domain.presence import Act, Mark, check_act


class Presence:
    def __init__(self, pool: asyncpg.Pool, emitter: Emitter) -> None:
        self.pool = pool
        self.emitter = emitter

    async def record(
        self,
        visit_id: UUID,
        act: Act,
        actor: Actor,
        *,
        lat: float,
        lon: float,
        accuracy_m: float | None,
        at: datetime | None,
        idempotency_key: str | None,
    ) -> tuple[dict[str, Any], bool]:
        """(the visit's presence, replayed?)."""
        viewer = viewer_of(actor)
        # The body as the key remembers it: `at` absent means "now", which a retry cannot
        # repeat, so it is kept as absent, not as the time it resolved to.
        request = {
            "visit_id": str(visit_id),
            "act": act,
            "lat": lat,
            "lon": lon,
            "accuracy_m": accuracy_m,
            "at": at.isoformat() if at else None,
        }
        if idempotency_key is not None:
            replay = await self._replay(viewer.user_id, idempotency_key, request)
            if replay is not None:
                return replay, True
        now = self.emitter.clock()
        when = at or now
        try:
            async with self.pool.acquire() as conn, conn.transaction():
                # The row lock orders a check-in and a check-out of one visit sent together.
                visit = await presence_store.visit_on_site(conn, visit_id, lock=True)
                if visit is None or (visit.assignee_id != viewer.user_id and not viewer.sees_all):
                    # Someone else's visit, for a caller who may not see every order: as if
                    # it did not exist (a manager is told it is not theirs: 403).
                    raise NotFound(f"visit {visit_id} not found")
                check_act(visit, act, viewer.user_id, when, now)
                mark = Mark(when, lat, lon, accuracy_m)
                await presence_store.insert(
                    conn, visit_id, act, viewer.user_id, mark, now, idempotency_key, request
                )
                row = await conn.fetchrow(
                    "SELECT order_id, kind FROM visits WHERE id = $1", visit_id
                )
                assert row is not None  # locked above
                order_id, kind = row["order_id"], row["kind"]
                model = VisitCheckedIn if act == "check_in" else VisitCheckedOut
                event = model(
                    visit_id=visit_id,
                    order_id=order_id,
                    kind=kind,
                    assignee_id=viewer.user_id,
                    at=when,
                    location=GeoPoint(lat=lat, lon=lon),
                    accuracy_m=accuracy_m,
                )
                await self.emitter.emit(conn, [Pending(event, f"visit-{visit_id}", actor)])
                done = await presence_store.visit_on_site(conn, visit_id)
        except asyncpg.UniqueViolationError:
            # The same key's first request committed while this one ran.
            if idempotency_key is None:
                raise
            replay = await self._replay(viewer.user_id, idempotency_key, request)
            if replay is None:
                raise
            return replay, True
        assert done is not None  # the row was just read under its lock
        return presence_store.presence_to_api(done), False

    async def _replay(
        self, user_id: UUID, key: str, request: dict[str, Any]
    ) -> dict[str, Any] | None:
        earlier = await presence_store.by_key(self.pool, user_id, key)
        if earlier is None:
            return None
        if earlier["request"] != request:
            raise Invalid(
                "Idempotency-Key was already used for another check-in or check-out",
                code="idempotency_key_reused",
            )
        visit = await presence_store.visit_on_site(self.pool, earlier["visit_id"])
        assert visit is not None  # presence rows reference their visit
        return presence_store.presence_to_api(visit)
