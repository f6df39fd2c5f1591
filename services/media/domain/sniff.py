"""What a file really is, from its first bytes (magic numbers), never from its name.

Only the head of the object is read (a ranged GET of HEAD_BYTES): enough for every
signature below, and cheap whatever the size of the file.
"""

from __future__ import annotations

from typing import Final, Literal

from services.media.domain import rules

Format = Literal["pdf", "jpeg", "png", "webp", "heif", "zip"]
HEAD_BYTES: Final = 64

# ISO-BMFF brands of HEIF still images: what iPhones (heic, mif1) and others write.
# AVIF shares the container (and lists `mif1` too) but is not an accepted type.
HEIF_BRANDS: Final = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1"})
AVIF_BRANDS: Final = frozenset({b"avif", b"avis"})

EXPECTED: Final[dict[str, Format]] = {
    rules.PDF: "pdf",
    rules.JPEG: "jpeg",
    rules.PNG: "png",
    rules.WEBP: "webp",
    rules.HEIC: "heif",
    rules.HEIF: "heif",
    rules.DOCX: "zip",  # an Office file is a ZIP; its entries tell Word from Excel
    rules.XLSX: "zip",
}


def _heif_brands(head: bytes) -> set[bytes]:
    """The major and compatible brands of an `ftyp` box at the start of the file."""
    if len(head) < 16 or head[4:8] != b"ftyp":
        return set()
    box_size = int.from_bytes(head[0:4], "big")
    end = min(max(box_size, 16), len(head))
    brands = {head[8:12]}
    brands.update(head[i : i + 4] for i in range(16, end - 3, 4))
    return brands


def sniff(head: bytes) -> Format | None:
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[0:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    brands = _heif_brands(head)
    if brands & HEIF_BRANDS and not brands & AVIF_BRANDS:
        return "heif"
    return None


def matches(content_type: str, head: bytes) -> bool:
    """Do the first bytes carry the signature of the declared type?"""
    expected = EXPECTED.get(content_type)
    return expected is not None and sniff(head) == expected
