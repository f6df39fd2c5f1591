"""Where a realtime stream resumes: one cursor over both feeds it merges.

The stream (GET /api/v1/events/stream) pushes the projections' change feed and the caller's
notification inbox. Each frame's SSE `id:` is `"<change_seq>.<inbox_seq>"`, so a client that
reconnects with `Last-Event-ID` gets what it missed from both; before, notification frames
had no id and one written during a reconnect was never pushed. A plain `"<seq>"` (what older
clients hold) still resumes the change feed; the inbox then starts from now.

Parsed strictly and cheaply: the header is the client's to fill. Anything that is not such a
cursor (letters, thousands of digits, beyond a PostgreSQL bigint) is no cursor at all, and
the stream starts from now, as for a first connection: never an error (int() refuses over
4,300 digits) and never a position the feeds cannot serve (a stream stuck on errors).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_POSITION = 2**63 - 1  # PostgreSQL bigint, what both feeds number with
_CURSOR = re.compile(r"([0-9]{1,19})(?:\.([0-9]{1,19}))?")  # [0-9]: \d would take "٣"


@dataclass(frozen=True)
class Cursor:
    changes: int
    inbox: int | None  # None: not known (an old client's id): the inbox from now

    def __str__(self) -> str:
        return str(self.changes) if self.inbox is None else f"{self.changes}.{self.inbox}"


def parse_cursor(raw: str | None) -> Cursor | None:
    if raw is None or len(raw) > 64:  # checked before the regex looks at a huge header
        return None
    found = _CURSOR.fullmatch(raw.strip())
    if found is None:
        return None
    changes = int(found[1])
    inbox = None if found[2] is None else int(found[2])
    if changes > MAX_POSITION or (inbox is not None and inbox > MAX_POSITION):
        return None
    return Cursor(changes, inbox)
