"""Idempotent task completion: what a repeated `POST /tasks/{id}/complete` gets.

A phone that completed a task without signal sends it from its outbox when the network
returns, and may send it again when the first answer was lost (the phone slept, the tab was
closed). The request carries an `Idempotency-Key`; the key, who sent it and a fingerprint of
the body are kept with the completion. The same key from the same person with the same body
answers the task as completed the first time; the same key with another body is a mistake
said as such (422 idempotency_key_reused, as visit booking answers); anything else on a task
that is no longer open stays the 409 it always was.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Literal
from uuid import UUID


@dataclass(frozen=True)
class KeyedCompletion:
    key: str
    completed_by: UUID
    fingerprint: str


def fingerprint(note: str | None, results: dict[str, Any] | None) -> str:
    """The body as sent, in a canonical form: key order and spacing do not make it another."""
    canonical = json.dumps(
        {"note": note, "results": results}, sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def repeat_of(
    earlier: KeyedCompletion | None, key: str | None, by: UUID, print_: str
) -> Literal["replay", "reused"] | None:
    """For a task already completed: "replay" (answer the first result), "reused" (the key
    was used for another body), or None (not a repeat: the usual refusal applies)."""
    if key is None or earlier is None or earlier.key != key or earlier.completed_by != by:
        return None
    return "replay" if earlier.fingerprint == print_ else "reused"
