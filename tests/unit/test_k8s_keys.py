"""The dev overlay's token signing key is made per checkout, never committed (issue 11), and
is one the gateway accepts."""

from __future__ import annotations

import base64
import stat
import subprocess
from pathlib import Path

import pytest

from deploy.k8s import keys, validate
from gateway.application.tokens import check_signing_key
from plumbing.actor import check_internal_key

yaml = pytest.importorskip("yaml", reason="PyYAML is installed with kubernetes-validate")

DEV = keys.DEV_KEYS.parent


def test_no_overlay_commits_a_signing_key() -> None:
    for source in sorted(validate.OVERLAYS_DIR.rglob("*.yaml")):
        assert "JWT_SECRET=" not in source.read_text(), source


def test_the_dev_secret_carries_a_generated_key_the_gateway_accepts() -> None:
    rendered = [doc for doc in yaml.safe_load_all(validate.render(DEV)) if doc]
    (secret,) = [
        d
        for d in rendered
        if d["kind"] == "Secret" and d["metadata"]["name"].startswith("oms-secrets")
    ]
    key = base64.b64decode(secret["data"]["JWT_SECRET"]).decode()
    check_signing_key(key)  # raises for a weak one
    internal = base64.b64decode(secret["data"]["INTERNAL_SIGNING_KEY"]).decode()
    check_internal_key(internal)
    assert key != internal
    assert keys.DEV_KEYS.read_text() == f"JWT_SECRET={key}\nINTERNAL_SIGNING_KEY={internal}\n"


def test_the_generated_key_file_is_ignored_by_git() -> None:
    keys.ensure_dev_keys()
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", str(keys.DEV_KEYS)],
        cwd=DEV,
        check=False,
    )
    assert ignored.returncode == 0, "signing-key.env must never be committed"


def test_a_key_is_written_once_private_and_never_replaced(tmp_path: Path) -> None:
    path = tmp_path / "dev" / "signing-key.env"
    assert keys.ensure_dev_keys(path) is True
    first = path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    found = dict(line.partition("=")[::2] for line in first.splitlines())
    assert set(found) == {"JWT_SECRET", "INTERNAL_SIGNING_KEY"}
    check_signing_key(found["JWT_SECRET"])
    check_internal_key(found["INTERNAL_SIGNING_KEY"])
    assert keys.ensure_dev_keys(path) is False
    assert path.read_text() == first  # a new key would log out everyone on the cluster


def test_a_file_from_before_the_internal_key_gets_it_added(tmp_path: Path) -> None:
    path = tmp_path / "signing-key.env"
    path.write_text("JWT_SECRET=kept-as-it-was\n")
    assert keys.ensure_dev_keys(path) is True
    lines = path.read_text().splitlines()
    assert lines[0] == "JWT_SECRET=kept-as-it-was"
    assert lines[1].startswith("INTERNAL_SIGNING_KEY=")


def test_two_checkouts_get_different_keys(tmp_path: Path) -> None:
    one, other = tmp_path / "a.env", tmp_path / "b.env"
    keys.ensure_dev_keys(one)
    keys.ensure_dev_keys(other)
    assert one.read_text() != other.read_text()


def test_the_dev_first_admin_password_is_random_private_ignored_and_strong(
    tmp_path: Path,
) -> None:
    from gateway.application.password_policy import check_new_password  # noqa: PLC0415

    path = tmp_path / "first-admin.env"
    assert keys.ensure_dev_first_admin(path) is True
    (line,) = path.read_text().splitlines()
    name, _, password = line.partition("=")
    assert name == "FIRST_ADMIN_PASSWORD"
    check_new_password(password, ["admin"])  # what the Job will ask of it
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert keys.ensure_dev_first_admin(path) is False  # the admin keeps their password
    keys.ensure_dev_first_admin()
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", str(keys.DEV_FIRST_ADMIN)], cwd=DEV, check=False
    )
    assert ignored.returncode == 0, "first-admin.env must never be committed"
