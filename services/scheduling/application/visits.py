"""Booking, moving, reassigning and cancelling visits.

Each command is one transaction: the visit row, its task, the adopted or completed tasks and
the events in the outbox commit together. The slot itself is guarded by the database's
exclusion constraint, not by a read-then-write check here: two concurrent bookings of one
slot both pass `check_booking`, and exactly one INSERT survives.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from uuid import UUID

import asyncpg

from contracts.envelope import Actor
from contracts.events.scheduling import (
    TaskCancelled,
    TaskCompleted,
    VisitBooked,
    VisitCancelled,
    VisitRescheduled,
)
from plumbing.db import Conn
from plumbing.errors import Conflict, Invalid, NotFound
from services.scheduling.adapters import crew_store, task_store, visit_store
from services.scheduling.adapters.visit_store import SlotTaken
from services.scheduling.application.events import Emitter, Pending
from services.scheduling.application.known_orders import KnownOrders
from services.scheduling.application.robots import Robots
from services.scheduling.application.visit_tasks import actor_uuid, new_visit_task, task_created
from services.scheduling.domain.calendar import check_booking
from services.scheduling.domain.crew import CrewMember


@dataclass(frozen=True)
class Booked:
    visit_id: UUID
    task_id: UUID
    replayed: bool = False  # the same Idempotency-Key again: the visit booked the first time


# A booking's Idempotency-Key names its visit: the key, the caller and the order make the
# visit's id, so a retried booking (its answer lost to a timeout) meets the first one's row
# instead of booking a second slot.
IDEMPOTENT_VISITS = uuid.UUID("5b0c7c7e-2f51-4c55-9a53-0f1c3e6a9d21")


def visit_id_for(actor: Actor, order_id: UUID, key: str | None) -> UUID:
    if key is None:
        return uuid.uuid4()
    return uuid.uuid5(IDEMPOTENT_VISITS, f"{actor.id}:{order_id}:{key}")


class Visits:
    def __init__(
        self,
        pool: asyncpg.Pool,
        emitter: Emitter,
        robots: Robots,
        buffer: timedelta,
        known_orders: KnownOrders,
    ) -> None:
        self.pool = pool
        self.emitter = emitter
        self.robots = robots
        self.buffer = buffer
        self.known_orders = known_orders

    async def _member(self, conn: Conn, member_id: UUID) -> CrewMember:
        member = await crew_store.get_member(conn, member_id)
        if member is None:
            # A 422, not a 404: the body names someone who does not exist, while the order the
            # path names may well exist (a 404 would say the order is gone).
            raise Invalid(f"assignee_id: no crew member {member_id}", code="unknown_member")
        return member

    async def _slot_taken(
        self, member_id: UUID, start: datetime, end: datetime, exclude: UUID | None
    ) -> Conflict:
        conflicts = await visit_store.overlapping(
            self.pool, member_id, start, end, self.buffer, exclude
        )
        return Conflict(
            "the crew member is busy then (travel buffer included)",
            code="slot_taken",
            conflicts=conflicts,
        )

    async def book(
        self,
        order_id: UUID,
        kind: str,
        assignee_id: UUID,
        start: datetime,
        end: datetime,
        actor: Actor,
        idempotency_key: str | None = None,
        note: str | None = None,
    ) -> Booked:
        note = (note or "").strip() or None
        visit_id = visit_id_for(actor, order_id, idempotency_key)
        if idempotency_key is not None and (earlier := await visit_store.get(self.pool, visit_id)):
            return self._replayed(earlier, kind, assignee_id, start, end, note)
        # Booking right after creating the order: wait for it here, holding no connection.
        await self.known_orders.require(order_id)
        try:
            async with self.pool.acquire() as conn, conn.transaction():
                member = await self._member(conn, assignee_id)
                check_booking(member, kind, start, end)
                pending: list[Pending] = []
                adopted = await task_store.adoptable(conn, order_id, kind)
                task = adopted or new_visit_task(
                    order_id, visit_id, kind, assignee_id, self.emitter.clock()
                )
                # The slot first: under contention most bookings stop here, having written
                # nothing else.
                await visit_store.insert(
                    conn, visit_id, order_id, kind, assignee_id, start, end, self.buffer, task.id
                )
                if note is not None:
                    await visit_store.set_note(conn, visit_id, note)
                if adopted is None:
                    await task_store.insert(conn, task)
                    pending.append(Pending(task_created(task), f"task-{task.id}", actor))
                else:
                    # Adopted: no second TaskCreated; VisitBooked names this task and assignee.
                    await task_store.attach(conn, task.id, visit_id, assignee_id)
                event = VisitBooked(
                    visit_id=visit_id,
                    order_id=order_id,
                    kind=kind,  # type: ignore[arg-type]  # checked by the request model
                    assignee_id=assignee_id,
                    starts_at=start,
                    ends_at=end,
                    task_id=task.id,
                    assignee_timezone=member.timezone,
                )
                pending.insert(0, Pending(event, f"visit-{visit_id}", actor))
                done = await self._complete_book_visit_tasks(conn, order_id, kind, actor)
                written = await self.emitter.emit(conn, pending + done)
                for envelope in written[len(pending) :]:
                    await self.robots.fire(conn, envelope)  # a completed book_visit task
        except SlotTaken:
            raise await self._slot_taken(assignee_id, start, end, None) from None
        except asyncpg.UniqueViolationError:
            # The same key's first request committed while this one ran (it waited on the
            # row's key): answer with that booking.
            earlier = await visit_store.get(self.pool, visit_id)
            if idempotency_key is None or earlier is None:
                raise
            return self._replayed(earlier, kind, assignee_id, start, end, note)
        return Booked(visit_id, task.id)

    @staticmethod
    def _replayed(
        earlier: visit_store.Visit,
        kind: str,
        assignee_id: UUID,
        start: datetime,
        end: datetime,
        note: str | None,
    ) -> Booked:
        same = (
            earlier.kind,
            earlier.assignee_id,
            earlier.starts_at,
            earlier.ends_at,
            earlier.note,
        ) == (kind, assignee_id, start, end, note)
        if not same:
            raise Invalid(
                "Idempotency-Key was already used for another booking of this order",
                code="idempotency_key_reused",
            )
        return Booked(earlier.id, earlier.task_id, replayed=True)

    async def _complete_book_visit_tasks(
        self, conn: Conn, order_id: UUID, kind: str, actor: Actor
    ) -> list[Pending]:
        """DOMAIN.md: booking completes the manager's "book a visit" task, if a robot made one."""
        by, now = actor_uuid(actor), self.emitter.clock()
        pending: list[Pending] = []
        for t in await task_store.open_book_visit_tasks(conn, order_id, kind):
            await task_store.complete(conn, t.id, by, now, None, None)
            event = TaskCompleted(
                task_id=t.id, order_id=order_id, kind="book_visit", completed_by=by
            )
            pending.append(Pending(event, f"task-{t.id}", actor))
        return pending

    async def change(
        self,
        visit_id: UUID,
        actor: Actor,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        assignee_id: UUID | None = None,
        cancelled: bool = False,
        reason: str | None = None,
        expected_version: int | None = None,
        note: str | None = None,
    ) -> dict[str, object]:
        """`expected_version`: the version the client saw (a calendar's drag). Checked first,
        under the row lock, so a change made meanwhile is never overwritten by one made on
        what it replaced: 409 version_conflict, with the current version."""
        try:
            async with self.pool.acquire() as conn, conn.transaction():
                visit = await visit_store.get_for_update(conn, visit_id)
                if visit is None:
                    raise NotFound(f"visit {visit_id} not found")
                if expected_version is not None and expected_version != visit.version:
                    raise Conflict(
                        f"the visit is at version {visit.version}, not {expected_version}",
                        code="version_conflict",
                        version=visit.version,
                    )
                if visit.status != "booked":
                    raise Conflict(f"the visit is {visit.status}", code="visit_not_active")
                kind = visit.kind
                if cancelled:
                    version = await visit_store.set_status(conn, visit_id, "cancelled")
                    pending = [
                        Pending(
                            VisitCancelled(
                                visit_id=visit_id,
                                order_id=visit.order_id,
                                kind=kind,  # type: ignore[arg-type]
                                task_id=visit.task_id,
                                reason=reason,
                            ),
                            f"visit-{visit_id}",
                            actor,
                        )
                    ]
                    if await task_store.cancel(conn, visit.task_id):
                        cancel = TaskCancelled(
                            task_id=visit.task_id,
                            order_id=visit.order_id,
                            visit_id=visit_id,
                            kind=kind,  # type: ignore[arg-type]
                            reason="visit cancelled",
                        )
                        pending.append(Pending(cancel, f"task-{visit.task_id}", actor))
                    await self.emitter.emit(conn, pending)
                    return visit_store.visit_to_api(
                        replace(visit, status="cancelled", version=version)
                    )
                moved = replace(
                    visit,
                    starts_at=start or visit.starts_at,
                    ends_at=end or visit.ends_at,
                    assignee_id=assignee_id or visit.assignee_id,
                    # None: unchanged; "" (or blanks): the note is removed.
                    note=visit.note if note is None else (note.strip() or None),
                )
                member = await self._member(conn, moved.assignee_id)
                check_booking(member, kind, moved.starts_at, moved.ends_at)
                version = await visit_store.move(
                    conn, visit_id, moved.assignee_id, moved.starts_at, moved.ends_at, self.buffer
                )
                if moved.assignee_id != visit.assignee_id:
                    await task_store.attach(conn, visit.task_id, None, moved.assignee_id)
                if moved.note != visit.note:
                    await visit_store.set_note(conn, visit_id, moved.note)
                event = VisitRescheduled(
                    visit_id=visit_id,
                    order_id=visit.order_id,
                    kind=kind,  # type: ignore[arg-type]
                    assignee_id=moved.assignee_id,
                    starts_at=moved.starts_at,
                    ends_at=moved.ends_at,
                    task_id=visit.task_id,
                    assignee_timezone=member.timezone,
                )
                await self.emitter.emit(conn, [Pending(event, f"visit-{visit_id}", actor)])
                return visit_store.visit_to_api(replace(moved, version=version))
        except SlotTaken:
            raise await self._slot_taken(
                moved.assignee_id, moved.starts_at, moved.ends_at, visit_id
            ) from None
