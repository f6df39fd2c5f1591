"""What `check` takes for a dictionary key left on screen, and what it leaves alone."""

from __future__ import annotations

import pytest

from tests.browser.checks import find_keys


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("board.title", ["board.title"]),
        ("Заказ: order.card.x, срок", ["order.card.x"]),
        ("«auth.too_many»", ["auth.too_many"]),
        ("see order.card.dueDate.", ["order.card.dueDate"]),
        ("ivan.petrov@mail.ru", []),
        ("https://example.com/app/index.html", []),
        ("www.example.com and example.ru", []),
        ("смета.pdf, photo_1.jpeg, plan.dwg", []),
        ("v1.2, 12.05.2026, 3.5 м², e.g. this", []),
        ("/app/assets/index.js", []),
        ("Board.Title, I.E.", []),
    ],
)
def test_only_dictionary_keys_are_taken_for_untranslated_text(text: str, keys: list[str]) -> None:
    assert find_keys(text) == keys
