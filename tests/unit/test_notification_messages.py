"""What people are told when a robot's move is refused: the stage as the order's pipeline
titles it (services/notifications/domain/messages.py)."""

from __future__ import annotations

from services.notifications.domain.messages import StageTitle, move_refused


def test_a_refused_move_names_the_stage_by_its_title() -> None:
    unmet = [("лак не высох", "the varnish is wet")]
    message = move_refused(7, "varnishing", StageTitle("Лакировка", "Varnishing"), unmet)
    assert message.text("ru") == "Робот не перевёл заказ №7 в «Лакировка»: лак не высох"
    assert message.text("en") == (
        "A robot could not move order #7 to 'Varnishing': the varnish is wet"
    )


def test_a_stage_no_known_version_names_is_shown_by_its_key() -> None:
    message = move_refused(None, "varnishing", None, [("нет фото", "no photo"), ("б", "b")])
    assert message.text("ru").endswith("в «varnishing»: нет фото; б")
