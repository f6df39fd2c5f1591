"""Where the local stack keeps its state, and the secrets it generates once and then reuses."""

from __future__ import annotations

import json
import os
import secrets
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deploy.database.plan import SERVICES
from services.notifications.adapters.webpush import generate_vapid_keys

REPO_ROOT = Path(__file__).resolve().parents[2]


def data_root(environ: Mapping[str, str] = os.environ) -> Path:
    """`$OMS_DATA_DIR`, else `<repo>/.data` (git-ignored, kept between runs)."""
    return Path(environ.get("OMS_DATA_DIR") or REPO_ROOT / ".data").resolve()


# Database logins with a password here: one per service, and the analysts'.
DB_LOGINS = (*SERVICES, "analyst")


@dataclass(frozen=True)
class Secrets:
    jwt_secret: str
    s3_access_key: str
    s3_secret_key: str
    # The gateway signs each call's actor with it, the services check it (plumbing/actor.py).
    internal_signing_key: str = ""
    # The local PostgreSQL's superuser: TCP connections need a password (deploy/local/postgres.py).
    postgres_password: str = ""
    # Each database login's password, by login name (DB_LOGINS).
    db_passwords: dict[str, str] = field(default_factory=dict)
    # The Web Push (VAPID, RFC 8292) key pair: browsers' subscriptions are bound to the public
    # key, so it is kept like the other secrets (a new pair would orphan every subscription).
    vapid_private_key: str = ""
    vapid_public_key: str = ""


def _random(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def _password() -> str:
    # Letters and digits: safe in a URL and in SQL without escaping, 190 bits.
    return _random(string.ascii_letters + string.digits, 32)


def _complete(stored: dict[str, Any]) -> dict[str, Any]:
    """Every secret the stack needs, keeping the ones already made (a data folder from an
    older version lacks the database passwords)."""
    made = dict(stored)
    made.setdefault("jwt_secret", secrets.token_urlsafe(48))
    # AWS-like lengths: rclone refused very short access keys.
    made.setdefault("s3_access_key", _random(string.ascii_uppercase + string.digits, 20))
    made.setdefault("s3_secret_key", _random(string.ascii_letters + string.digits, 40))
    if not made.get("internal_signing_key"):
        made["internal_signing_key"] = secrets.token_urlsafe(48)
    if not made.get("postgres_password"):
        made["postgres_password"] = _password()
    passwords = dict(made.get("db_passwords") or {})
    for name in DB_LOGINS:
        passwords.setdefault(name, _password())
    made["db_passwords"] = passwords
    if not made.get("vapid_private_key") or not made.get("vapid_public_key"):
        made["vapid_private_key"], made["vapid_public_key"] = generate_vapid_keys()
    return made


def load_secrets(root: Path) -> Secrets:
    """Generated on first run and reused, so logins and stored objects survive restarts."""
    path = root / "secrets.json"
    stored: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    made = _complete(stored)
    if made != stored:
        root.mkdir(parents=True, exist_ok=True)
        # Written via a file created 0600 and renamed over the old one: these are credentials,
        # even if only local ones, and a crash halfway must not leave half a file.
        partial = path.with_name(f".secrets.{os.getpid()}.json")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump(made, out, indent=2)
        partial.replace(path)
    return Secrets(**made)
