"""Bring orders over from Bitrix24 (issue 20): plan everything, then write it all in one go.

All or nothing, by both means at once:
- everything is checked first (domain/bitrix24.py plans every deal, and the existing orders a
  re-run updates are read and diffed) before the first write, so a bad deal is a line in the
  report, never a failure halfway;
- the writes then go into one PostgreSQL transaction (AtomicAppends), so a failure that no
  check can foresee (the database gone, a concurrent import taking the same deal, a crash)
  leaves nothing: a validate-first scheme alone would leave the orders written before it.
The cost is that the transaction holds the event log's append lock while it runs, so other
orders' commands wait for it (about a second per few hundred deals); imports are rare, admin
actions, and the alternative is half an import nobody can tell from a whole one.

Idempotent: each order is kept under the key "bitrix24:deal:<ID>" in the store's idempotency
keys, written in the same append as its creation; a re-run finds the order by it and appends
only what changed.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from contracts.envelope import Actor, Envelope
from contracts.events import registry
from plumbing import correlation
from services.orders.application.ports import (
    IdempotencyKeyTaken,
    IdempotencyRecord,
    ImportJobs,
    ImportStore,
    OrderNumbers,
    WrongExpectedVersion,
)
from services.orders.application.service import Clock, OrderService, stream_of, system_clock
from services.orders.domain.bitrix24 import BadDocument, Person, Plan, PlannedOrder, plan
from services.orders.domain.errors import ImportConflict, ImportNotFound, InvalidImport
from services.orders.domain.imported import Timed, changes, creation
from services.orders.domain.pipeline import Pipeline

KIND = "bitrix24"
# Event ids of a creation are derived from the deal's key: the same deal can never be
# created twice, even by two imports racing past the key check.
NAMESPACE = uuid.UUID("6f1c2a5e-4b1d-4d8e-9a57-2f0e8b1c7d10")
PROGRESS_EVERY = 20
IDEMPOTENCY_HASH = "import:bitrix24"  # the key names the deal; there is no request to compare
BEAT_S = 5.0  # well inside the jobs' STALE_S, so a slow beat is never read as a dead process
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Step:
    planned: PlannedOrder
    action: str  # created | updated | unchanged
    order_id: UUID | None
    expected: int
    events: list[Timed]
    changed: list[str]
    stage: str


class Importer:
    def __init__(
        self,
        core: OrderService,
        store: ImportStore,
        numbers: OrderNumbers,
        jobs: ImportJobs,
        clock: Clock = system_clock,
    ) -> None:
        self.core = core
        self.store = store
        self.numbers = numbers
        self.jobs = jobs
        self.clock = clock

    async def begin(
        self,
        document: Mapping[str, Any],
        people: Sequence[Person],
        actor: Actor,
        *,
        dry_run: bool,
    ) -> tuple[str, Plan]:
        """Check and plan the document (InvalidImport when it cannot be used at all) and open
        its job; `run` does the rest, in the background when it takes long."""
        pipeline = await self.core.pipelines.current()
        try:
            found = plan(document, pipeline, people, self.clock())
        except BadDocument as exc:
            raise InvalidImport(str(exc)) from None
        job_id = str(uuid.uuid4())
        total = len(found.orders)
        await self.jobs.start(job_id, KIND, dry_run, total, actor.username or actor.id or "?")
        return job_id, found

    async def run(self, job_id: str, found: Plan, actor: Actor, *, dry_run: bool) -> dict[str, Any]:
        beating = asyncio.create_task(self._beat(job_id))
        try:
            steps = await self._steps(found)
            if not dry_run:
                steps = await self._apply(job_id, steps, actor)
            report = _report(job_id, dry_run, found, steps)
        except Exception as exc:
            code = getattr(exc, "code", "import_failed")
            await self.jobs.fail(job_id, {"code": code, "detail": str(exc)})
            raise
        finally:
            beating.cancel()
        await self.jobs.finish(job_id, report)
        return report

    async def recent(self, limit: int) -> list[dict[str, Any]]:
        return await self.jobs.recent(limit)

    async def _beat(self, job_id: str) -> None:
        while True:
            await asyncio.sleep(BEAT_S)
            try:
                await self.jobs.beat(job_id)
            except Exception:  # a missed beat is not the import's failure; the next may land
                log.warning("import %s: could not record that it is alive", job_id, exc_info=True)

    async def status(self, job_id: str) -> dict[str, Any]:
        try:
            UUID(job_id)
        except ValueError:
            raise ImportNotFound(f"import {job_id} not found") from None
        job = await self.jobs.get(job_id)
        if job is None:
            raise ImportNotFound(f"import {job_id} not found")
        return job

    async def _steps(self, found: Plan) -> list[Step]:
        now = self.clock()
        pipeline = await self.core.pipelines.current()
        steps = []
        for planned in found.orders:
            record = await self.store.find_idempotency(planned.ref)
            if record is None:
                placeholder = uuid.uuid5(NAMESPACE, planned.ref)  # real id and number: _apply
                events = creation(planned, placeholder, 1, pipeline)
                stage = planned.stage or pipeline.first()
                steps.append(Step(planned, "created", None, 0, events, [], stage))
                continue
            order_id = UUID(record.stream_id.removeprefix("order-"))
            state = await self.core.load(order_id)
            own = await self.core.pipelines.get(state.pipeline_version)
            events, changed = changes(planned, state, own, now)
            stage = next(
                (t.event.to_stage for t in reversed(events) if hasattr(t.event, "to_stage")),
                state.stage,
            )
            action = "updated" if events else "unchanged"
            steps.append(Step(planned, action, order_id, state.version, events, changed, stage))
        return steps

    async def _apply(self, job_id: str, steps: list[Step], actor: Actor) -> list[Step]:
        pipeline = await self.core.pipelines.current()
        done: list[Step] = []
        try:
            async with self.store.atomically() as tx:
                for index, planned in enumerate(steps, start=1):
                    step = await self._numbered(planned, pipeline)
                    if step.events:
                        assert step.order_id is not None
                        key = None
                        if step.action == "created":
                            stream = stream_of(step.order_id)
                            key = IdempotencyRecord(step.planned.ref, IDEMPOTENCY_HASH, stream)
                        await tx.append(
                            stream_of(step.order_id),
                            self._envelopes(step, actor),
                            step.expected,
                            idempotency=key,
                        )
                    done.append(step)
                    if index % PROGRESS_EVERY == 0:
                        await self.jobs.progress(job_id, index)
        except (IdempotencyKeyTaken, WrongExpectedVersion):
            raise ImportConflict(
                "another import or an edit changed these orders while this import ran; "
                "nothing was imported, run it again"
            ) from None
        return done

    async def _numbered(self, step: Step, pipeline: Pipeline) -> Step:
        """A created order's real id and number, drawn only when it is written (a dry run
        draws no numbers)."""
        if step.action != "created":
            return step
        order_id = uuid.uuid4()
        number = await self.numbers.next()
        events = creation(step.planned, order_id, number, pipeline)
        return Step(step.planned, "created", order_id, 0, events, [], step.stage)

    def _envelopes(self, step: Step, actor: Actor) -> list[Envelope]:
        correlation_id = correlation.get_or_new()
        out = []
        for index, timed in enumerate(step.events):
            name = registry.type_name(timed.event)
            event_id = (
                uuid.uuid5(NAMESPACE, f"{step.planned.ref}:{index}:{name}")
                if step.action == "created"
                else uuid.uuid4()
            )
            out.append(
                Envelope(
                    event_id=event_id,
                    type=name,
                    schema_version=registry.current_version(name),
                    stream_id="pending",  # stamped by the store
                    stream_version=1,
                    occurred_at=timed.at,  # when it happened in Bitrix24, not now
                    actor=actor,
                    correlation_id=correlation_id,
                    data=timed.event.model_dump(mode="json"),
                )
            )
        return out


def _report(job_id: str, dry_run: bool, found: Plan, steps: list[Step]) -> dict[str, Any]:
    def count(action: str) -> int:
        return sum(1 for s in steps if s.action == action)

    return {
        "id": job_id,
        "dry_run": dry_run,
        "created": count("created"),
        "updated": count("updated"),
        "unchanged": count("unchanged"),
        "skipped": [{"id": s.id, "why": s.why, "detail": s.detail} for s in found.skipped],
        "unmapped_stages": sorted(found.unmapped_stages),
        "unparseable_phones": found.unparseable_phones,
        "unmatched_users": list(found.unmatched_users.values()),
        "orders": [
            {
                "deal_id": s.planned.deal_id,
                "action": s.action,
                "order_id": str(s.order_id) if s.order_id else None,
                "stage": s.stage,
                "changes": s.changed,
            }
            for s in steps
        ],
    }
