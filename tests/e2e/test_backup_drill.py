"""Backup and restore as a drill (deploy/local/drill.py, `make drill`): a stack of its own is
backed up (roles, the database, the bucket's files, the secrets), restored into a fresh data
folder with a fresh, empty broker, and its read models rebuilt from the restored logs equal
what the original held; every log and every file comes back equal. A restore that lost a
file is told apart. Both stacks have their own PostgreSQL: a restore is of a server."""

from __future__ import annotations

import asyncio
from pathlib import Path

from deploy.local import drill
from deploy.local.stack import Stack


def _steps(root: Path) -> None:
    original_dir = root / "original"
    original_dir.mkdir()
    original_dir.chmod(0o755)
    original = Stack(original_dir, gateway_port=None, environ=drill._environ(), seed=True)
    try:
        original.start()
        asyncio.run(drill._with_a_document(original.urls["gateway"]))
        asyncio.run(drill._quiet(original.urls["database"]))
        manifest = drill.backup(original, root / "backup")
    finally:
        original.stop()
    assert manifest.events > 0
    assert len(manifest.files) >= 1
    assert set(manifest.logs) == {
        "orders.events",
        "scheduling.outbox",
        "media.outbox",
        "gateway.outbox",
    }
    restored = drill.restore(root / "backup", root / "restored")
    try:
        assert drill.verify(restored, manifest) == []
        # The same check sees a restore that lost a file.
        lost = next(p for p in drill._bucket(restored.data_dir).rglob("*") if p.is_file())
        lost.unlink()
        differ = drill.verify(restored, manifest)
        assert differ == [f"file {lost.relative_to(drill._bucket(restored.data_dir))}"]
    finally:
        restored.stop()


def test_a_stack_restored_from_its_backup_rebuilds_to_the_same_checksums(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)  # PostgreSQL runs as `nobody` under root and keeps its files in here
    _steps(tmp_path)
