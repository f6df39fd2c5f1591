"""Routes get their objects from app.state by type; a wiring mistake says what is wrong."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from plumbing.state import from_state


class Thing:
    pass


def request_with(**state: Any) -> Any:
    return SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(**state)))


async def test_the_object_bootstrap_put_on_the_state_is_returned() -> None:
    thing = Thing()
    assert await from_state("thing", Thing)(request_with(thing=thing)) is thing


async def test_a_wrongly_wired_object_is_named_in_the_error() -> None:
    with pytest.raises(TypeError, match=r"app\.state\.thing is str, not Thing"):
        await from_state("thing", Thing)(request_with(thing="oops"))
