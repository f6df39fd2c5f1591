"""The guides' pictures (made by `make guides` from the browser tests' screenshots): every one a
guide shows is in the repository, says in words what it shows, is served, and none lies unused."""

from __future__ import annotations

from tests.browser.guide_images import IMAGES, referenced


def test_every_picture_a_guide_shows_is_there_with_words_for_it() -> None:
    shown = referenced()
    assert shown, "the guides show screens of the app"
    missing = sorted(name for name in shown if not (IMAGES / name).is_file())
    assert not missing, f"run `make guides` to make: {missing}"
    wordless = sorted(name for name, alts in shown.items() if not all(alts))
    assert not wordless, f"<img> without alt text: {wordless}"


def test_no_picture_lies_unused() -> None:
    unused = sorted(p.name for p in IMAGES.glob("*") if p.name not in referenced())
    assert not unused, f"no guide shows {unused}: `make guides` removes them"
