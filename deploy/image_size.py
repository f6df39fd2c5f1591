"""`python -m deploy.image_size` (`make image-size`): how big the image's Python set is.

Installs requirements.txt as the Dockerfile does (a fresh virtual environment, wheels where
there are any, pip removed after) into a temporary folder, and then requirements-local.txt
beside it, and prints the sizes: what the image carries, and what it leaves out (the local
stack's binaries). No image can be built where the tests run (no Docker daemon), so this
measures the set itself.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def _install(target: Path, requirements: str) -> int:
    venv.EnvBuilder(with_pip=True).create(target)
    python = target / "bin" / "python"
    pip = [str(python), "-m", "pip", "--quiet", "--disable-pip-version-check"]
    # Our own pinned files, into a folder of our own: no outside input reaches the command.
    subprocess.run([*pip, "install", "--prefer-binary", "-r", str(ROOT / requirements)], check=True)  # noqa: S603
    subprocess.run([*pip, "uninstall", "--yes", "pip", "setuptools"], check=True)  # noqa: S603
    return _size(target)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="oms-image-size-") as tmp:
        runtime = _install(Path(tmp) / "runtime", "requirements.txt")
        local = _install(Path(tmp) / "local", "requirements-local.txt")
    mb = 1024 * 1024
    sys.stdout.write(
        f"runtime set (requirements.txt, in the image): {runtime / mb:.0f} MB\n"
        f"with the local stack (requirements-local.txt, not in the image): {local / mb:.0f} MB "
        f"(+{(local - runtime) / mb:.0f} MB left out)\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
