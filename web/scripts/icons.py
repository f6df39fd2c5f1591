"""The installable app's PNG icons, drawn from the same shapes as web/public/icon.svg.

    .venv/bin/python web/scripts/icons.py     # writes web/public/icons/*.png (committed)

A home screen needs PNGs (192 and 512 px; iOS a 180 px apple-touch-icon), and Android's
adaptive icons a "maskable" one whose drawing stays inside the central 80 % circle, since the
launcher cuts the rest to its own shape. Pillow (already a runtime dependency) draws them; the
result is committed, so a build needs no Python.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parents[1] / "public" / "icons"
BLUE = "#1f4e79"  # the theme colour (index.html, the manifest)
WHITE = "#ffffff"
# icon.svg's three bars on its 32-unit grid: (x, y, width, height).
BARS = ((6, 7, 5, 18), (13.5, 7, 5, 12), (21, 7, 5, 8))
SUPERSAMPLE = 4  # drawn 4x and scaled down: smooth rounded corners without antialiasing


def draw(size: int, *, maskable: bool) -> Image.Image:
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    if maskable:
        # Full bleed; the bars shrunk into the safe zone (a circle of 80 % of the side).
        pen.rectangle((0, 0, big, big), fill=BLUE)
        unit, offset = big * 0.6 / 32, big * 0.2
    else:
        unit, offset = big / 32, 0.0
        pen.rounded_rectangle((0, 0, big - 1, big - 1), radius=6 * unit, fill=BLUE)
    for x, y, w, h in BARS:
        left, top = offset + x * unit, offset + y * unit
        box = (left, top, left + w * unit, top + h * unit)
        pen.rounded_rectangle(box, radius=unit, fill=WHITE)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, size, maskable in (
        ("icon-192.png", 192, False),
        ("icon-512.png", 512, False),
        ("maskable-512.png", 512, True),
        ("apple-touch-icon-180.png", 180, True),  # iOS rounds the corners itself: no alpha
    ):
        image = draw(size, maskable=maskable)
        if maskable:
            image = image.convert("RGB")
        image.save(OUT / name, optimize=True)
        print(OUT / name)  # noqa: T201 - a script's report of what it wrote


if __name__ == "__main__":
    main()
