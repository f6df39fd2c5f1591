"""Hidden means hidden: the one function that strips commercial data for other roles."""

from __future__ import annotations

import json

import pytest

from gateway.domain.visibility import board_for, may_see_change, may_see_order, strip_commercial

CARD = {
    "id": "o1",
    "title": "Шкаф",
    "deal": {"amount": "150000.00", "payment_terms": "50% предоплата"},
    "amount": "150000.00",
    "documents": [
        {"purpose": "signed_contract", "filename": "contract.pdf"},
        {"purpose": "requirements", "filename": "wishes.pdf"},
        {"purpose": "calculation", "filename": "calc.xlsx"},
    ],
    "history": [{"type": "orders.DealTermsRecorded", "data": {"prepayment": "75000"}}],
}


@pytest.mark.parametrize("role", ["measurer", "installer", "delivery", "production"])
def test_field_roles_and_production_never_see_commercial_data(role: str) -> None:
    text = json.dumps(strip_commercial(CARD, role), ensure_ascii=False)
    for hidden in (
        "150000",
        "payment_terms",
        "предоплата",
        "amount",
        "deal",
        "prepayment",
        "contract.pdf",
        "calc.xlsx",
    ):
        assert hidden not in text
    assert "wishes.pdf" in text


@pytest.mark.parametrize("role", ["manager", "director", "admin"])
def test_commercial_roles_see_everything(role: str) -> None:
    assert strip_commercial(CARD, role) == CARD


def test_who_may_see_an_order() -> None:
    # production: as the access read model answers from the order's own pipeline version (a
    # `varnishing` stage after production is theirs); the gateway names no stage.
    assert may_see_order("manager", production_visible=False, assigned=False)
    assert not may_see_order("measurer", production_visible=True, assigned=False)
    assert may_see_order("measurer", production_visible=False, assigned=True)
    assert not may_see_order("production", production_visible=False, assigned=True)
    assert may_see_order("production", production_visible=True, assigned=False)


RESTRICTED = ["measurer", "installer", "delivery", "production"]


def _unmet(code: str, condition: str, **params: str) -> dict[str, object]:
    return {"code": code, "message": f"{code} message", "kind": condition, "params": params}


GATE_CARD = {
    "id": "o1",
    "gate": {
        "stage": "contract",
        "unmet": [
            _unmet("deal_terms_missing", "deal_terms"),
            _unmet(
                "signed_contract_missing",
                "media_attached",
                kind="document",
                purpose="signed_contract",
            ),
            _unmet("documents_missing", "media_attached", kind="document"),
            _unmet("calc_needed", "media_attached", purpose="calculation"),
            _unmet(
                "installation_photos_missing",
                "media_attached",
                kind="photo",
                purpose="installation",
            ),
            _unmet("measurement_not_done", "visit_task_done", visit_kind="measurement"),
            _unmet("some_new_rule", "a_kind_added_later"),
        ],
    },
}


@pytest.mark.parametrize("role", RESTRICTED)
def test_gate_shows_field_roles_and_production_only_what_they_can_see(role: str) -> None:
    shown = strip_commercial(GATE_CARD, role)["gate"]["unmet"]
    assert [c["code"] for c in shown] == ["installation_photos_missing", "measurement_not_done"]


@pytest.mark.parametrize("role", RESTRICTED)
def test_a_gate_blocked_only_by_the_deal_looks_like_an_open_gate(role: str) -> None:
    card = {"gate": {"stage": "contract", "unmet": GATE_CARD["gate"]["unmet"][:3]}}  # type: ignore[index]
    shown = strip_commercial(card, role)
    assert shown == {"gate": {"stage": "contract", "unmet": []}}
    assert "missing" not in json.dumps(shown)


def test_commercial_roles_see_every_unmet_condition() -> None:
    assert strip_commercial(GATE_CARD, "manager") == GATE_CARD


def test_unmet_conditions_without_a_kind_are_judged_by_a_known_code() -> None:
    unmet = [
        {"code": c, "message_ru": "…"}
        for c in ("deal_terms_missing", "documents_missing", "rework_not_done", "director_added")
    ]
    shown = strip_commercial({"unmet": unmet}, "installer")["unmet"]
    assert [c["code"] for c in shown] == ["rework_not_done"]


def _refused(*codes: str) -> dict[str, object]:
    return {
        "type": "orders.AutoMoveRefused",
        "summary": f"Robot could not move the order: {', '.join(codes)}",
        "data": {"unmet": [{"code": c, "message_ru": "…", "message_en": "…"} for c in codes]},
    }


@pytest.mark.parametrize("role", RESTRICTED)
def test_a_robot_refusal_naming_a_hidden_condition_leaves_the_history(role: str) -> None:
    history = [
        _refused("measurement_results_missing"),
        _refused("measurement_results_missing", "deal_terms_missing"),
    ]
    text = json.dumps(strip_commercial(history, role))
    assert "deal_terms" not in text
    assert text.count("AutoMoveRefused") == 1
    assert strip_commercial(history, "director") == history


@pytest.mark.parametrize("role", RESTRICTED)
def test_detaching_a_commercial_document_leaves_no_trace_in_the_history(role: str) -> None:
    history = [
        {"type": "orders.MediaAttached", "data": {"media_id": "m1", "purpose": "calculation"}},
        {"type": "orders.MediaAttached", "data": {"media_id": "m2", "purpose": "requirements"}},
        {"type": "orders.MediaDetached", "data": {"media_id": "m1"}},
        {"type": "orders.MediaDetached", "data": {"media_id": "m2"}},
    ]
    shown = strip_commercial(history, role)
    assert [(h["type"], h["data"]["media_id"]) for h in shown] == [
        ("orders.MediaAttached", "m2"),
        ("orders.MediaDetached", "m2"),
    ]


def _board() -> dict[str, object]:
    def card(oid: str, purposes: dict[str, int] | None) -> dict[str, object]:
        out: dict[str, object] = {"id": oid, "amount": "10.00", "photos": 1}
        out["documents"] = sum((purposes or {"x": 2}).values())
        if purposes is not None:
            out["document_purposes"] = purposes
        return out

    return {
        "columns": [
            {
                "stage": "contract",
                "count": 1,
                "cards": [card("c1", {"contract_draft": 1, "calculation": 1, "requirements": 1})],
            },
            {
                "stage": "production",
                "count": 2,
                "cards": [card("p1", {"signed_contract": 1, "calculation": 2}), card("p2", None)],
            },
        ]
    }


@pytest.mark.parametrize("role", ["measurer", "installer", "delivery"])
def test_board_counts_only_the_documents_a_field_role_may_see(role: str) -> None:
    columns = board_for(_board(), role)["columns"]
    cards = {c["id"]: c for col in columns for c in col["cards"]}
    assert cards["c1"]["documents"] == 1
    assert cards["p1"]["documents"] == 0
    assert "documents" not in cards["p2"]  # no breakdown: no count rather than a wrong one
    text = json.dumps(columns)
    for hidden in ("document_purposes", "calculation", "contract_draft", "signed", "amount"):
        assert hidden not in text


def test_production_sees_non_commercial_counts_on_the_cards_projections_chose() -> None:
    # Which cards production sees is projections' answer (the board asked with
    # production_view, each order by its own pipeline); the gateway only strips them.
    columns = {c["stage"]: c for c in board_for(_board(), "production")["columns"]}
    assert [c["documents"] for c in columns["contract"]["cards"]] == [1]
    assert [c["documents"] for c in columns["production"]["cards"][:1]] == [0]


def test_managers_see_the_full_document_counts() -> None:
    assert board_for(_board(), "manager") == _board()


@pytest.mark.parametrize("role", RESTRICTED)
def test_no_push_tells_a_restricted_role_of_a_commercial_file(role: str) -> None:
    assert not may_see_change(role, "orders.MediaAttached", "contract_draft")
    assert not may_see_change(role, "orders.MediaDetached", "signed_contract")
    assert not may_see_change(role, "orders.DealTermsRecorded")
    assert may_see_change(role, "orders.MediaAttached", "installation")
    assert may_see_change(role, "orders.CommentPosted")
    assert may_see_change("manager", "orders.MediaAttached", "calculation")


@pytest.mark.parametrize("role", RESTRICTED)
def test_a_pipeline_shows_a_restricted_role_no_commercial_condition(role: str) -> None:
    pipeline = {"stages": [{"key": "contract", "gate": GATE_CARD["gate"]["unmet"]}]}  # type: ignore[index]
    shown = strip_commercial(pipeline, role)["stages"][0]["gate"]
    assert [c["code"] for c in shown] == ["installation_photos_missing", "measurement_not_done"]
    assert strip_commercial(pipeline, "director") == pipeline
