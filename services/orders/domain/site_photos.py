"""Which photos count for a visit's photo gate (issue 15, "checked on site"). Pure.

A photo counts for the installation (rework) gate only if
1. it belongs to that stage's visit: the visit it names, or — when the upload named none —
   the uploader's own visit of that kind on the order (for an office uploader, the order's
   visit of that kind); the latest booked, not cancelled;
2. it was uploaded by the visit's assignee, or by the office (manager, director);
3. it was taken (EXIF time, else the upload's time) after the visit was booked;
4. it was not rejected by a manager, and it is on site: its position (EXIF GPS, else the
   visit's check-in) lies within `max_distance_m` of the site's pin — or a manager confirmed
   it. A photo with no position while the site is pinned is "not confirmed on site" too.
   While the site has no pin (nobody has checked in on this order yet) there is nothing to
   compare with, and rule 4 holds by itself: the time and visit rules still apply.

Positions can be faked by the phone's owner: these rules catch reused gallery photos and
mistakes; the manager's decision on flagged photos is the control (SECURITY.md).

Photos attached before this release carry none of these facts (MediaAttached v1): they count
as they did then, so an order already in installation is not blocked by photos it has.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from uuid import UUID

from contracts.events.common import GeoPoint
from services.orders.domain.model import Media, Order, Visit

DEFAULT_MAX_DISTANCE_M = 300.0
OFFICE_ROLES = frozenset({"manager", "director"})
EARTH_RADIUS_M = 6_371_000.0

Reason = Literal[
    # counts
    "on_site",
    "confirmed",
    "site_not_pinned",
    "attached_before_rules",
    # does not count (worst first: the gate names the one closest to counting)
    "not_confirmed_on_site",
    "rejected",
    "taken_before_booking",
    "by_someone_else",
    "not_from_visit",
]
COUNTING: frozenset[str] = frozenset(
    {"on_site", "confirmed", "site_not_pinned", "attached_before_rules"}
)
# Closest to counting first: a manager's click, then nothing anyone can do for it.
FAILURE_ORDER: tuple[Reason, ...] = (
    "not_confirmed_on_site",
    "rejected",
    "taken_before_booking",
    "by_someone_else",
    "not_from_visit",
)


@dataclass(frozen=True)
class Verdict:
    media_id: UUID
    filename: str
    reason: Reason
    distance_m: float | None = None

    @property
    def counts(self) -> bool:
        return self.reason in COUNTING


def distance_m(a: GeoPoint, b: GeoPoint) -> float:
    """Great-circle distance (haversine). Written out rather than adding a geodesy library:
    at 300 m the sphere's error (< 0.5 %) is far below a phone's GPS error."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat = lat2 - lat1
    dlon = math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def photo_visit(order: Order, media: Media, visit_kind: str) -> tuple[UUID, Visit] | None:
    """The visit a photo belongs to: the one it names (whatever its kind: the caller checks),
    else the uploader's own latest visit of `visit_kind`, else — for an office uploader — the
    order's latest visit of that kind."""
    if media.visit_id is not None:
        named = order.visits.get(media.visit_id)
        return (media.visit_id, named) if named is not None else None
    candidates = [
        (vid, v) for vid, v in order.visits.items() if v.kind == visit_kind and v.status == "booked"
    ]
    own = [(vid, v) for vid, v in candidates if v.assignee_id == media.uploaded_by]
    if not own and media.uploader_role in OFFICE_ROLES:
        own = candidates
    if not own:
        return None
    return max(own, key=lambda item: item[1].starts_at)


def judge(
    order: Order,
    media_id: UUID,
    media: Media,
    visit_kind: str,
    max_distance: float = DEFAULT_MAX_DISTANCE_M,
) -> Verdict:
    def verdict(reason: Reason, distance: float | None = None) -> Verdict:
        return Verdict(media_id, media.filename, reason, distance)

    if media.uploaded_by is None:
        return verdict("attached_before_rules")
    if media.review == "reject":
        return verdict("rejected")
    found = photo_visit(order, media, visit_kind)
    if found is None:
        return verdict("not_from_visit")
    _, visit = found
    if visit.kind != visit_kind or visit.status != "booked":
        return verdict("not_from_visit")
    if media.uploaded_by != visit.assignee_id and media.uploader_role not in OFFICE_ROLES:
        return verdict("by_someone_else")
    if _before(media.taken_at, visit.booked_at):
        return verdict("taken_before_booking")
    if media.review == "confirm":
        return verdict("confirmed")
    if order.site is None:
        return verdict("site_not_pinned")
    position = media.location or visit.check_in
    if position is None:
        return verdict("not_confirmed_on_site")
    far = distance_m(position, order.site)
    return verdict("on_site" if far <= max_distance else "not_confirmed_on_site", far)


def _before(taken_at: datetime | None, booked_at: datetime | None) -> bool:
    return taken_at is not None and booked_at is not None and taken_at < booked_at


def off_site(order: Order, media_id: UUID, media: Media) -> bool:
    """Flag for the card: a photo of a visit's purpose that waits for a manager's decision."""
    if media.kind != "photo":
        return False
    return judge(order, media_id, media, media.purpose).reason == "not_confirmed_on_site"


def verdicts(order: Order, purpose: str, visit_kind: str, max_distance: float) -> list[Verdict]:
    return [
        judge(order, mid, m, visit_kind, max_distance)
        for mid, m in order.media.items()
        if m.kind == "photo" and m.purpose == purpose
    ]
