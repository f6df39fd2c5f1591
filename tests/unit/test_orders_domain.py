"""The Order decider, rule by rule (DOMAIN.md): given/when/then over events."""

from __future__ import annotations

import uuid
from decimal import Decimal

from contracts.envelope import Actor
from contracts.events import orders as ev
from contracts.events.common import Address, Customer
from services.orders.domain.errors import (
    InvalidOrder,
    NotAllowed,
    OrderAlreadyExists,
    OrderClosed,
    ReasonRequired,
    TransitionNotAllowed,
    UnknownStage,
    WrongStage,
)
from services.orders.domain.model import (
    CreateOrder,
    FinishProduction,
    MoveToStage,
    NoteMedia,
    NoteTaskDone,
    NoteVisit,
    PostComment,
    RecordDealTerms,
    RobotMove,
    UpdateCustomer,
)
from tests.unit.orders_scenario import (
    AT,
    CONTRACTED,
    CUSTOMER,
    DELIVERED,
    DIRECTOR,
    INSTALLED,
    INTAKE_DONE,
    MANAGER,
    MEASURED,
    MEASURER,
    OID,
    PRODUCED,
    ROOMS,
    SHIPPING,
    attached,
    created,
    deal,
    given,
    moved,
    task_done,
    visit,
)


def to(stage: str, actor: Actor = MANAGER, reason: str | None = None) -> MoveToStage:
    return MoveToStage(to=stage, actor=actor, reason=reason)


# --- create -------------------------------------------------------------------------------


def test_a_manager_creates_an_order_and_becomes_its_manager() -> None:
    given().when(CreateOrder(OID, 7, "Шкаф", CUSTOMER, None, MANAGER, AT)).then(created())


def test_an_order_created_by_a_director_has_no_manager_yet() -> None:
    given().when(CreateOrder(OID, 7, "Шкаф", CUSTOMER, None, DIRECTOR, AT)).then(
        created(manager_id=None)
    )


def test_an_order_cannot_be_created_twice() -> None:
    given(created()).when(CreateOrder(OID, 7, "Шкаф", CUSTOMER, None, MANAGER, AT)).then_raises(
        OrderAlreadyExists, "order_exists"
    )


def test_a_blank_title_is_refused() -> None:
    given().when(CreateOrder(OID, 7, " ", CUSTOMER, None, MANAGER, AT)).then_raises(InvalidOrder)


# --- gates, both ways ---------------------------------------------------------------------


def test_intake_needs_a_document() -> None:
    given(created()).when(to("measurement")).then_unmet("documents_missing")


def test_intake_needs_customer_name_phone_and_address() -> None:
    blank = Customer(name="Иванов", phone="+79151234567", address=Address(text=" "))
    given(created(customer=blank), attached("document", "requirements")).when(
        to("measurement")
    ).then_unmet("customer_incomplete")


def test_intake_lists_every_unmet_condition() -> None:
    blank = Customer(name="Иванов", phone="+79151234567", address=Address(text=""))
    given(created(customer=blank)).when(to("measurement")).then_unmet(
        "customer_incomplete", "documents_missing"
    )


def test_intake_with_customer_and_a_document_moves_to_measurement() -> None:
    given(*INTAKE_DONE).when(to("measurement")).then(moved("intake", "measurement"))


def test_measurement_needs_the_visit_task_done_and_results() -> None:
    given(*INTAKE_DONE, moved("intake", "measurement"), visit("measurement")).when(
        to("contract")
    ).then_unmet("measurement_not_done", "measurement_results_missing")


def test_measurement_done_without_results_is_not_enough() -> None:
    booked = visit("measurement")
    given(
        *INTAKE_DONE, moved("intake", "measurement"), booked, task_done("measurement", of=booked)
    ).when(to("contract")).then_unmet("measurement_results_missing")


def test_a_measurement_photo_counts_as_results() -> None:
    booked = visit("measurement")
    given(
        *INTAKE_DONE,
        moved("intake", "measurement"),
        booked,
        task_done("measurement", of=booked),
        attached("photo", "measurement"),
    ).when(to("contract")).then(moved("measurement", "contract"))


def test_structured_measurements_open_the_measurement_gate() -> None:
    given(*MEASURED).when(to("contract")).then(moved("measurement", "contract"))


def test_other_tasks_never_block_a_gate() -> None:
    given(*MEASURED, task_done("custom")).when(to("contract")).then(
        moved("measurement", "contract")
    )


def test_contract_needs_deal_terms_and_a_signed_contract() -> None:
    given(*MEASURED, moved("measurement", "contract")).when(to("production")).then_unmet(
        "deal_terms_missing", "signed_contract_missing"
    )


def test_a_contract_draft_is_not_a_signed_contract() -> None:
    given(
        *MEASURED, moved("measurement", "contract"), deal(), attached("document", "contract_draft")
    ).when(to("production")).then_unmet("signed_contract_missing")


def test_contract_with_terms_and_signature_moves_to_production() -> None:
    given(*CONTRACTED).when(to("production")).then(moved("contract", "production"))


def test_production_must_be_finished() -> None:
    given(*CONTRACTED, moved("contract", "production")).when(to("shipment_prep")).then_unmet(
        "production_not_finished"
    )
    given(*PRODUCED).when(to("shipment_prep")).then(moved("production", "shipment_prep"))


def test_shipment_prep_needs_a_booked_delivery() -> None:
    given(*PRODUCED, moved("production", "shipment_prep")).when(to("delivery")).then_unmet(
        "delivery_not_booked"
    )
    given(*SHIPPING).when(to("delivery")).then(moved("shipment_prep", "delivery"))


def test_a_cancelled_delivery_visit_is_not_booked() -> None:
    vid = uuid.uuid4()
    given(
        *PRODUCED,
        moved("production", "shipment_prep"),
        visit("delivery", visit_id=vid),
        visit("delivery", "cancelled", visit_id=vid),
    ).when(to("delivery")).then_unmet("delivery_not_booked")


def test_delivery_needs_the_delivery_task_done() -> None:
    given(*SHIPPING, moved("shipment_prep", "delivery")).when(to("installation")).then_unmet(
        "delivery_not_done"
    )
    given(*DELIVERED).when(to("installation")).then(moved("delivery", "installation"))


def test_installation_needs_the_task_and_photos_before_closing() -> None:
    booked = visit("installation")
    base = [*DELIVERED, moved("delivery", "installation"), booked]
    given(*base).when(to("closed")).then_unmet(
        "installation_not_done", "installation_photos_missing"
    )
    done = task_done("installation", of=booked)
    given(*base, done).when(to("closed")).then_unmet("installation_photos_missing")
    given(*base, done, attached("photo", "other")).when(to("closed")).then_unmet(
        "installation_photos_missing"
    )
    given(*INSTALLED).when(to("closed")).then(moved("installation", "closed"))


def test_the_rework_loop_needs_its_own_task_and_photos() -> None:
    given(*INSTALLED).when(to("rework")).then(moved("installation", "rework"))
    booked = visit("rework")
    reworking = [*INSTALLED, moved("installation", "rework"), booked]
    given(*reworking).when(to("closed")).then_unmet("rework_not_done", "rework_photos_missing")
    given(*reworking, task_done("rework", of=booked), attached("photo", "rework")).when(
        to("closed")
    ).then(moved("rework", "closed"))


def test_a_detached_photo_no_longer_opens_the_gate() -> None:
    mid, booked = uuid.uuid4(), visit("installation")
    base = [
        *DELIVERED,
        moved("delivery", "installation"),
        booked,
        task_done("installation", of=booked),
        attached("photo", "installation", media_id=mid),
    ]
    given(*base, ev.MediaDetached(order_id=OID, media_id=mid, source_event_id=uuid.uuid4())).when(
        to("closed")
    ).then_unmet("installation_photos_missing")


# --- a gate needs the task of the stage's visit -------------------------------------------


def test_a_role_task_done_without_a_visit_does_not_open_the_gate() -> None:
    """The robot's task for "installers", completed by someone before any visit was booked,
    is not the visit's task: the gate stays shut while the booked visit's task is open."""
    booked = visit("installation")
    base = [*DELIVERED, moved("delivery", "installation"), attached("photo", "installation")]
    given(*base, task_done("installation")).when(to("closed")).then_unmet("installation_not_done")
    given(*base, booked, task_done("installation")).when(to("closed")).then_unmet(
        "installation_not_done"
    )
    given(*base, booked, task_done("installation"), task_done("installation", of=booked)).when(
        to("closed")
    ).then(moved("installation", "closed"))


def test_delivery_done_by_a_stray_task_is_not_done() -> None:
    given(*SHIPPING, moved("shipment_prep", "delivery"), task_done("delivery")).when(
        to("installation")
    ).then_unmet("delivery_not_done")


def test_a_task_of_another_kinds_visit_does_not_count() -> None:
    delivery = visit("delivery")
    given(
        *DELIVERED,
        moved("delivery", "installation"),
        attached("photo", "installation"),
        delivery,
        task_done("installation", of=delivery),
    ).when(to("closed")).then_unmet("installation_not_done")


def test_a_cancelled_visits_task_does_not_count() -> None:
    booked = visit("installation")
    cancelled = visit("installation", "cancelled", visit_id=booked.visit_id)
    given(
        *DELIVERED,
        moved("delivery", "installation"),
        attached("photo", "installation"),
        booked,
        task_done("installation", of=booked),
        cancelled,
    ).when(to("closed")).then_unmet("installation_not_done")


def test_the_task_a_visit_names_is_its_own_even_if_the_fact_names_no_visit() -> None:
    booked = visit("delivery")
    done = task_done("delivery").model_copy(update={"task_id": booked.task_id})
    given(
        *PRODUCED,
        moved("production", "shipment_prep"),
        booked,
        moved("shipment_prep", "delivery"),
        done,
    ).when(to("installation")).then(moved("delivery", "installation"))


def test_the_visits_task_counts_whichever_fact_arrived_first() -> None:
    # Visit and task facts travel on different partitions: the task's may come first.
    booked = visit("delivery")
    given(
        *PRODUCED,
        moved("production", "shipment_prep"),
        task_done("delivery", of=booked),
        booked,
        moved("shipment_prep", "delivery"),
    ).when(to("installation")).then(moved("delivery", "installation"))


def test_measurements_count_only_from_the_measurement_visits_task() -> None:
    in_measurement = [*INTAKE_DONE, moved("intake", "measurement"), visit("measurement")]
    given(*in_measurement, task_done("measurement", ROOMS)).when(to("contract")).then_unmet(
        "measurement_not_done", "measurement_results_missing"
    )


# --- moves ----------------------------------------------------------------------------------


def test_skipping_a_stage_is_not_allowed() -> None:
    given(*INTAKE_DONE).when(to("contract")).then_raises(TransitionNotAllowed)


def test_installation_may_skip_rework_and_close() -> None:
    given(*INSTALLED).when(to("closed")).then(moved("installation", "closed"))


def test_an_unknown_stage_is_invalid_input() -> None:
    given(*INTAKE_DONE).when(to("warehouse")).then_raises(UnknownStage, "unknown_stage")


def test_a_back_move_needs_a_reason_and_is_recorded_as_back() -> None:
    given(*MEASURED, moved("measurement", "contract")).when(to("measurement")).then_raises(
        ReasonRequired
    )
    given(*MEASURED, moved("measurement", "contract")).when(
        to("measurement", reason="клиент изменил размеры")
    ).then(
        ev.StageChanged(
            order_id=OID,
            from_stage="contract",
            to_stage="measurement",
            direction="back",
            reason="клиент изменил размеры",
        )
    )


def test_field_roles_cannot_move_orders() -> None:
    given(*INTAKE_DONE).when(to("measurement", actor=MEASURER)).then_raises(NotAllowed)


def test_cancel_from_any_open_stage_needs_a_reason() -> None:
    given(*MEASURED).when(to("cancelled")).then_raises(ReasonRequired)
    given(*MEASURED).when(to("cancelled", reason="клиент отказался")).then(
        ev.StageChanged(
            order_id=OID,
            from_stage="measurement",
            to_stage="cancelled",
            direction="cancel",
            reason="клиент отказался",
        )
    )


def test_closed_and_cancelled_orders_are_final() -> None:
    closed = [*INSTALLED, moved("installation", "closed")]
    given(*closed).when(to("rework", reason="ещё раз")).then_raises(TransitionNotAllowed)
    given(*closed).when(UpdateCustomer(name="Петров")).then_raises(OrderClosed, "order_closed")
    cancelled = [created(), moved("intake", "cancelled", "cancel")]
    given(*cancelled).when(to("intake", reason="вернули")).then_raises(TransitionNotAllowed)


# --- robots -----------------------------------------------------------------------------------


def test_a_robot_moves_the_order_when_the_gate_holds() -> None:
    cause = uuid.uuid4()
    given(*MEASURED).when(RobotMove("contract", "measurement-done", cause)).then(
        ev.StageChanged(
            order_id=OID,
            from_stage="measurement",
            to_stage="contract",
            direction="forward",
            by_rule_id="measurement-done",
            cause_event_id=cause,
        )
    )


def test_a_robot_move_refused_by_the_gate_is_recorded_with_why() -> None:
    cause, booked = uuid.uuid4(), visit("measurement")
    (refused,) = (
        given(
            *INTAKE_DONE,
            moved("intake", "measurement"),
            booked,
            task_done("measurement", of=booked),
        )
        .when(RobotMove("contract", "measurement-done", cause))
        .decided()
    )
    assert isinstance(refused, ev.AutoMoveRefused)
    assert [u.code for u in refused.unmet] == ["measurement_results_missing"]
    assert refused.cause_event_id == cause


def test_a_robot_request_answered_before_changes_nothing() -> None:
    cause = uuid.uuid4()
    given(
        *MEASURED,
        ev.StageChanged(
            order_id=OID,
            from_stage="measurement",
            to_stage="contract",
            direction="forward",
            by_rule_id="r",
            cause_event_id=cause,
        ),
        moved("contract", "measurement", "back"),
    ).when(RobotMove("contract", "r", cause)).then()


def test_a_robot_never_moves_an_order_backwards() -> None:
    given(*CONTRACTED).when(RobotMove("measurement", "r", uuid.uuid4())).then()


# --- facts and other commands ----------------------------------------------------------------


def test_a_media_fact_is_recorded_once() -> None:
    mid, source = uuid.uuid4(), uuid.uuid4()
    note = NoteMedia(mid, "photo", "installation", "a.jpg", source)
    given(created()).when(note).then(
        ev.MediaAttached(
            order_id=OID,
            media_id=mid,
            kind="photo",
            purpose="installation",
            filename="a.jpg",
            source_event_id=source,
        )
    )
    given(created(), attached("photo", "installation", media_id=mid)).when(note).then()


def test_visit_and_task_facts_are_recorded() -> None:
    vid, tid, source = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    (recorded,) = (
        given(created())
        .when(NoteVisit(vid, tid, "measurement", "booked", source, uuid.uuid4(), AT, AT))
        .decided()
    )
    assert isinstance(recorded, ev.VisitRecorded)
    (done,) = (
        given(created())
        .when(NoteTaskDone(tid, vid, "measurement", uuid.uuid4(), ROOMS, source))
        .decided()
    )
    assert isinstance(done, ev.TaskDone)
    assert done.results == ROOMS


def test_cancelling_an_unknown_visit_records_nothing() -> None:
    given(created()).when(
        NoteVisit(uuid.uuid4(), uuid.uuid4(), "delivery", "cancelled", uuid.uuid4())
    ).then()


def test_deal_terms_are_recorded_in_any_open_stage() -> None:
    command = RecordDealTerms(Decimal("150000.00"), "Зеркало", "Эмаль", "", "50/50")
    given(created()).when(command).then(deal())
    given(created()).when(RecordDealTerms(Decimal("0"), "", "", "", "x")).then_raises(InvalidOrder)


def test_production_is_finished_only_in_production() -> None:
    given(*CONTRACTED).when(FinishProduction()).then_raises(WrongStage, "wrong_stage")
    given(*CONTRACTED, moved("contract", "production")).when(FinishProduction()).then(
        ev.ProductionFinished(order_id=OID)
    )
    given(*PRODUCED).when(FinishProduction()).then()


def test_a_comment_carries_its_resolved_mentions() -> None:
    cid = uuid.uuid4()
    given(created()).when(PostComment(cid, "@measurer проверьте", (("u1", "measurer"),))).then(
        ev.CommentPosted(
            order_id=OID,
            comment_id=cid,
            text="@measurer проверьте",
            mentions=[ev.Mention(user_id="u1", username="measurer")],
        )
    )
    given(created()).when(PostComment(cid, "  ", ())).then_raises(InvalidOrder)


def test_a_robot_move_that_came_before_its_fact_is_made_when_the_fact_arrives() -> None:
    """The robot's request and the completed task travel on different partitions; when the
    request wins the race it is refused, and the late fact then lets the move through."""
    cause, source, booked = uuid.uuid4(), uuid.uuid4(), visit("measurement")
    in_measurement = [*INTAKE_DONE, moved("intake", "measurement"), booked]
    (refused,) = given(*in_measurement).when(RobotMove("contract", "r", cause)).decided()
    assert isinstance(refused, ev.AutoMoveRefused)
    done = NoteTaskDone(booked.task_id, booked.visit_id, "measurement", uuid.uuid4(), ROOMS, source)
    fact, move = given(*in_measurement, refused).when(done).decided()
    assert isinstance(fact, ev.TaskDone)
    assert move == ev.StageChanged(
        order_id=OID,
        from_stage="measurement",
        to_stage="contract",
        direction="forward",
        by_rule_id="r",
        cause_event_id=cause,
    )


def test_a_robot_move_waits_for_a_late_visit_fact_too() -> None:
    """The gate needs the visit's own task, so the visit's fact (on yet another partition)
    may be the one that arrives last: the refused move is made when it does."""
    cause, booked = uuid.uuid4(), visit("measurement")
    done_first = [
        *INTAKE_DONE,
        moved("intake", "measurement"),
        task_done("measurement", ROOMS, of=booked),
    ]
    (refused,) = given(*done_first).when(RobotMove("contract", "r", cause)).decided()
    assert isinstance(refused, ev.AutoMoveRefused)
    assert [u.code for u in refused.unmet] == [
        "measurement_not_done",
        "measurement_results_missing",  # results count from the visit's task alone
    ]
    note = NoteVisit(
        booked.visit_id,
        booked.task_id,
        "measurement",
        "booked",
        uuid.uuid4(),
        booked.assignee_id,
        booked.starts_at,
        booked.ends_at,
    )
    fact, move = given(*done_first, refused).when(note).decided()
    assert isinstance(fact, ev.VisitRecorded)
    assert isinstance(move, ev.StageChanged)
    assert (move.to_stage, move.by_rule_id, move.cause_event_id) == ("contract", "r", cause)


def test_a_waiting_robot_move_lapses_once_the_order_moved_on() -> None:
    cause = uuid.uuid4()
    in_measurement = [*INTAKE_DONE, moved("intake", "measurement")]
    (refused,) = given(*in_measurement).when(RobotMove("contract", "r", cause)).decided()
    moved_back = moved("measurement", "intake", "back")
    (fact,) = (
        given(*in_measurement, refused, moved_back)
        .when(NoteMedia(uuid.uuid4(), "photo", "measurement", "m.jpg", uuid.uuid4()))
        .decided()
    )
    assert isinstance(fact, ev.MediaAttached)
