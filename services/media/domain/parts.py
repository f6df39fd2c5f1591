"""How one upload is cut into S3 multipart parts, and which parts are still missing.

Pure arithmetic (no I/O): the service signs each part's URL for the length `length(n)` gives,
and completes only when `missing` finds every part held at exactly that length.

A file of at most one part keeps the single presigned PUT: S3 stores a part whole or not at
all, so a one-part multipart upload resumes no better than a PUT, and it would cost three
more calls to the store (create, list, complete) and a server-side concatenation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# S3 and MinIO refuse a part other than the last under 5 MiB (EntityTooSmall at completion),
# and an upload of more than 10,000 parts.
MIN_PART_BYTES = 5 * 1024 * 1024
MAX_PARTS = 10_000


@dataclass(frozen=True)
class PartPlan:
    size: int  # the declared total
    part_size: int  # every part but the last is exactly this long

    @property
    def count(self) -> int:
        return -(-self.size // self.part_size)

    def length(self, number: int) -> int:
        """Bytes of part `number` (1-based); the last part takes what is left."""
        if not 1 <= number <= self.count:
            raise ValueError(f"part {number} is not in 1..{self.count}")
        return min(self.part_size, self.size - (number - 1) * self.part_size)

    def invalid(self, numbers: Iterable[int]) -> list[int]:
        return sorted({n for n in numbers if not 1 <= n <= self.count})

    def missing(self, held: Mapping[int, int]) -> list[int]:
        """Parts not held at their exact length (`held`: number → size the store reports).
        A part of another length cannot be there through our URLs; should a store not check
        signed lengths, it is sent again rather than trusted."""
        return [n for n in range(1, self.count + 1) if held.get(n) != self.length(n)]


def plan_for(size: int, part_size: int) -> PartPlan | None:
    """The parts of a `size`-byte upload, or None when one PUT is the whole of it."""
    if part_size < MIN_PART_BYTES:
        raise ValueError(f"a part must be at least {MIN_PART_BYTES} bytes")
    if size <= part_size:
        return None
    plan = PartPlan(size, part_size)
    if plan.count > MAX_PARTS:
        raise ValueError(f"{size} bytes make more than {MAX_PARTS} parts of {part_size}")
    return plan
