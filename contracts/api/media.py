"""Documents and photos (API.md, Media). Commercial documents (contract_draft, calculation,
signed_contract) are for the commercial audience only: left out of a restricted audience's
lists, and refused (404) one by one before any of this is built."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, model_validator

from contracts.api.audience import Shown, Views
from contracts.api.common import Id, Input, Timestamp
from contracts.api.hidden import COMMERCIAL_DOCUMENT_PURPOSES, without_commercial_media

MediaKind = Literal["document", "photo"]


# What may be attached, per kind (API.md, Media; the media service checks the same, with the
# role's own purposes on top): the OpenAPI states it, so a client offers nothing else.
DocumentPurpose = Literal[
    "contract_draft", "requirements", "calculation", "signed_contract", "measurement", "other"
]
PhotoPurpose = Literal["measurement", "installation", "rework", "other"]
ImageType = Literal["image/jpeg", "image/png", "image/webp", "image/heic", "image/heif"]
DocumentType = Literal[
    ImageType,  # a scan may be a photo
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
]


class _Declared(Input):
    filename: str = Field(min_length=1, max_length=500)
    size: int = Field(gt=0, description="bytes; the upload must be exactly this long")
    client_key: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="the client's id for this file: a retry with it gets the same media_id",
    )


class DocumentUpload(_Declared):
    kind: Literal["document"]
    purpose: DocumentPurpose
    content_type: DocumentType


class PhotoUpload(_Declared):
    kind: Literal["photo"]
    purpose: PhotoPurpose
    content_type: ImageType
    visit_id: Id | None = Field(
        default=None,
        description="the visit this photo belongs to (the uploader must be its assignee, or "
        "office); without it, an installation or rework photo belongs to the uploader's own "
        "latest visit of that kind on the order (for the office: the order's)",
    )


class ReviewRequest(Input):
    """POST /media/{id}/review: a manager's decision on a photo not confirmed on site."""

    decision: Literal["confirm", "reject"]
    reason: str | None = Field(default=None, max_length=500)


UploadRequest = Annotated[DocumentUpload | PhotoUpload, Field(discriminator="kind")]


class Upload(Shown):
    media_id: Id
    upload_url: str
    method: str = "PUT"
    expires_at: Timestamp
    status: str


UPLOAD = Views.of(Upload)


class GeoPointOut(Shown):
    lat: float
    lon: float


class MediaItem(Shown):
    media_id: Id
    order_id: Id
    kind: MediaKind
    purpose: str
    filename: str
    content_type: str
    size: int
    status: str
    uploaded_by: Id
    created_at: Timestamp
    taken_at: Timestamp | None = None
    location: GeoPointOut | None = None
    visit_id: Id | None = None
    review: Literal["confirm", "reject"] | None = None
    download_url: str | None = None
    thumbnail_url: str | None = None


class RestrictedMediaItem(MediaItem):
    @model_validator(mode="after")
    def _not_commercial(self) -> RestrictedMediaItem:
        # The routes answer 404 before this for a commercial item: should one get this far,
        # it fails closed (a server error), never shown.
        if self.purpose in COMMERCIAL_DOCUMENT_PURPOSES:
            raise ValueError("a commercial document is not shown to this audience")
        return self


ITEM = Views.of(MediaItem, RestrictedMediaItem)
ITEMS = Views.of(
    list[MediaItem],
    Annotated[list[RestrictedMediaItem], BeforeValidator(without_commercial_media)],
)


class Purposes(Shown):
    role: str
    purposes: dict[MediaKind, list[str]]


PURPOSES = Views.of(Purposes)
