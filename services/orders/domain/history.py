"""One line per event for the order's history, in Russian and English. Pure.

Commercial values never appear in a summary: the history is shown to field roles too (the
gateway strips commercial keys from `data`; the summary must not leak them either).
"""

from __future__ import annotations

from pydantic import BaseModel

from contracts.envelope import Actor
from contracts.events import orders as ev
from services.orders.domain.pipeline import Pipeline


def who(actor: Actor, lang: str) -> str:
    if actor.kind == "robot":
        return f"робот «{actor.rule_id}»" if lang == "ru" else f"robot '{actor.rule_id}'"
    if actor.kind == "system":
        return "система" if lang == "ru" else "system"
    return actor.username or (actor.id or "?")


def summarize(event: BaseModel, pipeline: Pipeline, lang: str = "ru") -> str:
    """`pipeline` is the order's own version: its titles name the stages it moved through."""
    ru = lang == "ru"
    match event:
        case ev.OrderCreated():
            return f"Заказ №{event.number} создан" if ru else f"Order #{event.number} created"
        case ev.StageChanged():
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
                text += (
                    f" (робот «{event.by_rule_id}», событие {event.cause_event_id})"
                    if ru
                    else f" (robot '{event.by_rule_id}', event {event.cause_event_id})"
                )
            if event.reason:
                text += f": {event.reason}"
            return text
        case ev.AutoMoveRefused():
            codes = ", ".join(u.code for u in event.unmet)
            to = pipeline.title(event.to_stage, lang)
            return (
                f"Робот «{event.rule_id}» не перевёл заказ в «{to}»: {codes}"
                if ru
                else f"Robot '{event.rule_id}' could not move the order to '{to}': {codes}"
            )
        case ev.DealTermsRecorded():
            return "Записаны условия сделки" if ru else "Deal terms recorded"
        case ev.ProductionFinished():
            return "Производство завершено" if ru else "Production finished"
        case ev.CommentPosted():
            return "Комментарий в чате" if ru else "Chat comment"
        case ev.MediaAttached():
            return (
                f"Приложен файл «{event.filename}» ({event.purpose})"
                if ru
                else f"File '{event.filename}' attached ({event.purpose})"
            )
        case ev.MediaDetached():
            return "Файл откреплён" if ru else "File detached"
        case ev.VisitRecorded():
            when = event.starts_at.strftime("%d.%m.%Y %H:%M")
            if event.status == "cancelled":
                return f"Выезд ({event.kind}) отменён" if ru else f"Visit ({event.kind}) cancelled"
            return f"Выезд ({event.kind}) на {when}" if ru else f"Visit ({event.kind}) at {when}"
        case ev.TaskDone():
            return f"Задача выполнена ({event.kind})" if ru else f"Task done ({event.kind})"
        case ev.CustomerUpdated():
            return "Изменены данные клиента" if ru else "Customer details changed"
        case ev.ManagerAssigned():
            return "Назначен менеджер" if ru else "Manager assigned"
    return type(event).__name__
