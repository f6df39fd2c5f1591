"""Decoding images with Pillow (and pillow-heif for iPhone HEIC), off the event loop.

Decoding is CPU work and the files can be large, so it runs in a worker thread, reads the
file from disk (never the whole object in memory) and caps the pixel count from the header,
before decoding: a small file can declare an enormous canvas (a decompression bomb).

The threads are this adapter's own, as many as the machine has cores, and each decode ends by
handing freed memory back to the system (`malloc_trim`). A 1600×1200 photo needs buffers of
several MB; glibc serves them from a per-thread arena and keeps what was freed there for
reuse, so with asyncio's default pool (cores + 4 threads, shared with every other blocking
call) the service's own memory crept up by the hour as more threads happened to decode at
once (the soak: +14.6 % between minutes 10 and 60, issue 19). Decoding more photos at once
than there are cores only made each slower anyway.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import tzinfo
from pathlib import Path
from typing import Any, TypeVar

import pillow_heif
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from plumbing.threads import run_on
from services.media.application.ports import ImageFacts, NotAnImage
from services.media.domain import exif
from services.media.domain.errors import MediaRefusal
from services.media.domain.model import PhotoFacts
from services.media.domain.pixels import check_pixels, over_budget

T = TypeVar("T")

pillow_heif.register_heif_opener()
log = logging.getLogger(__name__)
JPEG_DRAFT_EDGE = 1024  # JPEG decodes at 1/2..1/8 scale: every byte is read, less memory
DECODE_FAILURES = (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError)


def _glibc(function: str) -> Any:
    """A function of glibc's malloc, or None where the C library has none (musl, macOS)."""
    name = ctypes.util.find_library("c")
    return getattr(ctypes.CDLL(name), function, None) if name else None


def _malloc_trim() -> Callable[[], object]:
    """glibc's malloc_trim(0), or nothing."""
    trim = _glibc("malloc_trim")
    if trim is None:
        return lambda: None
    trim.argtypes = [ctypes.c_size_t]
    return lambda: trim(0)


def _fixed_mmap_threshold() -> None:
    """Every block over 128 KB from its own mmap, returned whole when freed: glibc's default
    threshold rises to the size of the largest block freed (up to 32 MB), after which a
    decode's multi-MB pixel buffers come from the threads' heaps, and how much of them
    malloc_trim can hand back depends on what lies beside them. Measured on one process
    decoding the load's JPEG and HEIC in turn (trim after each): its own memory after each
    decode swung between 25 and 47 MB with the default, and stayed at 23 MB with this (the
    soak saw the media service's own memory jump between two levels 12 MB apart)."""
    mallopt = _glibc("mallopt")
    if mallopt is not None:
        mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
        mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)


M_MMAP_THRESHOLD = -3  # glibc's malloc.h
MMAP_THRESHOLD = 128 * 1024  # glibc's default, but fixed
_give_back = _malloc_trim()
_fixed_mmap_threshold()  # this process decodes images: media only imports this adapter


def _why(exc: BaseException) -> str:
    """What a person may be told about a failed decode. Never Pillow's own text: it names the
    file it read (`cannot identify image file '/tmp/media-…/original'`), a server path."""
    if isinstance(exc, UnidentifiedImageError):
        return "the content is not an image format this service reads"
    if isinstance(exc, Image.DecompressionBombError):
        return "the image declares more pixels than are accepted"
    if isinstance(exc, OSError | EOFError) and "truncated" in str(exc).lower():
        return "the image data is truncated (an incomplete upload?)"
    return "the image data is corrupt or in an unsupported variant of its format"


class PillowImaging:
    def __init__(self, local_tz: tzinfo, max_pixels: int, thumbnail_edge: int = 320) -> None:
        self.local_tz = local_tz
        self.max_pixels = max_pixels
        self.thumbnail_edge = thumbnail_edge
        # Pillow's own bomb guard, a second line behind the header check in `_open` (for a
        # frame or format that slips past it): Image.open refuses above twice this. Only a
        # warning above it, and warning filters are process-wide and not thread-safe, so the
        # budget itself is enforced by `check_pixels`. This process decodes only media.
        Image.MAX_IMAGE_PIXELS = max_pixels
        self._decoders = ThreadPoolExecutor(os.cpu_count() or 1, thread_name_prefix="decode")

    async def inspect(self, path: Path) -> ImageFacts:
        return await self._decode(self._inspect, path)

    async def thumbnail(self, source: Path, target: Path) -> None:
        await self._decode(lambda s: self._thumbnail(s, target), source)

    async def _decode(self, work: Callable[[Path], T], path: Path) -> T:
        return await run_on(self._decoders, self._guarded, work, path)

    def _guarded(self, work: Callable[[Path], T], path: Path) -> T:
        """Run `work`, turning every decode failure into NotAnImage with a path-free reason;
        the exception itself goes to the log, where the path helps."""
        try:
            return work(path)
        except MediaRefusal:
            raise  # already what the client is told (the pixel budget): kept as it is
        except DECODE_FAILURES as exc:
            log.info("image refused: %r", exc)
            raise NotAnImage(_why(exc)) from None
        finally:
            _give_back()  # the decode's buffers, freed by now (module docstring)

    def _open(self, path: Path) -> Image.Image:
        """Open lazily (the header only) and refuse an oversized canvas before any decode."""
        try:
            image = Image.open(path)
        except Image.DecompressionBombError as exc:
            # Pillow refused the header itself (over twice the budget): same refusal, with
            # the pixel count its message gives, if it still gives it.
            count = re.search(r"\((\d+) pixels\)", str(exc))
            raise over_budget(self.max_pixels, int(count[1]) if count else None) from None
        try:
            check_pixels(*image.size, self.max_pixels)
        except MediaRefusal:
            image.close()
            raise
        return image

    def _inspect(self, path: Path) -> ImageFacts:
        # verify() checks the structure without decoding; it leaves the image unusable,
        # so the full decode (which is what notices a truncated JPEG) opens it again.
        with self._open(path) as image:
            image.verify()
        with self._open(path) as image:
            fmt = str(image.format)
            if fmt == "JPEG":
                image.draft("RGB", (JPEG_DRAFT_EDGE, JPEG_DRAFT_EDGE))
            image.load()
            facts = self._facts(image)
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
