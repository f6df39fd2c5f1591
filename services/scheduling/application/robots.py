"""Robots at work: for one causing event, every matching rule fires at most once.

Runs inside the transaction that applies the cause (the consumer's inbox transaction, or the
one that completed a task or fired a timer), so the firing commits with it or not at all.
Two guards against a second firing: the `rule_firings` primary key (rule, cause), and
deterministic event and task ids (uuid5 of the cause, the rule and the action's own id, which
an edit of the rule does not change), unique in the outbox and tasks.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from contracts.envelope import Actor, Envelope
from contracts.events import registry
from contracts.events.media import MediaUploaded
from contracts.events.orders import StageChanged
from contracts.events.scheduling import (
    NotificationRequested,
    OrderOverdue,
    StageMoveRequested,
    TaskCompleted,
    TaskCreated,
)
from plumbing.db import Conn
from services.scheduling.adapters import order_store, pipeline_store, rule_store, task_store
from services.scheduling.adapters.task_store import Task
from services.scheduling.application.events import Emitter, Pending, derived_id
from services.scheduling.application.visit_tasks import task_created
from services.scheduling.domain.rules import (
    CreateTask,
    Fact,
    Notify,
    RequestStageMove,
    Rule,
    matches,
    render,
)

TRIGGERS = frozenset(
    {
        "orders.StageChanged",
        "scheduling.TaskCompleted",
        "media.MediaUploaded",
        "scheduling.OrderOverdue",
    }
)


class Robots:
    def __init__(self, emitter: Emitter) -> None:
        self.emitter = emitter

    async def fire(self, conn: Conn, cause: Envelope) -> list[str]:
        """Evaluate the rules for `cause`; returns the ids of the rules that fired."""
        if cause.type not in TRIGGERS:
            return []
        fact = await self._fact(conn, cause)
        if fact is None:
            return []
        fired: list[str] = []
        for rule in await rule_store.rules_for(conn, fact.trigger):
            if matches(rule, fact) and await rule_store.claim_firing(conn, rule.id, cause.event_id):
                await self._act(conn, rule, fact, cause)
                fired.append(rule.id)
        return fired

    async def _fact(self, conn: Conn, cause: Envelope) -> Fact | None:
        event = registry.decode(cause)
        match event:
            case StageChanged() if event.imported_from is not None:
                # A move brought over from Bitrix24 happened there, maybe months ago: its
                # tasks and notices belong to that past, not to today (issue 20).
                return None
            case StageChanged():
                fact = Fact(
                    "order_entered_stage",
                    event.order_id,
                    event.to_stage,
                    from_stage=event.from_stage,
                    direction=event.direction,
                )
            case TaskCompleted(order_id=order_id) if order_id is not None:
                task = await task_store.get(conn, event.task_id)
                fact = Fact(
                    "task_completed",
                    order_id,
                    None,
                    task_kind=event.kind,
                    title=task.title if task else None,
                )
            case MediaUploaded():
                fact = Fact(
                    "media_uploaded",
                    event.order_id,
                    None,
                    media_kind=event.kind,
                    media_purpose=event.purpose,
                )
            case OrderOverdue():
                fact = Fact("order_overdue", event.order_id, event.stage)
            case _:
                return None
        order = await order_store.get(conn, fact.order_id)
        return replace(
            fact,
            stage=fact.stage or (order.stage if order else None),
            number=order.number if order else None,
            pipeline_version=order.pipeline_version if order else None,
            booked_visit_kinds=await order_store.booked_visit_kinds(conn, fact.order_id),
            pipeline=await pipeline_store.get(conn, order.pipeline_version) if order else None,
        )

    async def _act(self, conn: Conn, rule: Rule, fact: Fact, cause: Envelope) -> None:
        robot = Actor(kind="robot", rule_id=rule.id)
        pending: list[Pending] = []
        for action in rule.actions:
            # The action's id, not its place in the rule: an edit may move it (rules are read
            # with their ids, so `action.id` is set here).
            event_id = derived_id(cause.event_id, rule.id, f"{action.id}:{action.type}")
            match action:
                case CreateTask():
                    task = Task.new(
                        id=derived_id(cause.event_id, rule.id, f"{action.id}:task"),
                        order_id=fact.order_id,
                        kind=action.kind,
                        title=action.title,
                        assignee_id=action.assignee_id,
                        assignee_role=action.assignee_role,
                        due_at=cause.occurred_at + timedelta(hours=action.due_in_hours),
                        visit_kind=action.visit_kind,
                        rule_id=rule.id,
                        cause_event_id=cause.event_id,
                        created_at=self.emitter.clock(),
                    )
                    if not await task_store.insert(conn, task):
                        continue
                    event: TaskCreated | StageMoveRequested | NotificationRequested = task_created(
                        task
                    )
                    stream = f"task-{task.id}"
                case RequestStageMove():
                    event = StageMoveRequested(
                        order_id=fact.order_id,
                        to_stage=action.to_stage,
                        rule_id=rule.id,
                        cause_event_id=cause.event_id,
                        cause_type=cause.type,
                    )
                    # Same stream (so same partition) as a scheduling cause: the orders service
                    # then sees the completed task before the move it justifies.
                    stream = (
                        cause.stream_id
                        if cause.type.startswith("scheduling.")
                        else f"rule-{rule.id}"
                    )
                case Notify():
                    event = NotificationRequested(
                        order_id=fact.order_id,
                        notify_manager=action.manager,
                        role=action.role,
                        user_id=action.user_id,
                        text_ru=render(action.text_ru, fact, "ru"),
                        text_en=render(action.text_en, fact, "en"),
                        rule_id=rule.id,
                        cause_event_id=cause.event_id,
                    )
                    stream = f"rule-{rule.id}"
            pending.append(Pending(event, stream, robot, cause=cause, event_id=event_id))
        await self.emitter.emit(conn, pending)
