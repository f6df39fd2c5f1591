"""How far behind its logs each consumer group of this process is, for the readiness body.

A service that has just started may still be reading what happened while it was down (or,
after the broker lost its data, all of it): its own requests work, but what it answers from
its read models can be behind. Readiness reports that, never fails for it (API.md).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Progress:
    # Messages behind the end of the assigned partitions, as the consumer's watchdog last
    # measured them; None until it has (the group may not even have joined yet).
    lag: int | None = None

    @property
    def caught_up(self) -> bool:
        return self.lag == 0


_GROUPS: dict[str, Progress] = {}


def track(group: str) -> Progress:
    return _GROUPS.setdefault(group, Progress())


def report() -> dict[str, dict[str, int | bool | None]]:
    return {g: {"lag": p.lag, "caught_up": p.caught_up} for g, p in sorted(_GROUPS.items())}
