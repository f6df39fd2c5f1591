"""The decoded-pixel budget: how big an image may be once decoded, judged from its header.

The bytes on the wire say nothing about the memory a decode needs: a 300 KB PNG of one colour
can declare 20000x20000 pixels, 1.2 GB as RGB. Every image format states its canvas in its
header, so the check is made before a single pixel is decoded.
"""

from __future__ import annotations

from typing import Final

from services.media.domain.errors import Unacceptable

# A 48-megapixel phone sensor (8064x6048, the largest common today) fits; 50 MP decodes to
# about 150 MB as RGB, and the media service decodes at most `work_slots` images at once.
DEFAULT_BUDGET: Final = 50_000_000


class TooManyPixels(Unacceptable):
    code = "too_many_pixels"


def check_pixels(width: int, height: int, budget: int) -> None:
    if width <= 0 or height <= 0:
        raise Unacceptable("the image declares no pixels", code="not_an_image")
    if width * height > budget:
        raise over_budget(budget, width * height, f"{width}x{height} pixels")


def over_budget(budget: int, pixels: int | None, size: str | None = None) -> TooManyPixels:
    """The refusal, with as much as is known: the canvas, or only its pixel count (when the
    decoder refused the header itself), or neither."""
    if pixels is None:
        found = "the image declares more pixels than the budget"
    elif size is None:
        found = f"the image is {pixels / 1e6:.1f} megapixels"
    else:
        found = f"the image is {size} ({pixels / 1e6:.1f} megapixels)"
    return TooManyPixels(
        f"{found}; at most {budget / 1e6:.1f} megapixels are accepted",
        pixels=pixels,
        max_pixels=budget,
    )
