"""What the driver saw, per fault phase: commands offered and acknowledged, errors by code.

A command is *acknowledged* when the gateway answered it 2xx; only those are promises the
system must keep, so only those are looked up afterwards (see audit.py). Everything else is
counted, never retried blindly: a client that did not get an answer cannot know whether the
command was applied.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

KINDS = ("create", "upload", "comment", "transition", "book", "complete")


@dataclass(frozen=True)
class Ack:
    """One acknowledged command and the id that finds its effect in the logs."""

    kind: str
    phase: str
    order_id: str
    ref: str  # order id, media id, comment text, target stage, visit id or task id


@dataclass
class Phase:
    name: str
    offered: Counter[str] = field(default_factory=Counter)  # per command kind
    errors: Counter[str] = field(default_factory=Counter)  # "500", "502", "timeout", ...
    deferred: int = 0  # 404/409 answers that only meant "the read side has not caught up yet"
    recovered_after_s: float | None = None
    samples: list[str] = field(default_factory=list)  # the first few unexpected answers
    # The first 5xx answers of each status: what a dependency fault made the system say.
    server_samples: dict[str, str] = field(default_factory=dict)

    def server_answer(self, status: int, text: str) -> None:
        self.errors[str(status)] += 1
        self.server_samples.setdefault(str(status), text)

    def unexpected(self, status: int, text: str) -> None:
        self.errors[str(status)] += 1
        if len(self.samples) < 5:
            self.samples.append(text)


@dataclass
class Ledger:
    phases: list[Phase] = field(default_factory=list)
    acks: list[Ack] = field(default_factory=list)

    @property
    def current(self) -> Phase:
        return self.phases[-1]

    def begin(self, name: str) -> Phase:
        self.phases.append(Phase(name))
        return self.current

    def phase(self, name: str) -> Phase:
        return next(p for p in self.phases if p.name == name)

    def ack(self, kind: str, order_id: str, ref: str, phase: str) -> None:
        self.acks.append(Ack(kind, phase, order_id, ref))

    def acked(self, kind: str) -> list[Ack]:
        return [a for a in self.acks if a.kind == kind]
