"""Who may see which orders, and which changes are pushed to whom (what each audience sees of
an answer is its model in contracts/api: tests/unit/test_api_audiences.py)."""

from __future__ import annotations

import pytest

from gateway.domain.visibility import may_see_change, may_see_order


def test_who_may_see_an_order() -> None:
    # production: as the access read model answers from the order's own pipeline version (a
    # `varnishing` stage after production is theirs); the gateway names no stage.
    assert may_see_order("manager", production_visible=False, assigned=False)
    assert not may_see_order("measurer", production_visible=True, assigned=False)
    assert may_see_order("measurer", production_visible=False, assigned=True)
    assert not may_see_order("production", production_visible=False, assigned=True)
    assert may_see_order("production", production_visible=True, assigned=False)


RESTRICTED = ["measurer", "installer", "delivery", "production"]


@pytest.mark.parametrize("role", RESTRICTED)
def test_no_push_tells_a_restricted_role_of_a_commercial_file(role: str) -> None:
    assert not may_see_change(role, "orders.MediaAttached", "contract_draft")
    assert not may_see_change(role, "orders.MediaDetached", "signed_contract")
    assert not may_see_change(role, "orders.DealTermsRecorded")
    assert may_see_change(role, "orders.MediaAttached", "installation")
    assert may_see_change(role, "orders.CommentPosted")
    assert may_see_change("manager", "orders.MediaAttached", "calculation")
