"""`make run` makes a VAPID pair once and keeps it in the data folder's secrets, like its
other secrets: browsers' subscriptions are bound to the public key."""

from __future__ import annotations

import json
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from deploy.local.layout import load_secrets
from services.notifications.adapters.webpush import b64url_decode


def test_a_vapid_pair_is_made_once_kept_and_matches(tmp_path: Path) -> None:
    keys = load_secrets(tmp_path)
    private = ec.derive_private_key(
        int.from_bytes(b64url_decode(keys.vapid_private_key), "big"), ec.SECP256R1()
    )
    public = private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    assert public == b64url_decode(keys.vapid_public_key)
    assert len(public) == 65
    assert load_secrets(tmp_path) == keys
    stored = json.loads((tmp_path / "secrets.json").read_text())
    assert stored["vapid_public_key"] == keys.vapid_public_key


def test_an_older_data_folder_gains_a_pair_and_keeps_the_rest(tmp_path: Path) -> None:
    old = {"jwt_secret": "j" * 40, "s3_access_key": "A" * 20, "s3_secret_key": "s" * 40}
    (tmp_path / "secrets.json").write_text(json.dumps(old))
    keys = load_secrets(tmp_path)
    assert keys.jwt_secret == old["jwt_secret"]
    assert keys.vapid_private_key
    assert keys.vapid_public_key
