"""The media service's decoding runs in threads of its own, carrying the caller's context, and
hands freed memory back after each decode (services/media/adapters/imaging.py)."""

from __future__ import annotations

import asyncio
import io
import threading
from datetime import UTC
from pathlib import Path

import pytest
from PIL import Image

from plumbing import correlation
from services.media.adapters import imaging
from services.media.adapters.imaging import PillowImaging
from services.media.application.ports import NotAnImage


def _photo(path: Path) -> Path:
    out = io.BytesIO()
    Image.effect_noise((800, 600), 40).convert("RGB").save(out, "JPEG")
    path.write_bytes(out.getvalue())
    return path


async def test_decodes_in_its_own_threads_with_the_callers_context(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[str, str | None]] = []
    trims: list[str] = []
    monkeypatch.setattr(imaging, "_give_back", lambda: trims.append("trim"))
    adapter = PillowImaging(UTC, max_pixels=10_000_000)

    def work(path: Path) -> str:
        seen.append((threading.current_thread().name, correlation.get_or_new()))
        return path.name

    correlation.set_current("cid-of-the-request")
    assert await adapter._decode(work, tmp_path / "x") == "x"
    assert seen[0][0].startswith("decode")
    assert seen[0][1] == "cid-of-the-request"
    assert trims == ["trim"]


async def test_a_real_photo_and_a_refusal_both_give_memory_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trims: list[str] = []
    monkeypatch.setattr(imaging, "_give_back", lambda: trims.append("trim"))
    adapter = PillowImaging(UTC, max_pixels=10_000_000)
    photo = _photo(tmp_path / "photo.jpg")
    facts = await adapter.inspect(photo)
    assert facts.format == "JPEG"
    await adapter.thumbnail(photo, tmp_path / "thumb.jpg")
    with Image.open(tmp_path / "thumb.jpg") as thumb:
        assert max(thumb.size) == 320
    (tmp_path / "junk.jpg").write_bytes(b"\xff\xd8\xff not really a jpeg")
    with pytest.raises(NotAnImage):
        await adapter.inspect(tmp_path / "junk.jpg")
    assert len(trims) == 3


async def test_no_more_decodes_at_once_than_cores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("services.media.adapters.imaging.os.cpu_count", lambda: 2)
    adapter = PillowImaging(UTC, max_pixels=10_000_000)
    running = 0
    most = 0
    lock = threading.Lock()
    gate = threading.Event()

    def work(_: Path) -> None:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        gate.wait(5)
        with lock:
            running -= 1

    jobs = [asyncio.create_task(adapter._decode(work, tmp_path)) for _ in range(6)]
    for _ in range(100):  # until two have started (a slow machine takes its time)
        await asyncio.sleep(0.05)
        if running == 2:
            break
    await asyncio.sleep(0.2)  # a pool of more threads would have started a third by now
    gate.set()
    await asyncio.gather(*jobs)
    assert most == 2


def test_malloc_trim_is_found_on_glibc_or_is_a_no_op() -> None:
    imaging._malloc_trim()()  # must not raise, whatever the C library
