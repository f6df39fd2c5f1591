"""What people are told, in Russian by default with English available."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

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
    number: int | None, to_stage: str, title: StageTitle | None, codes: list[str]
) -> Message:
    """`title`: the stage's, in the order's pipeline; its key when no version names it."""
    n_ru = f"№{number}" if number else ""
    n_en = f"#{number}" if number else ""
    ru, en = (title.ru, title.en) if title else (to_stage, to_stage)
    return Message(
        ru=f"Робот не перевёл заказ {n_ru} в «{ru}»: {', '.join(codes)}",
        en=f"A robot could not move order {n_en} to '{en}': {', '.join(codes)}",
    )
