"""The files the crews upload: real JPEG and HEIC photos, made once per run with Pillow and
pillow-heif (both already the media service's dependencies), the size of a phone's photo
scaled down — a noisy picture, so the encoders work as on a real one and the media service
decodes and thumbnails each as it would a photo from the site."""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache

import pillow_heif
from PIL import Image

SIZE = (1600, 1200)


@dataclass(frozen=True)
class Upload:
    filename: str
    content_type: str
    content: bytes


def _picture() -> Image.Image:
    noise = Image.effect_noise(SIZE, 24).convert("RGB")
    gradient = Image.linear_gradient("L").resize(SIZE).convert("RGB")
    return Image.blend(noise, gradient, 0.7)


@cache
def jpeg() -> Upload:
    out = io.BytesIO()
    _picture().save(out, "JPEG", quality=85)
    return Upload("IMG_0001.jpg", "image/jpeg", out.getvalue())


@cache
def heic() -> Upload:
    pillow_heif.register_heif_opener()
    out = io.BytesIO()
    _picture().save(out, "HEIF", quality=60)
    return Upload("IMG_0002.HEIC", "image/heic", out.getvalue())


PDF = Upload("договор.pdf", "application/pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
