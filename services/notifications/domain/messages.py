"""What people are told, in Russian by default with English available."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from services.notifications.domain.summary import Overloaded

KIND_RU = {
    "measurement": "замер",
    "delivery": "доставка",
    "installation": "монтаж",
    "rework": "доработка",
}


@dataclass(frozen=True)
class StageTitle:
    """A stage's titles in an order's own pipeline version."""

    ru: str
    en: str


@dataclass(frozen=True)
class Message:
    ru: str
    en: str

    def text(self, lang: str = "ru") -> str:
        return self.en if lang == "en" else self.ru


def order_created(number: int, title: str) -> Message:
    return Message(ru=f"Новый заказ №{number}: {title}", en=f"New order #{number}: {title}")


def reminder(
    kind: str, visit_kind: str, starts_at: datetime, number: int | None, tz: str
) -> Message:
    local = starts_at.astimezone(ZoneInfo(tz)).strftime("%d.%m %H:%M")
    order_ru = f" по заказу №{number}" if number else ""
    order_en = f" for order #{number}" if number else ""
    when_ru = "Завтра" if kind == "day_before" else "Сегодня"
    when_en = "Tomorrow" if kind == "day_before" else "Today"
    return Message(
        ru=f"{when_ru} в {local}: {KIND_RU.get(visit_kind, visit_kind)}{order_ru}",
        en=f"{when_en} at {local}: {visit_kind}{order_en}",
    )


def mentioned(author: str, number: int | None, text: str) -> Message:
    short = text if len(text) <= 120 else text[:117] + "..."
    suffix_ru = f" в заказе №{number}" if number else ""
    suffix_en = f" on order #{number}" if number else ""
    return Message(
        ru=f"{author} упомянул(а) вас{suffix_ru}: {short}",
        en=f"{author} mentioned you{suffix_en}: {short}",
    )


def move_refused(
    number: int | None,
    to_stage: str,
    title: StageTitle | None,
    unmet: list[tuple[str, str]],
) -> Message:
    """`title`: the stage's, in the order's pipeline; its key when no version names it.
    `unmet`: each unmet condition in words (Russian, English), as the gate states them."""
    n_ru = f"№{number}" if number else ""
    n_en = f"#{number}" if number else ""
    ru, en = (title.ru, title.en) if title else (to_stage, to_stage)
    return Message(
        ru=f"Робот не перевёл заказ {n_ru} в «{ru}»: {'; '.join(u[0] for u in unmet)}",
        en=f"A robot could not move order {n_en} to '{en}': {'; '.join(u[1] for u in unmet)}",
    )


def _n(number: int | None) -> tuple[str, str]:
    return (f" №{number}", f" #{number}") if number else ("", "")


def _when(starts_at: datetime, tz: str) -> str:
    return starts_at.astimezone(ZoneInfo(tz)).strftime("%d.%m %H:%M")


def visit(
    change: str, visit_kind: str, starts_at: datetime, number: int | None, tz: str
) -> Message:
    """A visit booked for the person, moved, or cancelled (or taken from them)."""
    n_ru, n_en = _n(number)
    when = _when(starts_at, tz)
    what_ru = KIND_RU.get(visit_kind, visit_kind).capitalize()
    what_en = visit_kind.capitalize()
    ru_verb, en_verb = {
        "booked": ("назначен(а) вам", "booked for you"),
        "moved": ("перенесён(а)", "moved"),
        "cancelled": ("отменён(а)", "cancelled"),
        "taken": ("передан(а) другому исполнителю", "reassigned to someone else"),
    }[change]
    # The order's number may not be known here yet (orders and visits travel on topics of
    # their own); the message's link names the order then.
    of_ru = f" по заказу{n_ru}" if number else ""
    of_en = f" for order{n_en}" if number else ""
    return Message(
        ru=f"{what_ru}{of_ru} {ru_verb}: {when}",
        en=f"{what_en}{of_en} {en_verb}: {when}",
    )


def task_assigned(title: str, number: int | None) -> Message:
    n_ru, n_en = _n(number)
    return Message(
        ru=f"Новая задача «{title}»" + (f" по заказу{n_ru}" if number else ""),
        en=f"New task “{title}”" + (f" for order{n_en}" if number else ""),
    )


def task_completed(title: str, number: int | None) -> Message:
    n_ru, n_en = _n(number)
    return Message(
        ru=f"Задача «{title}» по заказу{n_ru} выполнена",
        en=f"Task “{title}” of order{n_en} is done",
    )


def stage_changed(number: int | None, title: StageTitle | None, key: str) -> Message:
    n_ru, n_en = _n(number)
    ru, en = (title.ru, title.en) if title else (key, key)
    return Message(
        ru=f"Заказ{n_ru} перешёл на стадию «{ru}»", en=f"Order{n_en} moved to stage '{en}'"
    )


def production_finished(number: int | None) -> Message:
    n_ru, n_en = _n(number)
    return Message(
        ru=f"Производство по заказу{n_ru} завершено",
        en=f"Production of order{n_en} is finished",
    )


def media_uploaded(number: int | None, photos: int, documents: int) -> Message:
    """One notice for a burst of uploads (routing.MEDIA_GROUP_WINDOW)."""
    n_ru, n_en = _n(number)
    parts_ru, parts_en = [], []
    if photos:
        parts_ru.append(f"фото: {photos}")
        parts_en.append(f"photos: {photos}")
    if documents:
        parts_ru.append(f"документы: {documents}")
        parts_en.append(f"documents: {documents}")
    return Message(
        ru=f"К заказу{n_ru} загружены файлы ({', '.join(parts_ru)})",
        en=f"Files were uploaded to order{n_en} ({', '.join(parts_en)})",
    )


def overdue(number: int | None, title: StageTitle | None, key: str) -> Message:
    n_ru, n_en = _n(number)
    ru, en = (title.ru, title.en) if title else (key, key)
    return Message(
        ru=f"Заказ{n_ru} превысил срок на стадии «{ru}»",
        en=f"Order{n_en} is overdue in stage '{en}'",
    )


def summary(
    overdue_orders: list[int],
    overdue_tasks: list[str],
    overloaded: list[Overloaded] | None = None,
) -> Message:
    """The directors' morning summary; numbers, task titles and crew names, nothing commercial.
    `overloaded`: crew over their hours tomorrow; None when scheduling could not say."""
    if not overdue_orders and not overdue_tasks:
        head = Message(
            ru="Сводка на утро: просроченных заказов и задач нет",
            en="Morning summary: no overdue orders or tasks",
        )
    else:
        orders_ru = ", ".join(f"№{n}" for n in overdue_orders[:20]) or "нет"
        orders_en = ", ".join(f"#{n}" for n in overdue_orders[:20]) or "none"
        head = Message(
            ru=f"Сводка на утро: сверх срока стадии {len(overdue_orders)} заказ(ов) "
            f"({orders_ru}); просроченных задач: {len(overdue_tasks)}",
            en=f"Morning summary: {len(overdue_orders)} order(s) past their stage limit "
            f"({orders_en}); overdue tasks: {len(overdue_tasks)}",
        )
    if overloaded is None:
        load = Message(
            ru="загрузку бригад на завтра узнать не удалось",
            en="tomorrow's crew load could not be read",
        )
    elif not overloaded:
        load = Message(ru="перегруженных на завтра нет", en="nobody is overbooked tomorrow")
    else:

        def who(o: Overloaded) -> str:
            return f"{o.name} ({_hours(o.booked_hours)} из {_hours(o.working_hours)} ч)"

        def who_en(o: Overloaded) -> str:
            return f"{o.name} ({_hours(o.booked_hours)} of {_hours(o.working_hours)} h)"

        load = Message(
            ru="перегружены завтра (визиты с дорогой сверх рабочих часов): "
            + ", ".join(who(o) for o in overloaded),
            en="overbooked tomorrow (visits with travel beyond working hours): "
            + ", ".join(who_en(o) for o in overloaded),
        )
    return Message(ru=f"{head.ru}; {load.ru}", en=f"{head.en}; {load.en}")


def _hours(value: float) -> str:
    return f"{value:g}"
