"""The request models state what the services accept: the gateway refuses nothing they would
take, and the OpenAPI invites nothing they refuse."""

from __future__ import annotations

from typing import Any, get_args

import pytest
from pydantic import TypeAdapter, ValidationError

from contracts.api.media import DocumentPurpose, DocumentType, ImageType, PhotoPurpose
from contracts.api.media import UploadRequest as Upload
from contracts.api.scheduling import MeasurementResultsIn, NewTask
from contracts.events.common import DOCUMENT_PURPOSES, PHOTO_PURPOSES, MeasurementResults
from services.media.domain import rules

UPLOAD: TypeAdapter[Any] = TypeAdapter(Upload)
TASK: TypeAdapter[Any] = TypeAdapter(NewTask)


def _flat(literal: Any) -> set[str]:
    return {a for arg in get_args(literal) for a in (_flat(arg) if get_args(arg) else {arg})}


def test_uploads_name_the_purposes_and_types_the_media_service_takes() -> None:
    assert _flat(DocumentPurpose) == set(DOCUMENT_PURPOSES)
    assert _flat(PhotoPurpose) == set(PHOTO_PURPOSES)
    assert _flat(ImageType) == rules.IMAGE_TYPES
    assert _flat(DocumentType) == rules.DOCUMENT_TYPES


@pytest.mark.parametrize(
    ("kind", "purpose", "content_type", "taken"),
    [
        ("document", "signed_contract", "application/pdf", True),
        ("photo", "installation", "image/jpeg", True),
        ("photo", "signed_contract", "image/jpeg", False),  # no such photo purpose
        ("photo", "installation", "application/pdf", False),  # a photo is an image
    ],
)
def test_an_upload_is_judged_by_its_kind(
    kind: str, purpose: str, content_type: str, taken: bool
) -> None:
    body: dict[str, Any] = {"kind": kind, "purpose": purpose, "content_type": content_type}
    body |= {"filename": "f", "size": 1}
    try:
        UPLOAD.validate_python(body)
    except ValidationError:
        assert not taken
    else:
        assert taken


@pytest.mark.parametrize(
    ("assignee", "taken"),
    [
        ({"assignee_id": "3f0e8d6e-6b5e-4f0a-9b1e-2f4c5d6e7f80"}, True),
        ({"assignee_role": "installer"}, True),
        ({"assignee_role": "nobody"}, False),
        ({}, False),
        (
            {"assignee_id": "3f0e8d6e-6b5e-4f0a-9b1e-2f4c5d6e7f80", "assignee_role": "delivery"},
            False,
        ),
    ],
)
def test_a_task_is_for_one_person_or_one_role(assignee: dict[str, str], taken: bool) -> None:
    try:
        TASK.validate_python({"title": "Инвентаризация", **assignee})
    except ValidationError:
        assert not taken
    else:
        assert taken


def _rules(schema: Any) -> Any:
    """A JSON Schema without what only names or documents (titles, descriptions, the
    no-NUL note) and with its definitions inlined: the rules it states."""
    defs = schema.get("$defs", {}) if isinstance(schema, dict) else {}

    def strip(node: Any) -> Any:
        if isinstance(node, list):
            return [strip(n) for n in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            return strip(defs[node["$ref"].rsplit("/", 1)[-1]])
        drop = {"title", "description", "not", "$defs"}
        return {k: strip(v) for k, v in node.items() if k not in drop}

    return strip(schema)


def test_measurement_results_are_taken_by_the_rules_the_event_holds() -> None:
    assert _rules(MeasurementResultsIn.model_json_schema()) == _rules(
        MeasurementResults.model_json_schema()
    )
