"""A completion sent again under its Idempotency-Key (services/scheduling/domain/completion.py):
the same person, key and body replay; another body under the key is refused; anything else
is not a repeat."""

from __future__ import annotations

import uuid

from services.scheduling.domain.completion import KeyedCompletion, fingerprint, repeat_of

ME, OTHER = uuid.uuid4(), uuid.uuid4()
ROOMS = {"rooms": [{"name": "Кухня", "width_mm": 2400, "height_mm": 2700}]}


def test_the_same_body_in_another_key_order_is_the_same_fingerprint() -> None:
    a = fingerprint("note", {"rooms": [{"name": "Кухня", "width_mm": 1, "height_mm": 2}]})
    b = fingerprint("note", {"rooms": [{"height_mm": 2, "width_mm": 1, "name": "Кухня"}]})
    assert a == b
    assert fingerprint("note", None) != fingerprint("other", None)
    assert fingerprint(None, None) != fingerprint(None, ROOMS)


def test_a_repeat_replays_or_is_refused_by_its_body() -> None:
    earlier = KeyedCompletion("k1", ME, fingerprint("n", ROOMS))
    assert repeat_of(earlier, "k1", ME, fingerprint("n", ROOMS)) == "replay"
    assert repeat_of(earlier, "k1", ME, fingerprint("changed", ROOMS)) == "reused"


def test_no_key_another_key_or_another_person_is_not_a_repeat() -> None:
    earlier = KeyedCompletion("k1", ME, fingerprint(None, None))
    same = fingerprint(None, None)
    assert repeat_of(earlier, None, ME, same) is None
    assert repeat_of(earlier, "k2", ME, same) is None
    assert repeat_of(earlier, "k1", OTHER, same) is None
    assert repeat_of(None, "k1", ME, same) is None
