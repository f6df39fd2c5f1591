"""Decoding images with Pillow (and pillow-heif for iPhone HEIC), off the event loop.

Decoding is CPU work and the files can be large, so it runs in a worker thread, reads the
file from disk (never the whole object in memory) and caps the pixel count: a small file
can declare an enormous canvas (a decompression bomb).
"""

from __future__ import annotations

import asyncio
import warnings
from datetime import tzinfo
from pathlib import Path

import pillow_heif
from PIL import ExifTags, Image, ImageOps

from services.media.application.ports import ImageFacts, NotAnImage
from services.media.domain import exif
from services.media.domain.model import PhotoFacts

pillow_heif.register_heif_opener()
JPEG_DRAFT_EDGE = 1024  # JPEG decodes at 1/2..1/8 scale: every byte is read, less memory
DECODE_FAILURES = (OSError, SyntaxError, ValueError, Image.DecompressionBombError)


class PillowImaging:
    def __init__(self, local_tz: tzinfo, max_pixels: int, thumbnail_edge: int = 320) -> None:
        self.local_tz = local_tz
        self.max_pixels = max_pixels
        self.thumbnail_edge = thumbnail_edge

    async def inspect(self, path: Path) -> ImageFacts:
        return await asyncio.to_thread(self._inspect, path)

    async def thumbnail(self, source: Path, target: Path) -> None:
        await asyncio.to_thread(self._thumbnail, source, target)

    def _open(self, path: Path) -> Image.Image:
        image = Image.open(path)
        width, height = image.size
        if width * height > self.max_pixels:
            image.close()
            raise NotAnImage(f"{width}x{height} pixels is more than {self.max_pixels} allowed")
        return image

    def _inspect(self, path: Path) -> ImageFacts:
        try:
            # verify() checks the structure without decoding; it leaves the image unusable,
            # so the full decode (which is what notices a truncated JPEG) opens it again.
            with self._open(path) as image:
                image.verify()
            with self._open(path) as image, warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                fmt = str(image.format)
                if fmt == "JPEG":
                    image.draft("RGB", (JPEG_DRAFT_EDGE, JPEG_DRAFT_EDGE))
                image.load()
                facts = self._facts(image)
        except NotAnImage:
            raise
        except DECODE_FAILURES as exc:
            raise NotAnImage(str(exc) or type(exc).__name__) from None
        return ImageFacts(format=fmt, facts=facts)

    def _facts(self, image: Image.Image) -> PhotoFacts:
        tags = image.getexif()
        return PhotoFacts(
            taken_at=exif.capture_time(tags.get_ifd(ExifTags.IFD.Exif), self.local_tz),
            location=exif.position(tags.get_ifd(ExifTags.IFD.GPSInfo)),
        )

    def _thumbnail(self, source: Path, target: Path) -> None:
        with self._open(source) as image:
            if image.format == "JPEG":
                image.draft("RGB", (self.thumbnail_edge * 2, self.thumbnail_edge * 2))
            # Phones store portrait photos as landscape pixels plus an orientation tag.
            upright = ImageOps.exif_transpose(image)
            upright.thumbnail((self.thumbnail_edge, self.thumbnail_edge))
            upright.convert("RGB").save(target, "JPEG", quality=80, optimize=True)
