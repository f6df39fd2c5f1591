"""What people are told, in Russian by default with English available."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Message:
    ru: str
    en: str

    def text(self, lang: str = "ru") -> str:
        return self.en if lang == "en" else self.ru


def order_created(number: int, title: str) -> Message:
    return Message(ru=f"Новый заказ №{number}: {title}", en=f"New order #{number}: {title}")
