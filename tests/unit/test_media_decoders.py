"""The media service's decoding runs in threads of its own, carrying the caller's context, and
hands freed memory back after each decode (services/media/adapters/imaging.py)."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
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


DECODES_IN_TURN = """
import asyncio, sys, tempfile
from datetime import UTC
from pathlib import Path
from load import files
from services.media.adapters.imaging import PillowImaging

def own_kb():
    for line in open("/proc/self/status"):
        if line.startswith("RssAnon"):
            return int(line.split()[1])

async def main():
    adapter = PillowImaging(UTC, 50_000_000)
    folder = Path(tempfile.mkdtemp())
    photos = []
    for name, upload in (("j", files.jpeg()), ("h", files.heic())):
        (folder / name).write_bytes(upload.content)
        photos.append(folder / name)
    for i in range(10):
        photo = photos[i % 2]
        await adapter.inspect(photo)
        await adapter.thumbnail(photo, folder / "t.jpg")
        print(own_kb())

asyncio.run(main())
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
def test_memory_after_each_decode_stays_level() -> None:
    """With glibc's threshold fixed (imaging._fixed_mmap_threshold), a decode's pixel buffers
    are mapped and unmapped whole: the process's own memory after each decode is the same,
    JPEG or HEIC. With glibc's sliding default it swung by 20 MB from one decode to the next.
    A fresh process: the threshold is process-wide, and this one's history is not the
    service's."""
    ran = subprocess.run(
        [sys.executable, "-c", DECODES_IN_TURN],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    after_each = [int(line) for line in ran.stdout.split()]
    settled = after_each[2:]  # the first decodes load the codecs
    assert max(settled) - min(settled) < 4 * 1024, after_each
