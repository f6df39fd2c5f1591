"""Roles, what each sees (its audience) and what each may do (its capabilities): the one table.

DOMAIN.md "Roles and what they may see" and API.md, as data. The gateway checks a route's
capability and filters by audience with it, the services repeat their checks with it, and the
web app reads the same table exported to a module (`python -m contracts.roles --export PATH`;
`--check PATH` fails when that file is stale, as `make schemas-check` runs it).

Audiences (what a role sees): `commercial` sees every order and every field; `production` sees
orders from its stage on and nothing commercial; `field` sees the orders assigned to it and
nothing commercial; `administration` sees no order at all and nothing commercial.

Where the code disagreed before, DOMAIN.md and API.md decided:
- admin administers and does not see orders or money (issue 14: "seeing orders and money
  belongs to directors and managers"). An earlier decision had admin *see* like the office
  (audience commercial, every order) while working none; DOMAIN.md gives admin users, roles
  and rules, nothing about orders. So admin lacks `orders.see`: no board, every order a 404
  whatever the access read model says (a former measurer made admin keeps no old orders),
  no reports, files, calendars, chat or pushes about orders; and its audience is
  `administration`, so an answer that ever did reach it would carry nothing commercial.
- director may do everything a manager may, plus rules and pipeline (API.md); the table
  builds the director's set from the manager's, so the two cannot drift apart.
- admin edits rules and the pipeline (API.md: "(director, admin)"), users and roles, and the
  crews' working hours, days off and absences (`crew.edit`, from the crew list, which shows
  no order); not a crew member's schedule, whose visits name orders.
- admin imports orders from Bitrix24 (issue 20: "an admin action"): what it uploads it
  already holds, and the import's answers name deals and stages, never amounts or comments.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal, get_args

Role = Literal["manager", "measurer", "installer", "delivery", "production", "director", "admin"]
ROLES: Final[tuple[Role, ...]] = get_args(Role)
Audience = Literal["commercial", "production", "field", "administration"]

Capability = Literal[
    "public",  # no sign-in at all (login, probes, the web app's files); no role needs it
    "signed_in",  # any signed-in user; the route itself decides per object (order access)
    "orders.see",  # orders at all: the board, and each order the access rule grants (else none)
    "chat.post",
    "orders.see_all",  # every order, whoever is assigned (else: access read model)
    "commercial.see",  # commercial fields and documents (DOMAIN.md: amount, prices, ...)
    "orders.create",
    "customer.edit",
    "orders.promise",  # the day promised to the customer (set, change, clear)
    "orders.assign_manager",
    "deal.write",
    "stage.move",
    "production.finish",
    "visits.book",
    "tasks.create",
    "tasks.complete_any",  # a task assigned to someone else
    "calendars.read_any",  # anyone's schedule (else: one's own)
    "crew.edit",
    "media.manage_any",  # complete or detach someone else's upload, at any time
    "site.pin",  # set the site's position (the first check-in pins it by itself)
    "media.review",  # confirm or reject a photo not confirmed on site
    "reports.read",
    "rules.read",
    "rules.edit",
    "pipeline.edit",
    "users.admin",
    "imports.run",  # bring orders over from another system (issue 20: Bitrix24)
    # Which purposes a role may attach files for (API.md purposes): a purpose is a claim (an
    # `installation` photo opens the installation gate), so field workers claim only their work.
    "media.attach.contract_draft",
    "media.attach.requirements",
    "media.attach.calculation",
    "media.attach.signed_contract",
    "media.attach.measurement",
    "media.attach.installation",
    "media.attach.rework",
    "media.attach.other",
]
CAPABILITIES: Final[tuple[Capability, ...]] = get_args(Capability)
ATTACH: Final = "media.attach."


@dataclass(frozen=True)
class RoleSpec:
    audience: Audience
    capabilities: frozenset[Capability]


_SIGNED_IN: frozenset[Capability] = frozenset({"signed_in"})
# Everyone who works on orders: sees those the access rule grants and talks in their chats.
_ON_ORDERS: frozenset[Capability] = _SIGNED_IN | {"orders.see", "chat.post"}
# What both office roles (manager, director) have: they see and keep the calendars.
_OFFICE: frozenset[Capability] = frozenset(
    {
        "orders.see_all",
        "commercial.see",
        "calendars.read_any",
        "reports.read",
        "crew.edit",
    }
)
_ATTACHES_ANY: frozenset[Capability] = frozenset(c for c in CAPABILITIES if c.startswith(ATTACH))
_MANAGER: frozenset[Capability] = (
    _ON_ORDERS
    | _OFFICE
    | _ATTACHES_ANY
    | {
        "orders.create",
        "customer.edit",
        "orders.promise",
        "orders.assign_manager",
        "deal.write",
        "stage.move",
        "production.finish",  # API.md: production or a manager marks it
        "visits.book",
        "tasks.create",
        "tasks.complete_any",
        "media.manage_any",
        "site.pin",
        "media.review",
    }
)
_RULES_AND_PIPELINE: frozenset[Capability] = frozenset(
    {"rules.read", "rules.edit", "pipeline.edit"}
)
_ADMINISTERS: frozenset[Capability] = frozenset({"users.admin", "crew.edit", "imports.run"})

# Keyed by role name (a str): every role of `Role` is here (tests/unit/test_roles.py).
TABLE: Final[Mapping[str, RoleSpec]] = {
    "manager": RoleSpec("commercial", _MANAGER),
    "director": RoleSpec("commercial", _MANAGER | _RULES_AND_PIPELINE),
    # Administration only: users and roles, the crews' hours, robots and the pipeline.
    "admin": RoleSpec("administration", _SIGNED_IN | _RULES_AND_PIPELINE | _ADMINISTERS),
    "measurer": RoleSpec("field", _ON_ORDERS | {"media.attach.measurement"}),
    "installer": RoleSpec(
        "field", _ON_ORDERS | {"media.attach.installation", "media.attach.rework"}
    ),
    # Delivery attaches nothing by default; the media service's setting may add purposes.
    "delivery": RoleSpec("field", _ON_ORDERS),
    "production": RoleSpec("production", _ON_ORDERS | {"production.finish"}),
}


def capabilities_of(role: str) -> frozenset[Capability]:
    """An unknown role may do nothing (a token from a removed role, a forged header)."""
    spec = TABLE.get(role)
    return spec.capabilities if spec is not None else frozenset()


def may(role: str, capability: Capability) -> bool:
    return capability in capabilities_of(role)


def audience_of(role: str) -> Audience | None:
    spec = TABLE.get(role)
    return spec.audience if spec is not None else None


def roles_with(capability: Capability) -> frozenset[Role]:
    return frozenset(r for r in ROLES if capability in TABLE[r].capabilities)


def attach_purposes(role: str) -> frozenset[str]:
    """The purposes `role` may attach files for (media.attach.<purpose>)."""
    return frozenset(c.removeprefix(ATTACH) for c in capabilities_of(role) if c.startswith(ATTACH))


FIELD_ROLES: Final = frozenset(r for r in ROLES if TABLE[r].audience == "field")
# The people who do the work, whose calendars scheduling keeps: production and the field,
# never the office nor administration (an admin is booked for nothing, assigned to nothing).
CREW_ROLES: Final = frozenset(r for r in ROLES if TABLE[r].audience in ("production", "field"))
SEES_ORDERS: Final = roles_with("orders.see")
SEES_ALL_ORDERS: Final = roles_with("orders.see_all")


def render() -> str:
    """The table as a TypeScript module for the web app (web/src/app/roles.generated.ts):
    `as const`, so a capability the app names that the server does not know is a type error."""
    table = {
        "roles": {
            role: {"audience": spec.audience, "capabilities": sorted(spec.capabilities)}
            for role, spec in TABLE.items()
        },
        "capabilities": list(CAPABILITIES),
    }
    body = json.dumps(table, indent=2, ensure_ascii=True, sort_keys=True)
    return (
        "// Generated from contracts/roles.py by `make schemas`; do not edit.\n"
        f"export default {body} as const;\n"
    )


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("--export", "--check"):
        print("usage: python -m contracts.roles --export|--check PATH")  # noqa: T201
        return 2
    path, wanted = Path(argv[1]), render()
    if argv[0] == "--check":
        if not path.is_file() or path.read_text(encoding="utf-8") != wanted:
            print(f"{path} is out of date; run `make schemas`")  # noqa: T201
            return 1
        print(f"{path} is current")  # noqa: T201
        return 0
    path.write_text(wanted, encoding="utf-8")
    print(f"wrote the role table to {path}")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
