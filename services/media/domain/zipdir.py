"""Telling a DOCX from an XLSX from any other ZIP by its central directory alone.

A ZIP ends with the "end of central directory" record (22 bytes plus a comment of at most
64 KiB) that says where the directory of entry names lives. Reading that tail and then the
directory itself (two ranged GETs) names every entry without reading the file's contents.
"""

from __future__ import annotations

import struct
from typing import Final, Literal

EOCD_SIGNATURE: Final = b"PK\x05\x06"
ENTRY_SIGNATURE: Final = b"PK\x01\x02"
EOCD_SIZE: Final = 22
TAIL_BYTES: Final = EOCD_SIZE + 0xFFFF  # the record plus the longest comment
MAX_DIRECTORY_BYTES: Final = 4 * 1024 * 1024  # a real Office file's directory is kilobytes
ZIP64_MARK: Final = 0xFFFFFFFF

OfficeKind = Literal["docx", "xlsx"]


class BadZip(ValueError):
    pass


def tail_range(object_size: int) -> tuple[int, int]:
    """(offset, length) of the bytes to read to find the end record."""
    length = min(object_size, TAIL_BYTES)
    return object_size - length, length


def locate_directory(tail: bytes, tail_offset: int, object_size: int) -> tuple[int, int]:
    """(offset, size) of the central directory, from the tail of the file."""
    at = tail.rfind(EOCD_SIGNATURE)
    if at < 0 or len(tail) - at < EOCD_SIZE:
        raise BadZip("no end-of-directory record: not a complete ZIP file")
    _, _, _, _, _, size, offset, _ = struct.unpack("<4sHHHHIIH", tail[at : at + EOCD_SIZE])
    if ZIP64_MARK in (size, offset):
        raise BadZip("ZIP64 archives are not accepted as Office documents")
    if size > MAX_DIRECTORY_BYTES:
        raise BadZip("the ZIP directory is implausibly large for an Office document")
    if offset + size > tail_offset + at or offset + size > object_size:
        raise BadZip("the ZIP directory points outside the file: truncated or corrupt")
    return offset, size


def entry_names(directory: bytes) -> list[str]:
    """Names of the entries of a central directory (46-byte headers, each with its name)."""
    names: list[str] = []
    pos = 0
    while pos + 46 <= len(directory):
        if directory[pos : pos + 4] != ENTRY_SIGNATURE:
            raise BadZip("corrupt ZIP directory entry")
        name_len, extra_len, comment_len = struct.unpack("<HHH", directory[pos + 28 : pos + 34])
        names.append(directory[pos + 46 : pos + 46 + name_len].decode("utf-8", "replace"))
        pos += 46 + name_len + extra_len + comment_len
    if pos != len(directory):
        raise BadZip("the ZIP directory ends in the middle of an entry")
    return names


def office_kind(names: list[str]) -> OfficeKind | None:
    """OOXML packages hold `[Content_Types].xml` and their parts under `word/` or `xl/`."""
    if "[Content_Types].xml" not in names:
        return None
    if any(n.startswith("word/") for n in names):
        return "docx"
    if any(n.startswith("xl/") for n in names):
        return "xlsx"
    return None
