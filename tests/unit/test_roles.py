"""The one table of roles (contracts/roles.py) holds DOMAIN.md's "Roles and what they may see",
its export for the web app is current, and the web app derives its role checks from it."""

from __future__ import annotations

from pathlib import Path

from contracts.events.common import DOCUMENT_PURPOSES, PHOTO_PURPOSES
from contracts.roles import (
    ATTACH,
    CAPABILITIES,
    CREW_ROLES,
    FIELD_ROLES,
    ROLES,
    SEES_ALL_ORDERS,
    SEES_ORDERS,
    TABLE,
    attach_purposes,
    audience_of,
    capabilities_of,
    main,
    may,
    roles_with,
)

ROOT = Path(__file__).resolve().parents[2]
EXPORT = ROOT / "web" / "src" / "app" / "roles.generated.ts"
COMMERCIAL_PURPOSES = {"contract_draft", "calculation", "signed_contract"}
# What working an order means: an admin does none of this.
WORKS_ORDERS = {
    "orders.create",
    "customer.edit",
    "orders.promise",
    "orders.assign_manager",
    "deal.write",
    "stage.move",
    "visits.book",
    "tasks.create",
    "tasks.complete_any",
}


def test_every_role_has_an_audience_and_nothing_else_is_in_the_table() -> None:
    assert set(TABLE) == set(ROLES)
    assert {audience_of(r) for r in ROLES} == {
        "commercial",
        "production",
        "field",
        "administration",
    }


def test_every_capability_in_the_table_is_a_named_one() -> None:
    for role in ROLES:
        assert capabilities_of(role) <= set(CAPABILITIES), role


def test_every_role_signs_in_and_none_needs_public() -> None:
    assert roles_with("signed_in") == set(ROLES)
    assert roles_with("public") == set()


def test_everyone_but_admin_sees_orders_and_chats_on_them() -> None:
    assert SEES_ORDERS == roles_with("orders.see") == set(ROLES) - {"admin"}
    assert roles_with("chat.post") == SEES_ORDERS


def test_only_managers_and_directors_see_commercial_data_every_order_and_reports() -> None:
    commercial = {r for r in ROLES if audience_of(r) == "commercial"}
    assert commercial == {"manager", "director"}
    assert roles_with("commercial.see") == commercial
    assert SEES_ALL_ORDERS == roles_with("orders.see_all") == commercial
    assert roles_with("reports.read") == commercial
    assert roles_with("calendars.read_any") == commercial


def test_field_and_production_roles_see_no_commercial_fields() -> None:
    assert {"measurer", "installer", "delivery"} == FIELD_ROLES
    assert audience_of("production") == "production"
    for role in (*FIELD_ROLES, "production"):
        assert not may(role, "commercial.see"), role
        assert not may(role, "orders.see_all"), role
        assert not attach_purposes(role) & COMMERCIAL_PURPOSES, role


def test_the_crew_is_everyone_outside_the_office() -> None:
    assert {"measurer", "installer", "delivery", "production"} == CREW_ROLES


def test_a_director_may_everything_a_manager_may_plus_rules_and_pipeline() -> None:
    extra = capabilities_of("director") - capabilities_of("manager")
    assert capabilities_of("manager") <= capabilities_of("director")
    assert extra == {"rules.read", "rules.edit", "pipeline.edit"}


def test_admin_administers_users_crews_rules_and_the_pipeline_and_nothing_else() -> None:
    # Issue 14: seeing orders and money belongs to directors and managers.
    assert audience_of("admin") == "administration"
    assert capabilities_of("admin") == {
        "signed_in",
        "users.admin",
        "crew.edit",
        "rules.read",
        "rules.edit",
        "pipeline.edit",
        # Issue 20: bringing orders over from Bitrix24 is an admin action; its answers name
        # deals and stages, never amounts.
        "imports.run",
    }
    assert roles_with("users.admin") == {"admin"}
    assert not capabilities_of("admin") & WORKS_ORDERS
    assert attach_purposes("admin") == set()
    assert "admin" not in CREW_ROLES | FIELD_ROLES  # never booked, never assigned


def test_who_edits_the_crews_hours_and_who_reads_their_calendars() -> None:
    assert roles_with("crew.edit") == {"manager", "director", "admin"}
    # A calendar's visits name orders: the admin edits hours from the crew list instead.
    assert not may("admin", "calendars.read_any")


def test_production_is_marked_finished_by_production_and_those_who_work_orders() -> None:
    assert roles_with("production.finish") == {"production", "manager", "director"}


def test_field_roles_attach_only_the_purposes_of_their_own_work() -> None:
    assert attach_purposes("measurer") == {"measurement"}
    assert attach_purposes("installer") == {"installation", "rework"}
    assert attach_purposes("delivery") == set()  # a setting of the media service may add some
    assert attach_purposes("production") == set()
    assert attach_purposes("nobody") == set()


def test_every_media_purpose_is_a_capability_and_every_attach_capability_a_purpose() -> None:
    purposes = {c.removeprefix(ATTACH) for c in CAPABILITIES if c.startswith(ATTACH)}
    assert purposes == set(DOCUMENT_PURPOSES) | set(PHOTO_PURPOSES)
    assert attach_purposes("manager") == purposes


def test_an_unknown_role_may_do_nothing() -> None:
    assert capabilities_of("root") == set()
    assert audience_of("root") is None
    assert not may("root", "signed_in")


def test_the_web_apps_export_is_current() -> None:
    assert main(["--check", str(EXPORT)]) == 0


def test_a_stale_export_is_refused(tmp_path: Path) -> None:
    stale = tmp_path / "roles.generated.ts"
    stale.write_text(EXPORT.read_text(encoding="utf-8").replace("deal.write", "deal.read"))
    assert main(["--check", str(stale)]) == 1
    assert main(["--check", str(tmp_path / "missing.ts")]) == 1
    assert main(["--export", str(stale)]) == 0
    assert main(["--check", str(stale)]) == 0
