"""The order's history reads as plain words in both languages: every event type of the orders
service has a line, and no line shows a raw key, an id, a UTC timestamp or a class name."""

from __future__ import annotations

import inspect
import re
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import get_args

import pytest
from pydantic import BaseModel

from contracts.envelope import Actor
from contracts.events import orders as ev
from contracts.events.common import (
    DOCUMENT_PURPOSES,
    PHOTO_PURPOSES,
    VISIT_KINDS,
    Address,
    Customer,
    CustomerV1,
    GeoPoint,
    MeasurementResults,
    RoomMeasurement,
)
from contracts.events.scheduling import TaskKind
from contracts.pipeline import PipelineDefinition
from services.orders.domain.default_pipeline import DEFAULT_DEFINITION, default_pipeline
from services.orders.domain.history import GENERIC, index_causes, summarize, who
from services.orders.domain.words import MEDIA_PURPOSES, TASK_KINDS
from services.orders.domain.words import VISIT_KINDS as VISIT_WORDS

PIPELINE = default_pipeline()
OID = uuid.UUID("6a1d7b63-9b62-4d1f-8b68-4e2f3a5c7d81")
USER = uuid.UUID("0b7e2c1a-3d4f-4a5b-8c6d-7e8f9a0b1c2d")
RULE = "measurement-done-to-contract"
# The ids of scheduling's and media's events the order records as facts.
TASK_COMPLETED = uuid.UUID("3f2a9c10-1111-4e2f-9a3b-5c6d7e8f9a0b")
PLAN_UPLOADED = uuid.UUID("3f2a9c10-2222-4e2f-9a3b-5c6d7e8f9a0b")
CONTRACT_UPLOADED = uuid.UUID("3f2a9c10-3333-4e2f-9a3b-5c6d7e8f9a0b")
OVERDUE_TIMER = uuid.UUID("3f2a9c10-4444-4e2f-9a3b-5c6d7e8f9a0b")
# 09:00 UTC is 12:00 in Moscow.
STARTS = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ENDS = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
AMOUNT = Decimal("731904.00")
CUSTOMER = Customer(name="Иванов", phone="+79151234567", address=Address(text="Москва"))


def _id(n: int) -> uuid.UUID:
    return uuid.UUID(int=0x5E0D0000_0000_4000_8000_000000000000 + n)


TASK_DONE = ev.TaskDone(
    order_id=OID,
    task_id=_id(1),
    visit_id=_id(2),
    kind="measurement",
    completed_by=USER,
    results=MeasurementResults(
        rooms=[RoomMeasurement(name="Прихожая", width_mm=2400, height_mm=2650)]
    ),
    source_event_id=TASK_COMPLETED,
)
PLAN = ev.MediaAttached(
    order_id=OID,
    media_id=_id(3),
    kind="document",
    purpose="requirements",
    filename="plan.pdf",
    source_event_id=PLAN_UPLOADED,
)
SIGNED = ev.MediaAttached(
    order_id=OID,
    media_id=_id(4),
    kind="document",
    purpose="signed_contract",
    filename="dogovor.pdf",
    source_event_id=CONTRACT_UPLOADED,
)
BOOKED = ev.VisitRecorded(
    order_id=OID,
    visit_id=_id(2),
    task_id=_id(1),
    kind="measurement",
    status="booked",
    assignee_id=USER,
    starts_at=STARTS,
    ends_at=ENDS,
    source_event_id=_id(5),
)
CANCELLED = BOOKED.model_copy(update={"status": "cancelled", "source_event_id": _id(6)})
ROBOT_MOVE = ev.StageChanged(
    order_id=OID,
    from_stage="measurement",
    to_stage="contract",
    direction="forward",
    by_rule_id=RULE,
    cause_event_id=TASK_COMPLETED,
)


def _unmet(*codes: str) -> list[ev.UnmetCondition]:
    found = {c.code: c for s in PIPELINE.stages for c in s.gate}
    return [
        ev.UnmetCondition(code=c, message_ru=found[c].message_ru, message_en=found[c].message_en)
        for c in codes
    ]


REFUSED = ev.AutoMoveRefused(
    order_id=OID,
    from_stage="contract",
    to_stage="production",
    unmet=_unmet("deal_terms_missing", "signed_contract_missing"),
    rule_id="contract-to-production",
    cause_event_id=OVERDUE_TIMER,
)

# One of each event class of contracts/events/orders.py (a new class fails the test below
# until it has a sample here, and a line in summarize).
SAMPLES: dict[type[BaseModel], list[BaseModel]] = {
    ev.OrderCreatedV1: [
        ev.OrderCreatedV1(
            order_id=OID,
            number=12,
            title="Шкаф-купе",
            customer=CustomerV1(name="Иванов", phone="+79151234567", address="Москва"),
        )
    ],
    ev.OrderCreatedV2: [
        ev.OrderCreatedV2(order_id=OID, number=12, title="Шкаф", customer=CUSTOMER)
    ],
    ev.OrderCreated: [
        ev.OrderCreated(order_id=OID, number=12, title="Шкаф", customer=CUSTOMER),
        ev.OrderCreated(
            order_id=OID, number=12, title="Шкаф", customer=CUSTOMER, imported_from="bitrix24"
        ),
    ],
    ev.PipelinePublished: [
        ev.PipelinePublished(
            version=2, definition=PipelineDefinition.model_validate(DEFAULT_DEFINITION)
        )
    ],
    ev.CustomerUpdated: [ev.CustomerUpdated(order_id=OID, customer=CUSTOMER)],
    ev.ManagerAssigned: [ev.ManagerAssigned(order_id=OID, manager_id=str(USER))],
    ev.SmsConsentRecorded: [
        ev.SmsConsentRecorded(order_id=OID, consent=True, by=USER),
        ev.SmsConsentRecorded(order_id=OID, consent=False, by=None),
    ],
    ev.TitleChanged: [ev.TitleChanged(order_id=OID, title="Шкаф-купе")],
    ev.OrderImported: [
        ev.OrderImported(
            order_id=OID,
            source="bitrix24",
            external_ref="bitrix24:deal:7",
            comments="скидка 5%",
            currency="RUB",
        )
    ],
    ev.PromisedDateSet: [
        ev.PromisedDateSet(order_id=OID, promised_date=date(2026, 12, 12)),
        ev.PromisedDateSet(order_id=OID, promised_date=None),
    ],
    ev.StageChanged: [
        ROBOT_MOVE,
        ev.StageChanged(
            order_id=OID, from_stage="intake", to_stage="measurement", direction="forward"
        ),
        ev.StageChanged(
            order_id=OID,
            from_stage="shipment_prep",
            to_stage="production",
            direction="back",
            reason="брак фасада",
        ),
        ev.StageChanged(
            order_id=OID,
            from_stage="installation",
            to_stage="cancelled",
            direction="cancel",
            reason="клиент передумал",
        ),
        # A robot that reacted to a commercial document, and one to an event of another
        # service the order never recorded.
        ROBOT_MOVE.model_copy(update={"cause_event_id": CONTRACT_UPLOADED}),
        ROBOT_MOVE.model_copy(update={"cause_event_id": OVERDUE_TIMER}),
        # Issue 20: a move brought over from Bitrix24's history.
        ev.StageChanged(
            order_id=OID,
            from_stage="intake",
            to_stage="measurement",
            direction="forward",
            imported_from="bitrix24",
        ),
    ],
    ev.StageChangedV1: [
        ev.StageChangedV1(
            order_id=OID, from_stage="intake", to_stage="measurement", direction="forward"
        )
    ],
    ev.AutoMoveRefused: [
        REFUSED,
        ev.AutoMoveRefused(
            order_id=OID,
            from_stage="installation",
            to_stage="closed",
            unmet=_unmet("installation_not_done", "installation_photos_missing"),
            rule_id="installation-book_visit",
            cause_event_id=TASK_COMPLETED,
        ),
    ],
    ev.DealTermsRecorded: [
        ev.DealTermsRecorded(
            order_id=OID,
            amount=AMOUNT,
            decor="шпон дуба",
            finishing="лак матовый",
            extra_work="демонтаж",
            payment_terms="предоплата 50%",
        )
    ],
    ev.ProductionFinished: [ev.ProductionFinished(order_id=OID)],
    ev.CommentPosted: [
        ev.CommentPosted(
            order_id=OID,
            comment_id=_id(7),
            text="@measurer сумма 731904, rework",
            mentions=[ev.Mention(user_id=str(USER), username="measurer")],
        )
    ],
    ev.MediaAttached: [
        PLAN,
        SIGNED,
        ev.MediaAttached(
            order_id=OID,
            media_id=_id(8),
            kind="photo",
            purpose="installation",
            filename="IMG_0001.jpg",
            source_event_id=_id(9),
        ),
    ],
    ev.MediaAttachedV1: [
        ev.MediaAttachedV1(
            order_id=OID,
            media_id=_id(11),
            kind="photo",
            purpose="rework",
            filename="IMG_0002.jpg",
            source_event_id=_id(12),
        )
    ],
    ev.MediaDetached: [ev.MediaDetached(order_id=OID, media_id=_id(3), source_event_id=_id(10))],
    ev.VisitRecorded: [BOOKED, CANCELLED, BOOKED.model_copy(update={"booked_at": STARTS})],
    ev.VisitRecordedV1: [ev.VisitRecordedV1(**BOOKED.model_dump(exclude={"booked_at"}))],
    ev.VisitPresence: [
        ev.VisitPresence(
            order_id=OID,
            visit_id=_id(2),
            act=act,
            assignee_id=USER,
            at=STARTS,
            location=GeoPoint(lat=55.7558, lon=37.6173),
            source_event_id=_id(13),
        )
        for act in ("check_in", "check_out")
    ],
    ev.SitePinned: [
        ev.SitePinned(order_id=OID, location=GeoPoint(lat=55.7558, lon=37.6173), by_check_in=by)
        for by in (_id(2), None)
    ],
    ev.PhotoReviewed: [
        ev.PhotoReviewed(
            order_id=OID,
            media_id=_id(8),
            decision="confirm",
            reason="GPS сбился, фото с объекта",
            source_event_id=_id(14),
        ),
        ev.PhotoReviewed(order_id=OID, media_id=_id(8), decision="reject", source_event_id=_id(15)),
    ],
    ev.GatePhotosCounted: [
        ev.GatePhotosCounted(
            order_id=OID,
            stage="installation",
            photos=[
                ev.CountedPhoto(
                    media_id=_id(8), filename="IMG_0001.jpg", reason=reason, distance_m=distance
                )
                for reason, distance in (
                    ("on_site", 42.0),
                    ("confirmed", None),
                    ("site_not_pinned", None),
                )
            ],
        )
    ],
    ev.TaskDone: [
        TASK_DONE,
        TASK_DONE.model_copy(update={"kind": "book_visit", "results": None}),
        TASK_DONE.model_copy(update={"kind": "custom", "results": None}),
    ],
}
# Value shapes of the module, not events.
NOT_EVENTS = {ev.Mention, ev.UnmetCondition, ev.CountedPhoto}
CAUSES = index_causes([(_id(100), TASK_DONE), (_id(101), PLAN), (_id(102), SIGNED)])

STAGES = {s.key for s in PIPELINE.stages}
GATE_CODES = {c.code for s in PIPELINE.stages for c in s.gate}
RULE_IDS = {RULE, "contract-to-production", "installation-book_visit"}
RAW_KEYS = (
    set(VISIT_KINDS)
    | set(get_args(TaskKind))
    | set(DOCUMENT_PURPOSES)
    | set(PHOTO_PURPOSES)
    | GATE_CODES
    | STAGES
    | RULE_IDS
)
# The human words for keys, which may hold a key ("Order intake", "Customer requirements").
TITLES_EN = sorted(
    {s.title_en for s in PIPELINE.stages}
    | {w.en for table in (VISIT_WORDS, TASK_KINDS, MEDIA_PURPOSES) for w in table.values()},
    key=len,
    reverse=True,
)
# A key that is also the plain English word a line uses ("Visit … cancelled").
ENGLISH_WORDS = {"cancelled"}
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
ISO_RE = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def event_classes() -> list[type[BaseModel]]:
    return [
        cls
        for name, cls in vars(ev).items()
        if inspect.isclass(cls)
        and issubclass(cls, BaseModel)
        and cls.__module__ == ev.__name__
        and not name.startswith("_")
        and cls not in NOT_EVENTS
    ]


def _user_text(event: BaseModel, lang: str) -> list[str]:
    """What people typed or the pipeline says, which a line may quote as it is."""
    texts = [getattr(event, k, None) for k in ("filename", "reason")]
    texts.extend(p.filename for p in getattr(event, "photos", []))
    texts.extend(
        c.message_ru if lang == "ru" else c.message_en for c in getattr(event, "unmet", [])
    )
    return [t for t in texts if t]


def assert_readable(line: str, event: BaseModel, lang: str) -> None:
    assert line.strip(), event
    assert not UUID_RE.search(line), line
    assert not ISO_RE.search(line), line
    # Commercial values: the history goes to field roles too.
    for secret in (str(AMOUNT), "731904", "шпон", "лак", "демонтаж", "предоплата", "50%"):
        assert secret not in line, line
    for cls in event_classes():
        assert not re.search(rf"\b{cls.__name__}\b", line), (cls.__name__, line)
    rest = line
    for text in _user_text(event, lang):
        rest = rest.replace(text, "")
    for title in TITLES_EN if lang == "en" else ():
        rest = rest.replace(title, "")
    if lang == "ru":
        # Russian words only: any Latin word left is a key.
        assert not re.search(r"[A-Za-z]", rest), line
    for key in RAW_KEYS - ENGLISH_WORDS if lang == "en" else RAW_KEYS:
        # Keys are lowercase; the English words for them are capitalised.
        assert not re.search(rf"(?<![\w-]){re.escape(key)}(?![\w-])", rest), (key, line)


def test_every_event_class_has_samples() -> None:
    missing = [cls.__name__ for cls in event_classes() if cls not in SAMPLES]
    assert not missing, f"add samples (and a line in summarize) for {missing}"


@pytest.mark.parametrize("lang", ["ru", "en"])
@pytest.mark.parametrize("cls", event_classes(), ids=lambda c: c.__name__)
def test_every_event_reads_in_plain_words(cls: type[BaseModel], lang: str) -> None:
    for event in SAMPLES.get(cls, []):
        for causes in (CAUSES, None):
            line = summarize(event, PIPELINE, lang, causes)
            assert line != GENERIC.text(lang), f"{cls.__name__} has no line of its own"
            assert_readable(line, event, lang)


def test_a_robot_move_names_its_cause_by_the_causes_own_line() -> None:
    assert summarize(ROBOT_MOVE, PIPELINE, "ru", CAUSES) == (
        "Переход: Замер → Заключение сделки (робот, причина: «Задача выполнена: Замер»)"
    )
    assert summarize(ROBOT_MOVE, PIPELINE, "en", CAUSES) == (
        "Moved: Measurement → Contract (robot, cause: “Task done: Measurement”)"
    )
    # Given no stream to look in, the line names the robot only.
    assert summarize(ROBOT_MOVE, PIPELINE) == "Переход: Замер → Заключение сделки (робот)"


def test_a_robot_move_never_quotes_a_cause_a_field_role_may_not_see() -> None:
    by_contract = ROBOT_MOVE.model_copy(update={"cause_event_id": CONTRACT_UPLOADED})
    line = summarize(by_contract, PIPELINE, "ru", CAUSES)
    assert line == "Переход: Замер → Заключение сделки (робот, причина: событие заказа)"
    assert "dogovor" not in line


def test_a_cause_outside_the_orders_stream_is_said_in_words() -> None:
    by_timer = ROBOT_MOVE.model_copy(update={"cause_event_id": OVERDUE_TIMER})
    assert summarize(by_timer, PIPELINE, "en", CAUSES) == (
        "Moved: Measurement → Contract (robot, cause: an event outside this order's history)"
    )


def test_a_refused_auto_move_lists_every_unmet_gate_in_words() -> None:
    assert summarize(REFUSED, PIPELINE, "ru", CAUSES) == (
        "Робот не перевёл заказ в «Производство»: Не записаны условия сделки; "
        "Не приложен подписанный договор (причина: событие вне истории заказа)"
    )
    assert summarize(REFUSED, PIPELINE, "en") == (
        "A robot could not move the order to “Production”: Deal terms are not recorded; "
        "The signed contract is not attached"
    )


def test_a_visit_reads_with_its_kind_and_local_time() -> None:
    assert summarize(BOOKED, PIPELINE) == "Выезд «Замер» назначен на 01.12.2026 12:00"
    assert summarize(CANCELLED, PIPELINE) == "Выезд «Замер» на 01.12.2026 12:00 отменён"
    assert summarize(BOOKED, PIPELINE, "en") == "Visit “Measurement” booked for 01.12.2026 12:00"
    assert summarize(CANCELLED, PIPELINE, "en") == (
        "Visit “Measurement” on 01.12.2026 12:00 cancelled"
    )


def test_a_promised_date_reads_as_a_day_in_each_language() -> None:
    promised = ev.PromisedDateSet(order_id=OID, promised_date=date(2026, 12, 12))
    cleared = ev.PromisedDateSet(order_id=OID, promised_date=None)
    assert summarize(promised, PIPELINE) == "Обещано клиенту к 12.12.2026"
    assert summarize(promised, PIPELINE, "en") == "Promised to the customer by 12 Dec 2026"
    assert summarize(cleared, PIPELINE) == "Обещанная клиенту дата снята"
    assert summarize(cleared, PIPELINE, "en") == "Promised date removed"


def test_a_document_reads_with_its_purpose() -> None:
    assert summarize(PLAN, PIPELINE) == "Приложен документ «plan.pdf» (Требования покупателя)"
    assert summarize(PLAN, PIPELINE, "en") == (
        "Document “plan.pdf” attached (Customer requirements)"
    )


def test_an_unknown_event_type_reads_as_an_order_event() -> None:
    class Newer(BaseModel):
        order_id: uuid.UUID

    assert summarize(Newer(order_id=OID), PIPELINE) == "Событие заказа"
    assert summarize(Newer(order_id=OID), PIPELINE, "en") == "Order event"


def test_the_actor_is_named_without_a_rule_id() -> None:
    robot = Actor(kind="robot", rule_id=RULE)
    assert who(robot, "ru") == "робот"
    assert who(robot, "en") == "robot"
    assert who(Actor(kind="user", id=str(USER)), "ru") == "пользователь"
