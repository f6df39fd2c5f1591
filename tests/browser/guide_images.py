"""The guides' pictures, made from the browser tests' own screenshots (`make guides`).

A guide shows a screen with `<img src="/guides/img/<check name>-<width>.webp" alt="...">`, where
`<check name>-<width>` is a screenshot some browser test takes with `tab.check(<check name>)`
at that width (test-artifacts/screens/<name>-<width>.png). `make guides` runs the browser tests,
then this module turns every referenced screenshot into a small WebP beside the guides: the top
of the page (a guide shows where to look, not the whole scroll), scaled to a readable width.
So a picture is never drawn by hand and always shows the screens the tests just exercised.

`make test` does not make pictures; tests/unit/test_guides.py only checks that every picture a
guide references is there (and has words for a screen reader), and that none is left unused.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from PIL import Image

REPO = Path(__file__).resolve().parents[2]
GUIDES = REPO / "gateway" / "web" / "guides"
IMAGES = GUIDES / "img"
SCREENS = REPO / "test-artifacts" / "screens"

IMG_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
SRC = re.compile(r'\bsrc="/guides/img/([a-z0-9-]+\.webp)"')
ALT = re.compile(r'\balt="([^"]*)"')
# Desk screenshots are 1440 px wide: shown at 960 they stay readable in a 760 px column on a
# retina screen. Phone ones (360 px) stay as they are. A page is cut to one and a half screens.
MAX_WIDTH = 960
MAX_HEIGHT_RATIO = {360: 800 / 360, 1440: 900 / 1440}
QUALITY = 80


def referenced(folder: Path = GUIDES) -> dict[str, list[str]]:
    """Each image file name the guides show → the alt texts it is shown with (one per use)."""
    images: dict[str, list[str]] = {}
    for page in sorted(folder.glob("*.html")):
        for tag in IMG_TAG.findall(page.read_text(encoding="utf-8")):
            src = SRC.search(tag)
            if src is None:
                raise ValueError(f"{page.name}: {tag} does not point at /guides/img/<name>.webp")
            alt = ALT.search(tag)
            images.setdefault(src.group(1), []).append(alt.group(1).strip() if alt else "")
    return images


def picture(screenshot: Path, target: Path) -> None:
    """The top of `screenshot`, at most MAX_WIDTH wide, as WebP at `target`."""
    with Image.open(screenshot) as shot:
        width, height = shot.size
        ratio = MAX_HEIGHT_RATIO.get(width, 900 / 1440)
        top = shot.crop((0, 0, width, min(height, round(width * ratio)))).convert("RGB")
        if width > MAX_WIDTH:
            top = top.resize(
                (MAX_WIDTH, round(top.height * MAX_WIDTH / width)), Image.Resampling.LANCZOS
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        top.save(target, "WEBP", quality=QUALITY, method=6)


def main() -> int:
    wanted = referenced()
    missing = [name for name in wanted if not (SCREENS / name.replace(".webp", ".png")).is_file()]
    if missing:
        print(
            "No screenshot for these guide pictures (is there a browser test that calls "
            "tab.check(<name>) at that width, and did it pass?):",
            *(f"  {name}" for name in missing),
            sep="\n",
            file=sys.stderr,
        )
        return 1
    for name in sorted(wanted):
        picture(SCREENS / name.replace(".webp", ".png"), IMAGES / name)
    stale = sorted(p.name for p in IMAGES.glob("*.webp") if p.name not in wanted)
    for name in stale:
        (IMAGES / name).unlink()
    size = sum(p.stat().st_size for p in IMAGES.glob("*.webp"))
    print(f"{len(wanted)} guide pictures in {IMAGES.relative_to(REPO)} ({size // 1024} KB)", end="")
    print(f", {len(stale)} no longer shown removed" if stale else "")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
