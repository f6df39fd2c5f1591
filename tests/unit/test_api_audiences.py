"""What each audience sees is what its model lists (contracts/api): the commercial audience
gets the services' bodies as they are, production and field roles nothing commercial, and
nobody a key no model names."""

from __future__ import annotations

import copy
import json
from typing import Any, get_args

import pytest
from pydantic import BaseModel

from contracts.api import board, cards, history, media, pipeline
from contracts.api.audience import Views, audience_of
from contracts.api.hidden import gate_condition_visible
from contracts.roles import Audience
from tests.unit.api_samples import BOARD, CARD, HISTORY, MEDIA, PIPELINE, all_views

# Every audience that sees nothing commercial: administration (admin) sees no order at all,
# and should an answer about one ever reach it, it is the restricted one.
RESTRICTED: tuple[Audience, ...] = ("production", "field", "administration")
COMMERCIAL_TEXT = ("731904", "Оплата двумя частями", "contract.pdf", "calc.pdf", "payment_terms")


def shown(views: Views, body: Any, audience: Audience) -> Any:
    return views.show(copy.deepcopy(body), audience)


@pytest.mark.parametrize(
    ("role", "audience"),
    [
        ("manager", "commercial"),
        ("director", "commercial"),
        ("admin", "administration"),
        ("production", "production"),
        ("measurer", "field"),
        ("installer", "field"),
        ("delivery", "field"),
        ("someone_new", "field"),  # an unknown role sees the least
    ],
)
def test_each_role_has_its_audience(role: str, audience: Audience) -> None:
    assert audience_of(role) == audience


@pytest.mark.parametrize(
    ("views", "body"),
    [
        (cards.CARD, CARD),
        (history.HISTORY, HISTORY),
        (board.BOARD, BOARD),
        (pipeline.PIPELINE, PIPELINE),
        (media.ITEMS, MEDIA),
    ],
)
def test_the_commercial_audience_gets_the_body_as_the_service_wrote_it(
    views: Views, body: Any
) -> None:
    # Times keep their form (+00:00 stays), nulls stay null, nothing is added or dropped.
    assert shown(views, body, "commercial") == body


@pytest.mark.parametrize("audience", RESTRICTED)
def test_restricted_audiences_get_no_deal_no_commercial_document_no_hidden_condition(
    audience: Audience,
) -> None:
    card = shown(cards.CARD, CARD, audience)
    text = json.dumps(card, ensure_ascii=False)
    assert not [t for t in COMMERCIAL_TEXT if t in text]
    assert "deal" not in card  # absent, not null
    assert [d["filename"] for d in card["documents"]] == ["wishes.pdf"]
    assert [u["code"] for u in card["gate"]["unmet"]] == ["measurement_not_done"]
    assert card["customer"] == CARD["customer"]


def test_a_key_no_model_lists_reaches_nobody() -> None:
    body = {**CARD, "margin": "0.42", "customer": {**CARD["customer"], "credit_score": 3}}
    for audience in get_args(Audience):
        card = shown(cards.CARD, body, audience)
        assert "margin" not in card
        assert "credit_score" not in card["customer"]


def test_a_key_the_service_left_out_stays_out() -> None:
    body = {k: v for k, v in CARD.items() if k not in ("deal", "description", "manager")}
    for audience in get_args(Audience):
        card = shown(cards.CARD, body, audience)
        assert not {"deal", "description", "manager"} & set(card)


@pytest.mark.parametrize("audience", RESTRICTED)
def test_a_restricted_history_leaves_out_the_deal_and_every_entry_about_a_hidden_file(
    audience: Audience,
) -> None:
    entries = shown(history.HISTORY, HISTORY, audience)
    assert [e["type"] for e in entries] == [
        "orders.OrderCreated",
        "orders.MediaAttached",
        "orders.AutoMoveRefused",
    ]
    text = json.dumps(entries, ensure_ascii=False)
    assert not [t for t in COMMERCIAL_TEXT if t in text]
    assert "m-calc" not in text  # the hidden file's detach went with its attach
    assert "internal_note" not in entries[0]["data"]  # event data is allowlisted too


@pytest.mark.parametrize("audience", RESTRICTED)
def test_a_restricted_board_counts_only_visible_documents_and_shows_no_amount(
    audience: Audience,
) -> None:
    (column,) = shown(board.BOARD, BOARD, audience)["columns"]
    counted, bare = column["cards"]
    assert counted["documents"] == 1  # requirements only; the contract draft is not counted
    assert "documents" not in bare  # no per-purpose breakdown: no count at all
    for card in column["cards"]:
        assert not {"amount", "document_purposes"} & set(card)
    assert column["count"] == 2


def test_administration_sees_the_whole_pipeline_it_edits() -> None:
    # Saving what it was shown must not drop the conditions it was not: every one, as stored.
    assert shown(pipeline.PIPELINE, PIPELINE, "administration") == PIPELINE


@pytest.mark.parametrize("audience", ["production", "field"])
def test_a_restricted_pipeline_names_only_conditions_the_audience_could_act_on(
    audience: Audience,
) -> None:
    stages = shown(pipeline.PIPELINE, PIPELINE, audience)["stages"]
    assert [[c["code"] for c in s["gate"]] for s in stages] == [
        ["customer_incomplete"],
        ["measurement_not_done"],
    ]


@pytest.mark.parametrize("audience", RESTRICTED)
def test_restricted_media_lists_leave_out_commercial_documents_and_one_is_never_shown(
    audience: Audience,
) -> None:
    assert [m["purpose"] for m in shown(media.ITEMS, MEDIA, audience)] == ["requirements"]
    with pytest.raises(ValueError, match="commercial"):
        shown(media.ITEM, MEDIA[1], audience)


def _fields(model: type[BaseModel]) -> set[str]:
    return set(model.model_fields)


def _models(annotation: Any) -> list[type[BaseModel]]:
    """The models an annotation names (through list[...], Annotated[...] and unions)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in get_args(annotation) for m in _models(arg)]


def _narrower(restricted: Any, declared: Any, where: str) -> list[str]:
    """Keys a restricted model shows that the declared (commercial) model does not name."""
    problems: list[str] = []
    for narrow, wide in zip(_models(restricted), _models(declared), strict=False):
        extra = _fields(narrow) - _fields(wide)
        problems += [f"{where}.{k}" for k in sorted(extra)]
        for name in _fields(narrow) & _fields(wide):
            problems += _narrower(
                narrow.model_fields[name].annotation,
                wide.model_fields[name].annotation,
                f"{where}.{name}",
            )
    return problems


@pytest.mark.parametrize(("name", "views"), all_views())
def test_every_audience_model_is_within_what_the_api_declares(name: str, views: Views) -> None:
    """A client generated from the OpenAPI (the commercial models) can read every audience's
    answer: no restricted model shows a key the declared one does not name."""
    for audience in RESTRICTED:
        assert not _narrower(getattr(views, audience), views.declared, name)


def _unmet(code: str, condition: str, **params: str) -> dict[str, Any]:
    return {"code": code, "message": f"{code} message", "kind": condition, "params": params}


GATE = [
    _unmet("deal_terms_missing", "deal_terms"),
    _unmet("signed_contract_missing", "media_attached", kind="document", purpose="signed_contract"),
    _unmet("documents_missing", "media_attached", kind="document"),
    _unmet("calc_needed", "media_attached", purpose="calculation"),
    _unmet("installation_photos_missing", "media_attached", kind="photo", purpose="installation"),
    _unmet("measurement_not_done", "visit_task_done", visit_kind="measurement"),
    _unmet("some_new_rule", "a_kind_added_later"),  # a director's new kind: hidden until known
]


def _gate_card(unmet: list[dict[str, Any]]) -> dict[str, Any]:
    return {**CARD, "gate": {"stage": "contract", "unmet": unmet}}


@pytest.mark.parametrize("audience", RESTRICTED)
def test_a_gate_shows_a_restricted_audience_only_what_it_can_see(audience: Audience) -> None:
    shown_gate = shown(cards.CARD, _gate_card(GATE), audience)["gate"]
    assert [c["code"] for c in shown_gate["unmet"]] == [
        "installation_photos_missing",
        "measurement_not_done",
    ]


@pytest.mark.parametrize("audience", RESTRICTED)
def test_a_gate_blocked_only_by_the_deal_looks_like_an_open_gate(audience: Audience) -> None:
    shown_gate = shown(cards.CARD, _gate_card(GATE[:3]), audience)["gate"]
    assert shown_gate == {"stage": "contract", "unmet": []}


def test_the_commercial_audience_sees_every_unmet_condition() -> None:
    assert shown(cards.CARD, _gate_card(GATE), "commercial")["gate"]["unmet"] == GATE


def test_conditions_without_a_kind_are_judged_by_a_known_code() -> None:
    codes = ("deal_terms_missing", "documents_missing", "rework_not_done", "director_added")
    visible = [c for c in codes if gate_condition_visible({"code": c, "message_ru": "…"})]
    assert visible == ["rework_not_done"]


@pytest.mark.parametrize("audience", RESTRICTED)
def test_a_visible_files_detach_stays_in_a_restricted_history(audience: Audience) -> None:
    entries = [
        *HISTORY,
        HISTORY[1] | {"type": "orders.MediaDetached", "event_id": HISTORY[0]["event_id"]},
    ]
    kept = [
        (e["type"], e["data"].get("media_id")) for e in shown(history.HISTORY, entries, audience)
    ]
    assert ("orders.MediaDetached", entries[1]["data"]["media_id"]) in kept
