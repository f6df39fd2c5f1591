"""Issue 15, "checked on site": which photos open the installation (rework) gate. Given the
order's facts, when a manager moves it on, then it moves (and the history says which photos
counted and why) or the gate names why the photos there are do not count."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from pydantic import BaseModel

from contracts.events import orders as ev
from contracts.events.common import GeoPoint
from services.orders.domain.default_pipeline import DEFAULT_DEFINITION
from services.orders.domain.gates import site_rule
from services.orders.domain.pipeline import Condition, pipeline_from_dict
from services.orders.domain.site_photos import distance_m
from tests.unit.orders_scenario import AT, DELIVERED, OID, given, moved, task_done
from tests.unit.test_orders_domain import to

INSTALLER = uuid.uuid4()
OTHER_INSTALLER = uuid.uuid4()
MANAGER_ID = uuid.uuid4()
SITE = GeoPoint(lat=55.7558, lon=37.6173)  # Red Square
NEAR = GeoPoint(lat=55.7570, lon=37.6180)  # ≈ 140 m away
FAR = GeoPoint(lat=55.7700, lon=37.6400)  # ≈ 2 km away
BOOKED_AT = AT + timedelta(hours=1)


def booking(kind: str = "installation", assignee: uuid.UUID = INSTALLER) -> ev.VisitRecorded:
    return ev.VisitRecorded(
        order_id=OID,
        visit_id=uuid.uuid4(),
        task_id=uuid.uuid4(),
        kind=kind,  # type: ignore[arg-type]
        status="booked",
        assignee_id=assignee,
        starts_at=AT + timedelta(days=1),
        ends_at=AT + timedelta(days=1, hours=2),
        source_event_id=uuid.uuid4(),
        booked_at=BOOKED_AT,
    )


INSTALL = booking()


def photo(
    *,
    by: uuid.UUID = INSTALLER,
    role: str = "installer",
    visit: ev.VisitRecorded | None = None,
    taken: timedelta = timedelta(hours=2),
    where: GeoPoint | None = None,
    purpose: str = "installation",
    media_id: uuid.UUID | None = None,
) -> ev.MediaAttached:
    return ev.MediaAttached(
        order_id=OID,
        media_id=media_id or uuid.uuid4(),
        kind="photo",
        purpose=purpose,
        filename="кухня.jpg",
        source_event_id=uuid.uuid4(),
        uploaded_by=by,
        uploader_role=role,
        visit_id=visit.visit_id if visit else None,
        taken_at=AT + taken,
        location=where,
    )


def checked_in(where: GeoPoint, visit: ev.VisitRecorded = INSTALL) -> list[BaseModel]:
    at = AT + timedelta(hours=3)
    return [
        ev.VisitPresence(
            order_id=OID,
            visit_id=visit.visit_id,
            act="check_in",
            assignee_id=visit.assignee_id,
            at=at,
            location=where,
            source_event_id=uuid.uuid4(),
        ),
        ev.SitePinned(order_id=OID, location=where, by_check_in=visit.visit_id),
    ]


IN_INSTALLATION = [
    *DELIVERED,
    moved("delivery", "installation"),
    INSTALL,
    task_done("installation", of=INSTALL),
]
PINNED = [*IN_INSTALLATION, *checked_in(SITE)]


def counted(shot: ev.MediaAttached, reason: str, distance: float | None = None) -> BaseModel:
    return ev.GatePhotosCounted(
        order_id=OID,
        stage="installation",
        photos=[
            ev.CountedPhoto(
                media_id=shot.media_id, filename=shot.filename, reason=reason, distance_m=distance
            )
        ],
    )


# --- distance --------------------------------------------------------------------------


def test_the_distance_between_two_points_is_the_great_circle_one() -> None:
    assert distance_m(SITE, SITE) == 0
    assert 130 < distance_m(SITE, NEAR) < 150
    # One degree of latitude is about 111.2 km everywhere.
    assert distance_m(GeoPoint(lat=0, lon=0), GeoPoint(lat=1, lon=0)) == pytest.approx(
        111_195, rel=1e-3
    )


# --- photos that count ------------------------------------------------------------------


def test_a_photo_of_the_visit_by_its_assignee_taken_on_site_opens_the_gate() -> None:
    shot = photo(visit=INSTALL, where=NEAR)
    decided = given(*PINNED, shot).when(to("closed")).decided()
    assert decided == [
        counted(shot, "on_site", round(distance_m(NEAR, SITE), 1)),
        moved("installation", "closed"),
    ]


def test_a_photo_without_gps_is_placed_by_its_visits_check_in() -> None:
    shot = photo(visit=INSTALL)
    given(*PINNED, shot).when(to("closed")).then(
        counted(shot, "on_site", 0.0), moved("installation", "closed")
    )


def test_a_photo_that_names_no_visit_belongs_to_the_uploaders_own_visit() -> None:
    shot = photo(where=SITE)
    given(*PINNED, shot).when(to("closed")).then(
        counted(shot, "on_site", 0.0), moved("installation", "closed")
    )


def test_a_managers_photo_counts_for_the_orders_visit() -> None:
    shot = photo(by=MANAGER_ID, role="manager", where=SITE)
    given(*PINNED, shot).when(to("closed")).then(
        counted(shot, "on_site", 0.0), moved("installation", "closed")
    )


def test_while_the_site_is_not_pinned_the_visit_and_time_rules_decide() -> None:
    shot = photo(visit=INSTALL)
    given(*IN_INSTALLATION, shot).when(to("closed")).then(
        counted(shot, "site_not_pinned"), moved("installation", "closed")
    )


def test_a_photo_attached_before_the_rules_counts_as_it_did() -> None:
    old = ev.MediaAttached(
        order_id=OID,
        media_id=uuid.uuid4(),
        kind="photo",
        purpose="installation",
        filename="old.jpg",
        source_event_id=uuid.uuid4(),
    )
    given(*PINNED, old).when(to("closed")).then(moved("installation", "closed"))


# --- photos that do not ---------------------------------------------------------------


def test_a_photo_from_another_visit_does_not_count() -> None:
    delivery = booking("delivery")
    shot = photo(visit=delivery, where=SITE)
    given(*PINNED, delivery, shot).when(to("closed")).then_unmet(
        "installation_photos_not_from_visit"
    )


def test_a_photo_from_a_cancelled_visit_does_not_count() -> None:
    cancelled = booking()
    gone = cancelled.model_copy(update={"status": "cancelled", "source_event_id": uuid.uuid4()})
    shot = photo(visit=cancelled, where=SITE)
    given(*PINNED, cancelled, gone, shot).when(to("closed")).then_unmet(
        "installation_photos_not_from_visit"
    )


def test_a_photo_by_another_person_does_not_count() -> None:
    shot = photo(by=OTHER_INSTALLER, visit=INSTALL, where=SITE)
    given(*PINNED, shot).when(to("closed")).then_unmet("installation_photos_by_someone_else")


def test_a_photo_of_someone_with_no_visit_here_does_not_count() -> None:
    shot = photo(by=OTHER_INSTALLER, where=SITE)
    given(*PINNED, shot).when(to("closed")).then_unmet("installation_photos_not_from_visit")


def test_a_photo_taken_before_the_booking_does_not_count() -> None:
    shot = photo(visit=INSTALL, where=SITE, taken=timedelta(minutes=30))
    given(*PINNED, shot).when(to("closed")).then_unmet("installation_photos_taken_before_booking")


def test_a_photo_far_from_the_pin_waits_for_a_manager() -> None:
    shot = photo(visit=INSTALL, where=FAR)
    scenario = given(*PINNED, shot).when(to("closed"))
    scenario.then_unmet("installation_photos_unconfirmed")


def test_a_photo_with_no_position_on_a_pinned_site_waits_for_a_manager() -> None:
    other = booking(assignee=OTHER_INSTALLER)
    shot = photo(by=OTHER_INSTALLER, visit=other)  # its visit never checked in
    given(*PINNED, other, shot).when(to("closed")).then_unmet("installation_photos_unconfirmed")


def reviewed(shot: ev.MediaAttached, decision: str) -> ev.PhotoReviewed:
    return ev.PhotoReviewed(
        order_id=OID,
        media_id=shot.media_id,
        decision=decision,  # type: ignore[arg-type]
        source_event_id=uuid.uuid4(),
    )


def test_a_confirmed_photo_counts_and_a_rejected_one_never() -> None:
    shot = photo(visit=INSTALL, where=FAR)
    given(*PINNED, shot, reviewed(shot, "confirm")).when(to("closed")).then(
        counted(shot, "confirmed"), moved("installation", "closed")
    )
    given(*PINNED, shot, reviewed(shot, "reject")).when(to("closed")).then_unmet(
        "installation_photos_rejected"
    )
    # Rejected even when on site: the manager's decision is the control.
    near = photo(visit=INSTALL, where=SITE)
    given(*PINNED, near, reviewed(near, "reject")).when(to("closed")).then_unmet(
        "installation_photos_rejected"
    )


def test_a_confirmation_does_not_excuse_another_visit_or_person() -> None:
    shot = photo(by=OTHER_INSTALLER, visit=INSTALL, where=FAR)
    given(*PINNED, shot, reviewed(shot, "confirm")).when(to("closed")).then_unmet(
        "installation_photos_by_someone_else"
    )


def test_one_counting_photo_is_enough_among_ones_that_do_not() -> None:
    bad = photo(visit=INSTALL, where=FAR)
    good = photo(visit=INSTALL, where=SITE)
    given(*PINNED, bad, good).when(to("closed")).then(
        counted(good, "on_site", 0.0), moved("installation", "closed")
    )


def test_the_rework_gate_follows_the_same_rules() -> None:
    rework = booking("rework")
    base = [
        *PINNED,
        photo(visit=INSTALL, where=SITE),
        moved("installation", "rework"),
        rework,
        task_done("rework", of=rework),
    ]
    early = photo(visit=rework, where=SITE, purpose="rework", taken=timedelta(minutes=1))
    given(*base, early).when(to("closed")).then_unmet("rework_photos_taken_before_booking")


# --- the first check-in pins the site; a manager re-pins it ---------------------------


def test_the_first_check_in_pins_the_site_and_later_ones_do_not() -> None:
    from services.orders.domain.model import NotePresence, PinSite  # noqa: PLC0415

    source = uuid.uuid4()
    first = NotePresence(INSTALL.visit_id, "check_in", INSTALLER, AT, SITE, source)
    presence = ev.VisitPresence(
        order_id=OID,
        visit_id=INSTALL.visit_id,
        act="check_in",
        assignee_id=INSTALLER,
        at=AT,
        location=SITE,
        source_event_id=source,
    )
    given(*IN_INSTALLATION).when(first).then(
        presence, ev.SitePinned(order_id=OID, location=SITE, by_check_in=INSTALL.visit_id)
    )
    again = NotePresence(INSTALL.visit_id, "check_in", INSTALLER, AT, FAR, source)
    given(*PINNED).when(again).then(presence.model_copy(update={"location": FAR}))
    given(*PINNED).when(PinSite(FAR)).then(ev.SitePinned(order_id=OID, location=FAR))
    given(*PINNED).when(PinSite(SITE)).then()  # the same position: nothing changes


# --- the rule is data: existing versions and new ones --------------------------------


def test_existing_versions_photo_conditions_follow_the_rules_unless_they_opt_out() -> None:
    old = Condition(
        "installation_photos_missing",
        "media_attached",
        "Нет фотографий монтажа",
        "Installation photos are missing",
        {"kind": "photo", "purpose": "installation"},
    )
    assert site_rule(old) == ("installation", "installation", 300.0)
    opted_out = Condition(**{**old.__dict__, "params": {**old.params, "any_photo": "true"}})
    assert site_rule(opted_out) is None
    new = Condition(
        "photos", "site_photos", "ru", "en", {"visit_kind": "rework", "max_distance_m": "50"}
    )
    assert site_rule(new) == ("rework", "rework", 50.0)


def test_a_pipeline_with_a_tighter_radius_refuses_a_photo_the_default_accepts() -> None:
    definition = {**DEFAULT_DEFINITION, "stages": [dict(s) for s in DEFAULT_DEFINITION["stages"]]}
    for stage in definition["stages"]:
        if stage["key"] == "installation":
            stage["gate"] = [
                {
                    "code": "installation_photos_missing",
                    "kind": "site_photos",
                    "params": {"visit_kind": "installation", "max_distance_m": "100"},
                    "message_ru": "Нет фото монтажа с объекта",
                    "message_en": "No installation photos from the site",
                }
            ]
    tight = pipeline_from_dict(definition, version=2)
    shot = photo(visit=INSTALL, where=NEAR)  # ≈ 140 m: within 300, not within 100
    scenario = given(*PINNED, shot).when(to("closed"))
    scenario.pipeline = tight
    scenario.then_unmet("installation_photos_unconfirmed")
