"""The crew's load tomorrow, for the directors' morning summary: a port. Scheduling owns the
working hours, absences and visits, and computes the load itself (its GET /crew/load); the
summary only asks who is over."""

from __future__ import annotations

from datetime import date
from typing import Protocol

from services.notifications.domain.summary import Overloaded


class CrewLoad(Protocol):
    async def overloaded(self, day: date) -> list[Overloaded]:
        """Raises when the answer cannot be had (the caller retries, then says so)."""
        ...
