"""Every schema step linted by squawk (deploy/sql-lint): a new step that would take a lock or
rewrite a table the running release is using fails here, before it reaches a rollout.

Rules left out, and why: `require-statement-timeout` and `require-lock-timeout` (the runner
sets both before every step: plumbing/db.py); `prefer-bigint-over-int` and `prefer-identity`
(style: our int columns count steps, versions and attempts, and the logs' positions are
bigint sequences already). Steps released before the lint are accepted as they were
(deploy/sql-lint/accepted.json says why); anything else squawk finds fails the test."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from deploy.migrate import schemas

ROOT = Path(__file__).resolve().parents[2]
SQUAWK = ROOT / "deploy" / "sql-lint" / "node_modules" / ".bin" / "squawk"
LEFT_OUT = (
    "require-statement-timeout",
    "require-lock-timeout",
    "prefer-bigint-over-int",
    "prefer-identity",
)


def lint(folder: Path) -> dict[str, set[str]]:
    if not SQUAWK.exists():
        if os.environ.get("CI"):
            pytest.fail("squawk is not installed: make sql-lint-deps")
        pytest.skip("squawk is not installed (make sql-lint-deps)")
    # Our tool, our files.
    command = [str(SQUAWK), "--reporter", "json", "--exclude", ",".join(LEFT_OUT)]
    done = subprocess.run(
        [*command, *sorted(str(p) for p in folder.iterdir())],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )
    found: dict[str, set[str]] = {}
    for problem in json.loads(done.stdout or "[]"):
        found.setdefault(Path(problem["file"]).stem, set()).add(problem["rule_name"])
    return found


def test_every_step_passes_the_migration_linter_or_was_accepted_with_a_reason(
    tmp_path: Path,
) -> None:
    for schema in schemas():
        for number, sql in enumerate(schema.steps, start=1):
            (tmp_path / f"{schema.service}.{number:02d}.sql").write_text(sql)
    accepted = json.loads((ROOT / "deploy" / "sql-lint" / "accepted.json").read_text())
    found = lint(tmp_path)
    new = {
        step: sorted(rules - set(accepted["accepted"].get(step, ())))
        for step, rules in found.items()
        if rules - set(accepted["accepted"].get(step, ()))
    }
    assert not new, f"squawk finds, in steps not accepted: {new}"
    # An accepted problem that squawk no longer finds is stale: the list stays exact.
    stale = {s: r for s, r in accepted["accepted"].items() if not set(r) <= found.get(s, set())}
    assert not stale, stale


def test_the_linter_does_find_what_would_stall_a_release(tmp_path: Path) -> None:
    (tmp_path / "x.01.sql").write_text("CREATE INDEX orders_title ON events (stream_id);")
    (tmp_path / "x.02.sql").write_text("ALTER TABLE events ADD COLUMN note text NOT NULL;")
    found = lint(tmp_path)
    assert "require-concurrent-index-creation" in found["x.01"]
    assert "adding-required-field" in found["x.02"]
