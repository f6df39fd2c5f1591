"""Who hears what, and through which channels: the one table of notice kinds, their default
channels per role, what is urgent, and what waits for the end of quiet hours. Pure.

Routing lives here, in the notifications service (README, Notifications): the facts arrive as
events, so one consumer decides every notice once. The robots' `notify` action stays for the
notices an admin adds on top; its requests come through the same path (kind `robot`). The
seeded notify robots that told what the defaults table now tells are gone (scheduling deletes
them at start); what they wrote before is dropped here (RETIRED_ROBOTS).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Final, get_args
from zoneinfo import ZoneInfo

from contracts.api.notifications import ChannelName, NoticeKind
from contracts.events.scheduling import RETIRED_NOTIFY_RULES
from contracts.roles import ROLES

# The kinds are the public contract's (clients and the OpenAPI know them); this table is
# their one meaning. KINDS keeps the contract's order, which the settings screen shows.
Kind = NoticeKind
KINDS: Final[tuple[Kind, ...]] = get_args(NoticeKind)
CHANNELS: Final[tuple[str, ...]] = get_args(ChannelName)

# The seeded notify robots this table replaced (scheduling deletes them at start): requests
# they wrote before are still in the log and are dropped, so a replay repeats nothing.
RETIRED_ROBOTS: Final[frozenset[str]] = RETIRED_NOTIFY_RULES

# Ten photos in five minutes make one notice: the first opens a group, the rest join it, and
# its deliveries wait for the group to close so they tell the final count.
MEDIA_GROUP_WINDOW: Final = timedelta(minutes=5)

# What a person hears on the channels that reach them away from the app, by default. The
# in-app inbox hears everything (it is where every other channel links to). Crews carry a
# phone: everything about their own work reaches them there. Office roles would drown in
# pushes about every photo and stage: those stay in the app unless they turn them on.
FIELD_ROLES: Final = frozenset({"measurer", "installer", "delivery", "production"})
# The only kinds that may leave the app for a field role, whatever they choose: each is about
# their own visit or task, on an order they work on, in words this service writes. The inbox
# is filtered by order access when read (gateway, issue 11); a message already sent cannot
# be, so a robot's free text, a mention or a notice to a whole role stays in the app for them.
FIELD_AWAY: Final[frozenset[str]] = frozenset(
    {"visit_booked", "visit_moved", "visit_cancelled", "task_assigned", "reminder"}
)
_OFFICE_AWAY: Final[frozenset[str]] = frozenset(
    {
        "visit_cancelled",
        "task_assigned",
        "move_refused",
        "production_finished",
        "overdue",
        "summary",
        "mention",
        "robot",
    }
)


def default_enabled(role: str, kind: str, channel: str) -> bool:
    """The default for a person of `role` who has not chosen for (kind, channel)."""
    if channel == "inapp":
        return True
    if role in FIELD_ROLES:
        return kind in FIELD_AWAY
    return kind in _OFFICE_AWAY


def may_leave_app(role: str, kind: str, personal: bool) -> bool:
    """Whether this notice may go out on a channel other than the inbox at all. `personal`:
    addressed to the person by name (their visit, a task assigned to them), not to a role."""
    return role not in FIELD_ROLES or (kind in FIELD_AWAY and personal)


def enabled(
    role: str, kind: str, channel: str, chosen: dict[tuple[str, str], bool], personal: bool = True
) -> bool:
    """A person's own choice where they made one, their role's default elsewhere; never
    beyond the inbox what may not leave the app."""
    if channel != "inapp" and not may_leave_app(role, kind, personal):
        return False
    return chosen.get((kind, channel), default_enabled(role, kind, channel))


def defaults_for(role: str) -> dict[str, dict[str, bool]]:
    return {k: {c: default_enabled(role, k, c) for c in CHANNELS} for k in KINDS}


if not set(ROLES) >= FIELD_ROLES:  # a renamed role must not silently drop out
    raise RuntimeError(f"unknown field roles: {sorted(FIELD_ROLES - set(ROLES))}")


def urgent(kind: str, starts_at: datetime | None, now: datetime, tz: str) -> bool:
    """Urgent notices ignore quiet hours: a visit moved or cancelled within 24 hours, an
    assignment for today (in the person's zone)."""
    if starts_at is None:
        return False
    if kind in ("visit_moved", "visit_cancelled"):
        return starts_at - now <= timedelta(hours=24)
    if kind in ("visit_booked", "task_assigned"):
        zone = ZoneInfo(tz)
        return starts_at.astimezone(zone).date() <= now.astimezone(zone).date()
    return False


@dataclass(frozen=True)
class QuietHours:
    start: time  # local, e.g. 22:00
    end: time  # local, e.g. 08:00; end < start spans midnight
    timezone: str


def release_at(now: datetime, quiet: QuietHours | None, is_urgent: bool) -> datetime:
    """When a notice may go out on the channels that reach a person away from the app: now,
    or, inside their quiet hours, at the end of them (urgent ones never wait)."""
    if quiet is None or is_urgent or quiet.start == quiet.end:
        return now
    zone = ZoneInfo(quiet.timezone)
    local = now.astimezone(zone)
    t = local.time()
    if quiet.start < quiet.end:
        inside = quiet.start <= t < quiet.end
        end_day = local.date()
    else:  # spans midnight
        inside = t >= quiet.start or t < quiet.end
        end_day = local.date() + timedelta(days=1) if t >= quiet.start else local.date()
    if not inside:
        return now
    return datetime.combine(end_day, quiet.end, zone)


def backoff_s(attempt: int, random: float, base_s: float = 5.0, cap_s: float = 3600.0) -> float:
    """Exponential back-off with "equal jitter": half of the doubled delay fixed, half random
    (`random` in [0, 1)), so retries of many deliveries failing together spread out instead
    of hitting a recovering server at once, yet never come sooner than half the step."""
    step = min(cap_s, base_s * 2.0 ** max(0, attempt - 1))
    return float(step / 2 + step / 2 * random)
