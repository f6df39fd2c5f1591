"""The web app's stream client (gateway/web/js/realtime.js), run in Node with a fake fetch:
when the server closes the stream with `event: reauth`, it reconnects with Last-Event-ID and
the token it holds now; a 401 sends the user to sign in, and the same user's stream then
resumes where it stopped (issue 11)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

HARNESS = Path(__file__).with_name("realtime_harness.mjs")
NODE = shutil.which("node")


def run(scenario: str) -> dict[str, Any]:
    if NODE is None:
        pytest.skip("node is not installed: the stream client is checked with it")
    done = subprocess.run(
        [NODE, str(HARNESS), scenario], capture_output=True, text=True, timeout=30, check=True
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_after_a_reauth_the_client_resumes_with_last_event_id_and_its_current_token() -> None:
    result = run("resume")
    first, second = result["requests"]
    assert "Last-Event-ID" not in first["headers"]
    assert second["headers"]["Last-Event-ID"] == "6.3"  # the last frame's id
    assert second["headers"]["Authorization"] == "Bearer fresh-token"
    assert result["told"][:4] == ["connected", "ready", "board", "reauth"]
    assert result["expired"] == 0


def test_a_refused_reconnect_asks_to_sign_in_and_the_same_user_then_resumes() -> None:
    result = run("expired")
    assert result["expired"] == 1
    resumed = result["requests"][1]["headers"]
    assert resumed["Last-Event-ID"] == "6.3"
    assert resumed["Authorization"] == "Bearer relogin-token"
