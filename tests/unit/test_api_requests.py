"""The request models state what the services accept: the gateway refuses nothing they would
take, and the OpenAPI invites nothing they refuse."""

from __future__ import annotations

from typing import Any, get_args

import pytest
from pydantic import TypeAdapter, ValidationError

from contracts.api.media import DocumentPurpose, DocumentType, ImageType, PhotoPurpose
from contracts.api.media import UploadRequest as Upload
from contracts.api.scheduling import NewTask
from contracts.events.common import DOCUMENT_PURPOSES, PHOTO_PURPOSES
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
