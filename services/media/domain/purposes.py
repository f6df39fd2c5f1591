"""Which purposes each role may attach files for (DOMAIN.md roles), and the check.

A purpose is a claim: an `installation` photo is what opens the installation gate, a
`measurement` document what proves a measurement. So a field worker may only make the claims
of their own work — a measurer cannot clear the installers' gate by attaching "installation"
photos. The purpose names are those of API.md; a purpose applies to whichever kinds it exists
for (`measurement` is both a photo and a document purpose, `installation` only a photo one).

The table is the roles table's `media.attach.<purpose>` capabilities (contracts/roles.py),
which the web app reads too; this service adds its one setting (what delivery may attach)
and decides here, before any row or URL exists. The gateway only checks that the caller may
see the order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final

from contracts.events.common import DOCUMENT_PURPOSES, PHOTO_PURPOSES, MediaKind
from contracts.roles import ROLES, attach_purposes
from services.media.domain import rules
from services.media.domain.errors import NotPermitted

EVERY_PURPOSE: Final = frozenset(DOCUMENT_PURPOSES) | frozenset(PHOTO_PURPOSES)
COMMERCIAL_PURPOSES: Final = rules.COMMERCIAL

# DOMAIN.md "may do": measurers upload measurements, installers photos of installation and
# rework; delivery's and production's work has no uploads (a company may let delivery attach
# some, see `PurposePolicy.with_delivery`); the office roles attach anything. As the roles
# table says (media.attach.<purpose>), read once here.
DEFAULT_TABLE: Final[Mapping[str, frozenset[str]]] = {r: attach_purposes(r) for r in ROLES}


class PurposeNotAllowed(NotPermitted):
    code = "purpose_not_allowed"


@dataclass(frozen=True)
class PurposePolicy:
    table: Mapping[str, frozenset[str]] = field(default_factory=lambda: dict(DEFAULT_TABLE))

    @classmethod
    def with_delivery(cls, purposes: Iterable[str]) -> PurposePolicy:
        """The default table, plus what the company lets delivery crews attach (a setting,
        empty by default). Commercial purposes are never allowed: delivery may not even see
        those documents. A name that is not a purpose is a configuration error."""
        wanted = frozenset(p.strip() for p in purposes if p.strip())
        unknown = wanted - EVERY_PURPOSE
        if unknown:
            raise ValueError(f"not media purposes: {', '.join(sorted(unknown))}")
        commercial = wanted & COMMERCIAL_PURPOSES
        if commercial:
            raise ValueError(f"delivery may not attach commercial documents: {sorted(commercial)}")
        return cls({**DEFAULT_TABLE, "delivery": wanted})

    def allowed(self, role: str) -> frozenset[str]:
        """An unknown role may attach nothing."""
        return self.table.get(role, frozenset())

    def by_kind(self, role: str) -> dict[MediaKind, list[str]]:
        """What the role may attach, per kind: for a client to offer only these."""
        allowed = self.allowed(role)
        return {
            "photo": [p for p in PHOTO_PURPOSES if p in allowed],
            "document": [p for p in DOCUMENT_PURPOSES if p in allowed],
        }

    def check(self, role: str, kind: MediaKind, purpose: str) -> None:
        allowed = self.allowed(role)
        if purpose in allowed:
            return
        if not allowed:
            raise PurposeNotAllowed(
                f"role {role} may not attach files: purpose {purpose!r} refused "
                f"(no purpose is allowed for {role})",
                purpose=purpose,
                role=role,
            )
        raise PurposeNotAllowed(
            f"role {role} may not attach a {kind} with purpose {purpose!r}; "
            f"allowed for {role}: {', '.join(sorted(allowed))}",
            purpose=purpose,
            role=role,
        )
