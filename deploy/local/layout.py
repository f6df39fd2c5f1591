"""Where the local stack keeps its state, and the secrets it generates once and then reuses."""

from __future__ import annotations

import json
import os
import secrets
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def data_root(environ: Mapping[str, str] = os.environ) -> Path:
    """`$OMS_DATA_DIR`, else `<repo>/.data` (git-ignored, kept between runs)."""
    return Path(environ.get("OMS_DATA_DIR") or REPO_ROOT / ".data").resolve()


@dataclass(frozen=True)
class Secrets:
    jwt_secret: str
    s3_access_key: str
    s3_secret_key: str
    internal_signing_key: str  # the gateway signs each call's actor with it (plumbing/actor.py)


def _random(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


# How each secret is made; one a data folder lacks (made by an older release) is added to it.
_MAKE: dict[str, Callable[[], str]] = {
    "jwt_secret": lambda: secrets.token_urlsafe(48),
    # AWS-like lengths: rclone refused very short access keys.
    "s3_access_key": lambda: _random(string.ascii_uppercase + string.digits, 20),
    "s3_secret_key": lambda: _random(string.ascii_letters + string.digits, 40),
    "internal_signing_key": lambda: secrets.token_urlsafe(48),
}


def load_secrets(root: Path) -> Secrets:
    """Generated on first run and reused, so logins and stored objects survive restarts."""
    path = root / "secrets.json"
    kept: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    made = {name: kept.get(name) or make() for name, make in _MAKE.items()}
    if made != kept:
        root.mkdir(parents=True, exist_ok=True)
        # Written via a file created 0600: these are credentials, even if only local ones.
        fresh = path.with_suffix(".new")
        fresh.unlink(missing_ok=True)
        fd = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump(made, out, indent=2)
        fresh.replace(path)
    return Secrets(**made)
