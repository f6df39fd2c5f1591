"""The test budget: `make test` prints how long each layer took, against the whole's budget.

CI gives the suite 90 minutes on 2 cores; we keep it under 15 so that browser suites and the
short fault run fit. Times are reported, never asserted (tests check behaviour, not clocks):
a layer that grows shows here first. Loaded with `-p tests.budget` (pyproject addopts).
"""

from __future__ import annotations

import time
from collections import defaultdict

import pytest

BUDGET_S = 15 * 60
_layers: dict[str, float] = defaultdict(float)
_started = time.monotonic()


def _layer(nodeid: str) -> str:
    parts = nodeid.split("/")
    return parts[1] if len(parts) > 2 and parts[0] == "tests" else "other"


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    # setup + call + teardown: a layer's session fixtures (stacks, brokers) count where used.
    _layers[_layer(report.nodeid)] += report.duration


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _layers:
        return
    total = time.monotonic() - _started
    parts = ", ".join(f"{name} {_layers[name]:.0f} s" for name in sorted(_layers))
    terminalreporter.write_line(
        f"test budget: {parts}; pytest {total:.0f} s of the suite's {BUDGET_S // 60} min"
        + ("" if total <= BUDGET_S else "  << OVER BUDGET")
    )
