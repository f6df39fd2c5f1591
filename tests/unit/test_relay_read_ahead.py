"""The relay's read-ahead (plumbing/relay.py `_ReadAhead`): a batch read ahead is taken only
when the checkpoint is where it was read from; otherwise it is read again from the checkpoint
(a publish failed, or a republish sent the checkpoint back)."""

from __future__ import annotations

from collections.abc import Sequence

from plumbing.ordered_log import Cursor, LogRecord
from plumbing.relay import _ReadAhead


class _Log:
    name = "test.log"
    channel = "test_log"

    def __init__(self, positions: int) -> None:
        self.records = [LogRecord(Cursor(1, p), "t", b"k", b"v") for p in range(1, positions + 1)]
        self.reads: list[Cursor] = []

    async def read_after(self, after: Cursor, limit: int) -> Sequence[LogRecord]:
        self.reads.append(after)
        return [r for r in self.records if r.cursor > after][:limit]

    async def held_back(self, after: Cursor) -> bool:  # noqa: ARG002
        return False

    async def head(self) -> int:
        return len(self.records)


async def test_a_batch_read_ahead_is_taken_at_its_cursor() -> None:
    log = _Log(3)
    ahead = _ReadAhead(log)
    ahead.start(Cursor(1, 1))
    batch = await ahead.take(Cursor(1, 1))
    assert [r.cursor.position for r in batch] == [2, 3]
    assert log.reads == [Cursor(1, 1)]  # read once, ahead


async def test_a_checkpoint_sent_back_reads_again_from_it() -> None:
    log = _Log(3)
    ahead = _ReadAhead(log)
    ahead.start(Cursor(1, 2))
    batch = await ahead.take(Cursor(0, 0))  # e.g. a republish from the start
    assert [r.cursor.position for r in batch] == [1, 2, 3]
    assert log.reads[-1] == Cursor(0, 0)


async def test_nothing_read_ahead_reads_from_the_checkpoint_and_drop_forgets() -> None:
    log = _Log(2)
    ahead = _ReadAhead(log)
    assert [r.cursor.position for r in await ahead.take(Cursor(1, 1))] == [2]
    ahead.start(Cursor(1, 2))
    await ahead.drop()
    assert await ahead.take(Cursor(1, 2)) == []
