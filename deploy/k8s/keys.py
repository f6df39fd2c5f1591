"""Keys an overlay needs that must never be committed, generated once on this machine.

`python -m deploy.k8s.keys` (`make k8s-dev-keys`) writes the dev overlay's
`signing-key.env` (git-ignored, mode 0600) with a random `JWT_SECRET` and `INTERNAL_SIGNING_KEY`,
adding what it lacks and never replacing a key, and `first-admin.env` with the first admin's
random `FIRST_ADMIN_PASSWORD` (the Job first-admin makes that admin; read the password there);
the overlay's secretGenerators read them. A committed dev key would let anyone who has read
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
DEV_FIRST_ADMIN = K8S_DIR / "overlays" / "dev" / "first-admin.env"


# The keys a dev cluster generates: the users' token signing key (gateway only) and the key
# the gateway signs each call's actor with (every pod; plumbing/actor.py). 48 random bytes,
# URL-safe: well over both checks' 32-byte minimum.
DEV_KEY_NAMES = ("JWT_SECRET", "INTERNAL_SIGNING_KEY")


def ensure_dev_keys(path: Path = DEV_KEYS) -> bool:
    """Write the keys the file lacks (all of them for a new file); True when any was written.

    A key is never replaced: a new JWT_SECRET would log out everyone on a running dev cluster.
    A file from before INTERNAL_SIGNING_KEY existed gets that key added."""
    return _ensure(path, DEV_KEY_NAMES)


def ensure_dev_first_admin(path: Path = DEV_FIRST_ADMIN) -> bool:
    """The dev cluster's first admin password (random, kept: the admin keeps it)."""
    return _ensure(path, ("FIRST_ADMIN_PASSWORD",))


def _ensure(path: Path, names: tuple[str, ...]) -> bool:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # Created 0600 and exclusively: keys, and two renders at once must not both write.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
    except FileExistsError:
        pass
    present = {line.partition("=")[0] for line in path.read_text().splitlines()}
    missing = [name for name in names if name not in present]
    if not missing:
        return False
    with path.open("a") as out:
        out.writelines(f"{name}={secrets.token_urlsafe(48)}\n" for name in missing)
    return True


def prepare(overlay: Path) -> None:
    """What `overlay` needs generated before kustomize can render it."""
    if overlay.resolve() == DEV_KEYS.parent:
        ensure_dev_keys()
        ensure_dev_first_admin()


def main() -> int:
    for path, written in (
        (DEV_KEYS, ensure_dev_keys()),
        (DEV_FIRST_ADMIN, ensure_dev_first_admin()),
    ):
        state = "written" if written else "kept (delete it to make a new one)"
        sys.stdout.write(f"{path.relative_to(K8S_DIR.parents[1])}: {state}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
