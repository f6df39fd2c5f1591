"""Keys an overlay needs that must never be committed, generated once on this machine.

`python -m deploy.k8s.keys` (`make k8s-dev-keys`) writes the dev overlay's
`signing-key.env` (git-ignored, mode 0600) with a random `JWT_SECRET`, unless it exists;
the overlay's secretGenerator reads it. A committed dev key would let anyone who has read
the repository sign a manager's token for every cluster deployed from it, so each checkout
makes its own. Rendering an overlay (deploy/k8s/validate.py) makes it too when it is missing,
so a clean clone renders and validates without a step of its own.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

K8S_DIR = Path(__file__).resolve().parent
DEV_KEYS = K8S_DIR / "overlays" / "dev" / "signing-key.env"


def ensure_dev_keys(path: Path = DEV_KEYS) -> bool:
    """Write a fresh signing key unless the file exists; True when it was written.

    Never overwritten: a new key would log out everyone on a running dev cluster."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    # 48 random bytes, URL-safe: well over the gateway's 32-byte minimum.
    line = f"JWT_SECRET={secrets.token_urlsafe(48)}\n"
    try:
        # Created 0600 and exclusively: a key, and two renders at once must not both write.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w") as out:
        out.write(line)
    return True


def prepare(overlay: Path) -> None:
    """What `overlay` needs generated before kustomize can render it."""
    if overlay.resolve() == DEV_KEYS.parent:
        ensure_dev_keys()


def main() -> int:
    written = ensure_dev_keys()
    state = "written" if written else "kept (delete it to make a new one)"
    sys.stdout.write(f"{DEV_KEYS.relative_to(K8S_DIR.parents[1])}: {state}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
