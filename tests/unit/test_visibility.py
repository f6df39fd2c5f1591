"""Who may see which orders, and which changes are pushed to whom (what each audience sees of
an answer is its model in contracts/api: tests/unit/test_api_audiences.py)."""

from __future__ import annotations

import uuid
from typing import Any, cast

import pytest

from gateway.adapters.upstream import Caller, Upstreams
from gateway.application.access import require_order_access
from gateway.application.order_access import OrderAccess
from gateway.domain.visibility import may_see_change, may_see_order
from plumbing.errors import NotFound


def test_who_may_see_an_order() -> None:
    # production: as the access read model answers from the order's own pipeline version (a
    # `varnishing` stage after production is theirs); the gateway names no stage.
    assert may_see_order("manager", production_visible=False, assigned=False)
    assert not may_see_order("measurer", production_visible=True, assigned=False)
    assert may_see_order("measurer", production_visible=False, assigned=True)
    assert not may_see_order("production", production_visible=False, assigned=True)
    assert may_see_order("production", production_visible=True, assigned=False)


def test_an_admin_sees_no_order_whatever_the_access_read_model_says() -> None:
    # Assignments outlive a role change: a measurer made admin keeps them in the read model.
    assert not may_see_order("admin", production_visible=True, assigned=True)
    assert not may_see_order("admin", production_visible=False, assigned=False)
    assert not may_see_change("admin", "orders.DealTermsRecorded")


class AskedNobody:
    """Upstreams that must not be called: the refusal needs no lookup."""

    async def call(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"asked {args[:3]} ({kwargs}) about an order an admin may not see")


async def test_every_order_is_a_404_for_an_admin_and_no_item_about_one_passes() -> None:
    admin = Caller(str(uuid.uuid4()), "admin", "admin")
    upstreams = cast(Upstreams, AskedNobody())
    with pytest.raises(NotFound):
        await require_order_access(upstreams, admin, uuid.uuid4())
    # The inbox and the live stream ask this for each item: about an order, never shown.
    access = OrderAccess(upstreams, admin)
    assert not await access.allows(str(uuid.uuid4()))
    assert await access.allows(None)  # an item about no order is the admin's own


RESTRICTED = ["measurer", "installer", "delivery", "production"]


@pytest.mark.parametrize("role", RESTRICTED)
def test_no_push_tells_a_restricted_role_of_a_commercial_file(role: str) -> None:
    assert not may_see_change(role, "orders.MediaAttached", "contract_draft")
    assert not may_see_change(role, "orders.MediaDetached", "signed_contract")
    assert not may_see_change(role, "orders.DealTermsRecorded")
    assert may_see_change(role, "orders.MediaAttached", "installation")
    assert may_see_change(role, "orders.CommentPosted")
    assert may_see_change("manager", "orders.MediaAttached", "calculation")
