"""One line per event for the order's history, in Russian and English. Pure.

A line shows no raw key: stages by their titles in the order's pipeline version, visit and
task kinds and media purposes by their words (words.py), gate conditions by their messages,
times in the company's zone. A robot is named "робот": its rule's human name lives in
scheduling, which the orders service does not hear from; what it reacted to is said instead,
as that event's own line when the order's stream holds it.

Commercial values never appear in a summary: the history is shown to field roles too (the
gateway strips commercial keys from `data` and drops commercial entries; the summary must not
leak them either, nor quote a hidden entry as a robot's cause).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, tzinfo
from uuid import UUID

from pydantic import BaseModel

from contracts.api.hidden import COMMERCIAL_DOCUMENT_PURPOSES, gate_condition_visible
from contracts.envelope import Actor
from contracts.events import orders as ev
from services.orders.domain.pipeline import Pipeline
from services.orders.domain.words import (
    COMPANY_TIMEZONE,
    MEDIA_PURPOSES,
    TASK_KINDS,
    VISIT_KINDS,
    Word,
    day,
    word,
)

# A type this release has no line for (a newer event, say): readable, never a class name.
GENERIC = Word("Событие заказа", "Order event")

# An order's events by id, for naming a robot's cause (see index_causes).
Causes = Mapping[UUID, BaseModel]


def who(actor: Actor, lang: str) -> str:
    ru = lang == "ru"
    if actor.kind == "robot":
        return "робот" if ru else "robot"
    if actor.kind == "system":
        return "система" if ru else "system"
    return actor.username or ("пользователь" if ru else "user")


def index_causes(events: Iterable[tuple[UUID, BaseModel]]) -> dict[UUID, BaseModel]:
    """An order's events under their own ids, and each fact also under the id of the other
    service's event it records: a robot's cause is usually that event (scheduling's
    TaskCompleted, media's MediaUploaded), which the order's stream holds only as its fact."""
    out: dict[UUID, BaseModel] = {}
    for event_id, event in events:
        out[event_id] = event
        source = getattr(event, "source_event_id", None)
        if isinstance(source, UUID):
            out.setdefault(source, event)
    return out


def summarize(
    event: BaseModel,
    pipeline: Pipeline,
    lang: str = "ru",
    causes: Causes | None = None,
    tz: tzinfo = COMPANY_TIMEZONE,
) -> str:
    """`pipeline` is the order's own version: its titles name the stages it moved through.
    `causes` (index_causes of the order's stream) lets a robot's line say what it reacted to;
    without it the line names the robot only."""
    ru = lang == "ru"
    match event:
        case ev.OrderCreatedV2() | ev.OrderCreatedV1():  # v3 (OrderCreated) is a v2 too
            text = f"Заказ №{event.number} создан" if ru else f"Order #{event.number} created"
            if getattr(event, "imported_from", None):
                text += " в Битрикс24" if ru else " in Bitrix24"
            return text
        case ev.PipelinePublished():
            return (
                f"Опубликована версия {event.version} стадий заказа"
                if ru
                else f"Order pipeline version {event.version} published"
            )
        case ev.StageChangedV1():  # v2 (StageChanged) is one too
            return _stage_changed(event, pipeline, lang, causes, tz)
        case ev.AutoMoveRefused():
            to = pipeline.title(event.to_stage, lang)
            why = "; ".join(_condition(c, lang) for c in event.unmet)
            cause = _cause(event.cause_event_id, pipeline, lang, causes, tz)
            tail = "" if cause is None else (f" (причина: {cause})" if ru else f" (cause: {cause})")
            return (
                f"Робот не перевёл заказ в «{to}»: {why}{tail}"
                if ru
                else f"A robot could not move the order to “{to}”: {why}{tail}"
            )
        case ev.DealTermsRecorded():
            return "Записаны условия сделки" if ru else "Deal terms recorded"
        case ev.ProductionFinished():
            return "Производство завершено" if ru else "Production finished"
        case ev.OrderImported():
            return "Перенесён из Битрикс24" if ru else "Brought over from Bitrix24"
        case ev.TitleChanged():
            return f"Название: «{event.title}»" if ru else f"Title: “{event.title}”"
        case ev.CommentPosted():
            return "Комментарий в чате" if ru else "Chat comment"
        case ev.MediaAttachedV1():  # v2 (MediaAttached) is one too
            return _media_attached(event, lang)
        case ev.MediaDetached():
            return "Файл откреплён" if ru else "File detached"
        case ev.VisitRecordedV1():  # v2 (VisitRecorded) is one too
            kind = word(VISIT_KINDS, event.kind, lang)
            visit = (f"Выезд «{kind}»" if ru else f"Visit “{kind}”") if kind else _VISIT[ru]
            when = _local(event.starts_at, tz)
            if event.status == "cancelled":
                return f"{visit} на {when} отменён" if ru else f"{visit} on {when} cancelled"
            return f"{visit} назначен на {when}" if ru else f"{visit} booked for {when}"
        case ev.VisitPresence():
            when = _local(event.at, tz)
            if event.act == "check_in":
                return (
                    f"Отметка на объекте: прибыл {when}" if ru else f"Checked in on site at {when}"
                )
            return (
                f"Отметка на объекте: убыл {when}" if ru else f"Checked out of the site at {when}"
            )
        case ev.SitePinned():
            point = f"{event.location.lat:.5f}, {event.location.lon:.5f}"
            if event.by_check_in is not None:
                return (
                    f"Положение объекта закреплено по первой отметке: {point}"
                    if ru
                    else f"Site position pinned by the first check-in: {point}"
                )
            return (
                f"Положение объекта изменено менеджером: {point}"
                if ru
                else f"Site position re-pinned by a manager: {point}"
            )
        case ev.PhotoReviewed():
            return _photo_reviewed(event, lang)
        case ev.GatePhotosCounted():
            return _photos_counted(event, pipeline, lang)
        case ev.TaskDone():
            kind = word(TASK_KINDS, event.kind, lang)
            done = "Задача выполнена" if ru else "Task done"
            return f"{done}: {kind}" if kind else done
        case ev.CustomerUpdated():
            return "Изменены данные клиента" if ru else "Customer details changed"
        case ev.ManagerAssigned():
            return "Назначен менеджер" if ru else "Manager assigned"
        case ev.SmsConsentRecorded():
            if event.consent:
                return "Клиент согласен на СМС о визитах" if ru else "Customer agreed to visit SMS"
            return "Клиент отказался от СМС о визитах" if ru else "Customer declined visit SMS"
        case ev.PromisedDateSet():
            if event.promised_date is None:
                return "Обещанная клиенту дата снята" if ru else "Promised date removed"
            when = day(event.promised_date, lang)
            return f"Обещано клиенту к {when}" if ru else f"Promised to the customer by {when}"
    return GENERIC.text(lang)


_VISIT = {True: "Выезд", False: "Visit"}


def _stage_changed(
    event: ev.StageChangedV1, pipeline: Pipeline, lang: str, causes: Causes | None, tz: tzinfo
) -> str:
    ru = lang == "ru"
    to = pipeline.title(event.to_stage, lang)
    frm = pipeline.title(event.from_stage, lang)
    text = {
        ("forward", True): f"Переход: {frm} → {to}",
        ("forward", False): f"Moved: {frm} → {to}",
        ("back", True): f"Возврат: {frm} → {to}",
        ("back", False): f"Moved back: {frm} → {to}",
        ("cancel", True): "Заказ отменён",
        ("cancel", False): "Order cancelled",
    }[(event.direction, ru)]
    if event.by_rule_id:
        robot = "робот" if ru else "robot"
        cause = (
            None
            if event.cause_event_id is None
            else _cause(event.cause_event_id, pipeline, lang, causes, tz)
        )
        if cause is not None:
            robot += f", причина: {cause}" if ru else f", cause: {cause}"
        text += f" ({robot})"
    if event.reason:
        text += f": {event.reason}"
    elif getattr(event, "imported_from", None):
        text += " (в Битрикс24)" if ru else " (in Bitrix24)"
    return text


def _cause(
    cause_id: UUID, pipeline: Pipeline, lang: str, causes: Causes | None, tz: tzinfo
) -> str | None:
    """What a robot reacted to, in words; None when the caller gave no stream to look in."""
    ru = lang == "ru"
    if causes is None:
        return None
    cause = causes.get(cause_id)
    if cause is None:
        # Another service's event the order never recorded (an overdue timer, say).
        return "событие вне истории заказа" if ru else "an event outside this order's history"
    if not _shown_to_every_role(cause):
        return "событие заказа" if ru else "an order event"
    # One level only: the cause's own robot part names no further cause.
    line = summarize(cause, pipeline, lang, None, tz)
    return f"«{line}»" if ru else f"“{line}”"


def _shown_to_every_role(event: BaseModel) -> bool:
    """Would a restricted audience see this event's own entry? (contracts/api/hidden.py.) A
    robot's line is shown to them, so it may quote only such a cause."""
    match event:
        case ev.DealTermsRecorded() | ev.OrderImported():
            return False
        case ev.MediaAttachedV1():
            return event.purpose not in COMMERCIAL_DOCUMENT_PURPOSES
        case ev.MediaDetached():
            return False  # its purpose is not on it: it may be a commercial document's
        case ev.AutoMoveRefused():
            return all(gate_condition_visible({"code": c.code}) for c in event.unmet)
    return True


def _condition(condition: ev.UnmetCondition, lang: str) -> str:
    text = condition.message_ru if lang == "ru" else condition.message_en
    # Pipelines always carry both messages; an empty one still must not show the code.
    return text or ("условие не выполнено" if lang == "ru" else "a condition is not met")


def _media_attached(event: ev.MediaAttachedV1, lang: str) -> str:
    ru = lang == "ru"
    purpose = word(MEDIA_PURPOSES, event.purpose, lang)
    tail = f" ({purpose})" if purpose else ""
    if event.kind == "photo":
        return (
            f"Приложено фото «{event.filename}»{tail}"
            if ru
            else f"Photo “{event.filename}” attached{tail}"
        )
    return (
        f"Приложен документ «{event.filename}»{tail}"
        if ru
        else f"Document “{event.filename}” attached{tail}"
    )


def _photo_reviewed(event: ev.PhotoReviewed, lang: str) -> str:
    ru = lang == "ru"
    if event.decision == "confirm":
        text = "Фото подтверждено менеджером" if ru else "Photo confirmed by a manager"
    else:
        text = "Фото отклонено менеджером" if ru else "Photo rejected by a manager"
    return f"{text}: {event.reason}" if event.reason else text


# Why a photo counted for its gate (site_photos.py's reasons).
_COUNTED_BECAUSE: dict[str, Word] = {
    "on_site": Word("снято на объекте", "taken on site"),
    "confirmed": Word("подтверждено менеджером", "confirmed by a manager"),
    "site_not_pinned": Word(
        "объект без отметки положения: проверены выезд и время",
        "site not pinned: visit and time checked",
    ),
    "attached_before_rules": Word(
        "приложено до проверки на объекте", "attached before on-site checks"
    ),
}


def _photos_counted(event: ev.GatePhotosCounted, pipeline: Pipeline, lang: str) -> str:
    ru = lang == "ru"
    stage = pipeline.title(event.stage, lang)
    parts = []
    for photo in event.photos:
        because = _COUNTED_BECAUSE.get(photo.reason)
        why = because.text(lang) if because else photo.reason
        if photo.distance_m is not None and photo.reason == "on_site":
            why += f", {photo.distance_m:.0f} м" if ru else f", {photo.distance_m:.0f} m"
        parts.append(f"«{photo.filename}» ({why})" if ru else f"“{photo.filename}” ({why})")
    listed = "; ".join(parts)
    return (
        f"Условие «{stage}» выполнено фото: {listed}"
        if ru
        else f"The “{stage}” gate was met by photos: {listed}"
    )


def _local(at: datetime, tz: tzinfo) -> str:
    return at.astimezone(tz).strftime("%d.%m.%Y %H:%M")
