"""Stage moves: forward through a gate, back with a reason, cancel with a reason, and the
robot's move that is recorded as refused when the gate does not hold."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel

from contracts.events import orders as ev
from contracts.roles import may
from services.orders.domain.errors import (
    GateUnmet,
    NotAllowed,
    ReasonRequired,
    TransitionNotAllowed,
    UnknownStage,
)
from services.orders.domain.evolve import evolve
from services.orders.domain.gates import counted_photos, unmet
from services.orders.domain.model import MoveToStage, Order, RobotMove
from services.orders.domain.pipeline import CANCELLED, Pipeline

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def move(command: MoveToStage, state: Order, pipeline: Pipeline) -> list[BaseModel]:
    assert state.id is not None
    if not pipeline.knows(command.to):
        raise UnknownStage(f"to: unknown stage {command.to!r}")
    if not may(command.actor.role or "", "stage.move"):  # forward, back or cancel alike
        raise NotAllowed(f"role {command.actor.role} may not move orders")
    here, there = state.stage, command.to
    if pipeline.is_terminal(here) or here == there:
        raise TransitionNotAllowed(f"{here} → {there} is not a move this order can make")
    reason = (command.reason or "").strip() or None
    if there == CANCELLED:
        if reason is None:
            raise ReasonRequired("reason: cancelling an order needs a reason")
        return [_changed(state, there, "cancel", reason)]
    if pipeline.index(there) < pipeline.index(here):
        if reason is None:
            raise ReasonRequired("reason: moving an order back needs a reason")
        return [_changed(state, there, "back", reason)]
    if there not in pipeline.forward.get(here, ()):
        raise TransitionNotAllowed(f"{here} → {there} is not an allowed move")
    missing = unmet(pipeline, state)
    if missing:
        raise GateUnmet(here, missing)
    return [*_evidence(state, pipeline), _changed(state, there, "forward", reason)]


def robot_move(command: RobotMove, state: Order, pipeline: Pipeline) -> list[BaseModel]:
    """Apply a robot's move if it is still meaningful and the gate holds; else say why not."""
    assert state.id is not None
    if command.cause_event_id in state.seen_causes:
        return []  # answered before (redelivery)
    here, there = state.stage, command.to
    if (
        not pipeline.knows(there)
        or pipeline.is_terminal(here)
        or pipeline.index(there) <= pipeline.index(here)
    ):
        return []  # the order is already there or beyond: nothing to do
    if there not in pipeline.forward.get(here, ()):
        return []
    missing = unmet(pipeline, state)
    if missing:
        return [
            ev.AutoMoveRefused(
                order_id=state.id,
                from_stage=here,
                to_stage=there,
                unmet=[
                    ev.UnmetCondition(code=c.code, message_ru=c.message_ru, message_en=c.message_en)
                    for c in missing
                ],
                rule_id=command.rule_id,
                cause_event_id=command.cause_event_id,
            )
        ]
    return [
        *_evidence(state, pipeline),
        ev.StageChanged(
            order_id=state.id,
            from_stage=here,
            to_stage=there,
            direction="forward",
            by_rule_id=command.rule_id,
            cause_event_id=command.cause_event_id,
        ),
    ]


def retry_awaiting(state: Order, facts: list[BaseModel], pipeline: Pipeline) -> list[BaseModel]:
    """A fact just arrived: if a robot's refused move now passes the gate, make it."""
    waiting = state.awaiting_move
    if waiting is None or waiting.from_stage != state.stage:
        return []
    after = state
    for fact in facts:
        # Facts never move the stage, so the time given to evolve does not matter here.
        after = evolve(after, fact, state.stage_entered_at or EPOCH)
    if unmet(pipeline, after):
        return []
    assert state.id is not None
    return [
        *_evidence(after, pipeline),
        ev.StageChanged(
            order_id=state.id,
            from_stage=state.stage,
            to_stage=waiting.to_stage,
            direction="forward",
            by_rule_id=waiting.rule_id,
            cause_event_id=waiting.cause_event_id,
        ),
    ]


def _evidence(state: Order, pipeline: Pipeline) -> list[BaseModel]:
    """The photos that opened the gate, and why each counted, for the history."""
    assert state.id is not None
    # Photos from before the rules were not judged: there is nothing to say about them.
    counted = [v for v in counted_photos(pipeline, state) if v.reason != "attached_before_rules"]
    if not counted:
        return []
    return [
        ev.GatePhotosCounted(
            order_id=state.id,
            stage=state.stage,
            photos=[
                ev.CountedPhoto(
                    media_id=v.media_id,
                    filename=v.filename,
                    reason=v.reason,
                    distance_m=None if v.distance_m is None else round(v.distance_m, 1),
                )
                for v in counted
            ],
        )
    ]


def _changed(state: Order, there: str, direction: str, reason: str | None) -> ev.StageChanged:
    assert state.id is not None
    return ev.StageChanged(
        order_id=state.id,
        from_stage=state.stage,
        to_stage=there,
        direction=direction,  # type: ignore[arg-type]
        reason=reason,
    )
