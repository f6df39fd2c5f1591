"""Verifying an uploaded object before it counts: size, magic bytes, structure, decoding.

Time-of-check vs time-of-use: the presigned PUT URL stays valid after completion, so the
client could overwrite the upload after we looked at it. We therefore copy the upload to a
key no URL points at and verify *the copy*: the bytes we keep are the bytes we checked.

Memory: only bounded ranges are read into memory (head, ZIP tail and directory); an image
is spooled to a temp file on disk and decoded from there.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from services.media.application.ports import Imaging, NotAnImage, ObjectStorage
from services.media.domain import rules, sniff, zipdir
from services.media.domain.errors import TooBig, Unacceptable
from services.media.domain.model import Limits, Media, PhotoFacts

PDF_TRAILER_BYTES = 1024  # readers look for %%EOF within the last KiB
PILLOW_FORMAT = {
    rules.JPEG: "JPEG",
    rules.PNG: "PNG",
    rules.WEBP: "WEBP",
    rules.HEIC: "HEIF",
    rules.HEIF: "HEIF",
}
OFFICE_KIND = {rules.DOCX: "docx", rules.XLSX: "xlsx"}


class UploadMissing(Unacceptable):
    code = "upload_missing"


class ContentMismatch(Unacceptable):
    code = "content_mismatch"


class NotAnImageFile(Unacceptable):
    code = "not_an_image"


class SizeMismatch(Unacceptable):
    code = "size_mismatch"


@asynccontextmanager
async def spool_dir() -> AsyncIterator[Path]:
    """A private temp folder for one object, removed afterwards whatever happens."""
    path = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix="media-"))
    try:
        yield path
    finally:
        await asyncio.to_thread(shutil.rmtree, path, True)


@dataclass(frozen=True)
class Verifier:
    storage: ObjectStorage
    imaging: Imaging
    limits: Limits

    async def verify(self, media: Media) -> PhotoFacts:
        """Copy the upload aside and check the copy; raise a MediaRefusal saying why not."""
        declared = media.declared
        limit = self.limits.for_kind(declared.kind)
        upload = await self.storage.stat(media.upload_key)
        if upload is None:
            raise UploadMissing("nothing was uploaded to this media's URL (or it expired)")
        # Refused before copying: the upload URL is signed for the declared length, so a
        # different size means a store that does not check signed headers, or a bug.
        if upload.size > limit:
            raise TooBig(f"the upload is {upload.size} bytes; a {declared.kind} may be {limit}")
        if upload.size != declared.size:
            raise SizeMismatch(f"declared {declared.size} bytes but {upload.size} were uploaded")
        copied = await self.storage.copy(media.upload_key, media.object_key)
        kept = await self.storage.stat(media.object_key) if copied else None
        if kept is None:
            raise UploadMissing("the upload vanished while it was being verified")
        if kept.size > limit:
            raise TooBig(f"the upload is {kept.size} bytes; a {declared.kind} may be {limit}")
        if kept.size != declared.size:
            raise SizeMismatch(f"declared {declared.size} bytes but {kept.size} were uploaded")
        head = await self.storage.read_range(media.object_key, 0, sniff.HEAD_BYTES)
        if not sniff.matches(declared.content_type, head):
            found = sniff.sniff(head) or "unknown data"
            raise ContentMismatch(f"declared {declared.content_type} but the content is {found}")
        if declared.content_type == rules.PDF:
            await self._check_pdf(media.object_key, kept.size)
        elif declared.content_type in OFFICE_KIND:
            await self._check_office(media, kept.size)
        elif declared.content_type in PILLOW_FORMAT:
            facts = await self._check_image(media)
            return facts if declared.kind == "photo" else PhotoFacts()
        return PhotoFacts()

    async def _check_pdf(self, key: str, size: int) -> None:
        length = min(size, PDF_TRAILER_BYTES)
        tail = await self.storage.read_range(key, size - length, length)
        if b"%%EOF" not in tail:
            raise ContentMismatch("the PDF has no end-of-file marker: truncated upload?")

    async def _check_office(self, media: Media, size: int) -> None:
        offset, length = zipdir.tail_range(size)
        try:
            tail = await self.storage.read_range(media.object_key, offset, length)
            cd_offset, cd_size = zipdir.locate_directory(tail, offset, size)
            directory = await self.storage.read_range(media.object_key, cd_offset, cd_size)
            kind = zipdir.office_kind(zipdir.entry_names(directory))
        except zipdir.BadZip as exc:
            raise ContentMismatch(f"declared {media.declared.content_type} but {exc}") from None
        expected = OFFICE_KIND[media.declared.content_type]
        if kind != expected:
            raise ContentMismatch(
                f"declared a {expected.upper()} document but the ZIP is "
                + (f"a {kind.upper()} document" if kind else "not an Office document")
            )

    async def _check_image(self, media: Media) -> PhotoFacts:
        async with spool_dir() as folder:
            path = folder / "original"
            await self.storage.download(media.object_key, path)
            try:
                found = await self.imaging.inspect(path)
            except NotAnImage as exc:
                raise NotAnImageFile(f"the file does not decode as an image: {exc}") from None
        expected = PILLOW_FORMAT[media.declared.content_type]
        if found.format != expected:
            raise ContentMismatch(
                f"declared {media.declared.content_type} but it decodes as {found.format}"
            )
        return found.facts
