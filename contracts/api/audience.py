"""Who sees what, by allowlist: every response has one model per audience, and a body leaves
the gateway only as that model lists it.

Four audiences (DOMAIN.md, Roles): `commercial` (manager, director) see everything;
`production` and `field` (measurer, installer, delivery) never see commercial data, nor does
`administration` (admin), which is refused every order and so normally gets no answer about
one at all; if one ever reached it, it would be the restricted model. A key a
model does not list is dropped (the models ignore extra keys), so a field a service adds is
hidden from everyone until a model names it, never leaked by default. A key the service left
out stays out (dumped with exclude_unset): "hidden" means the key is absent, not null.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter

from contracts import roles
from contracts.roles import Audience


def audience_of(role: str) -> Audience:
    """The role's audience in the roles table; a role the table does not know gets the
    narrowest one, so it sees less, never more."""
    return roles.audience_of(role) or "field"


class Shown(BaseModel):
    """Base of every response model: keys it does not list are dropped, not refused (the
    services may return more than an audience sees); nothing is coerced into another form."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)


@dataclass(frozen=True)
class Views:
    """One response's model per audience. `declared` is what the OpenAPI names: the widest
    (commercial) shape, in which everything some audience does not see is optional."""

    commercial: Any
    production: Any
    field: Any
    administration: Any
    _adapters: dict[str, TypeAdapter[Any]] = field(default_factory=dict, compare=False)

    @classmethod
    def of(
        cls, commercial: Any, restricted: Any | None = None, *, administration: Any | None = None
    ) -> Views:
        """`restricted` is what production and field roles see (commercial's own when None);
        administration sees it too unless told otherwise (`administration`: what an admin
        edits and must see whole, such as the pipeline's gates, which hold no values)."""
        narrow = commercial if restricted is None else restricted
        return cls(commercial, narrow, narrow, narrow if administration is None else administration)

    @property
    def declared(self) -> Any:
        return self.commercial

    def adapter(self, audience: Audience) -> TypeAdapter[Any]:
        if audience not in self._adapters:
            self._adapters[audience] = TypeAdapter(getattr(self, audience))
        return self._adapters[audience]

    def show(self, body: Any, audience: Audience) -> Any:
        """The body as `audience` may see it: validated through its model, JSON-ready."""
        adapter = self.adapter(audience)
        return adapter.dump_python(
            adapter.validate_python(body), mode="json", by_alias=True, exclude_unset=True
        )
