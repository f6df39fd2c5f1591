"""Backup and restore, as a drill: `python -m deploy.local.drill` (`make drill`).

What a restore must bring back is what the business cannot make again: the event logs and
outboxes, the users and everything else in PostgreSQL, and the photos and documents in the
object store. The read models are made again from the logs, and the broker's topics are
republished from them, so neither is backed up. The drill:

1. starts a stack of its own with the demo data and a document, waits for quiet, takes the
   backup: `pg_dumpall --roles-only` and `pg_dump -Fc` of the database, the media bucket's
   files, and the stack's secrets (in production they come from the secret store), with the
   checksums the restore must meet (manifest.json): every log, every read model, every file;
2. stops it, and restores into a fresh data folder: a new PostgreSQL takes the roles and the
   dump, the bucket gets the files, and a new stack starts on them (a fresh, empty broker:
   the relays republish every log);
3. rebuilds the read models from the restored logs into a scratch schema and compares every
   checksum with the manifest: the logs, the rebuilt read models, the files. It fails (exit
   1) naming what differs.

In production the same is CloudNativePG's backups and the bucket's versioning and
replication (deploy/k8s/README.md, Backup and restore); this proves the data model restores
whole: nothing the read side needs lives outside the logs.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import asyncpg
import httpx

from chaos.workload import PDF, REQUIREMENTS_PDF
from deploy.local.layout import load_secrets
from deploy.local.ports import free_port
from deploy.local.postgres import LocalPostgres, pg_data_dir
from deploy.local.stack import Stack
from plumbing.db import quote_ident
from services.projections.adapters import generations
from services.projections.adapters.tables import CHECKSUM_QUERIES
from services.projections.application.rebuild import rebuilt_checksums
from services.projections.bootstrap import Settings as ProjectionSettings

log = logging.getLogger("drill")
BUCKET = "oms-media"  # services/media/bootstrap.py's default
LOGS = {"orders": "events", "scheduling": "outbox", "media": "outbox", "gateway": "outbox"}
# Variables that would make a stack reuse a running server instead of starting its own.
_SHARED = ("DATABASE_URL", "KAFKA_BOOTSTRAP", "S3_ENDPOINT", "S3_ACCESS_KEY", "S3_SECRET_KEY")


@dataclass
class Manifest:
    logs: dict[str, str]  # schema.table -> checksum of every (position, event) in order
    read_models: dict[str, str]  # table -> checksum (the rebuild check's)
    files: dict[str, str]  # path in the bucket -> sha256
    events: int


def _environ() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in _SHARED}


def _bin(name: str) -> str:
    return str(LocalPostgres(Path("/nonexistent"), 0)._bin / name)


def _run(args: list[str]) -> None:
    # Our own binaries and paths; the database URLs are the drill's own stacks'.
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{Path(args[0]).name} failed: {done.stderr.strip()[-2000:]}")


async def _log_checksums(url: str) -> tuple[dict[str, str], int]:
    conn = await asyncpg.connect(url)
    try:
        sums, total = {}, 0
        for schema, table in LOGS.items():
            name = f"{quote_ident(schema)}.{quote_ident(table)}"
            row = await conn.fetchrow(
                f"SELECT count(*) AS n, md5(coalesce(string_agg(event_id::text || ':' || "
                f"envelope::text, ',' ORDER BY position), '')) AS sum FROM {name}"
            )
            assert row is not None
            sums[f"{schema}.{table}"], total = row["sum"], total + row["n"]
        return sums, total
    finally:
        await conn.close()


async def _read_models(url: str) -> dict[str, str]:
    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction():
            await conn.execute("SET LOCAL search_path = projections, public")
            return await generations.checksum(conn, CHECKSUM_QUERIES)
    finally:
        await conn.close()


def _files(bucket: Path) -> dict[str, str]:
    return {
        str(p.relative_to(bucket)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(bucket.rglob("*"))
        if p.is_file()
    }


def _bucket(data: Path) -> Path:
    return data / "s3" / BUCKET


async def _with_a_document(gateway: str) -> None:
    """An order with a document, so the bucket holds a file the drill must bring back."""
    async with httpx.AsyncClient(base_url=gateway, timeout=30) as api:
        token = (
            await api.post("/api/v1/auth/token", data={"username": "manager", "password": "demo"})
        ).json()["access_token"]
        head = {"Authorization": f"Bearer {token}"}
        customer = {"name": "Проверка Восстановления", "phone": "+7 915 000-00-01"}
        made = await api.post(
            "/api/v1/orders",
            headers=head,
            json={"title": "Шкаф для учений", "customer": {**customer, "address": "Москва"}},
        )
        made.raise_for_status()
        order = made.json()
        created = await api.post(
            f"/api/v1/orders/{order['id']}/media", headers=head, json=REQUIREMENTS_PDF
        )
        created.raise_for_status()
        media = created.json()
        put = await api.put(
            media["upload_url"], content=PDF, headers={"Content-Type": "application/pdf"}
        )
        put.raise_for_status()
        done = await api.post(f"/api/v1/media/{media['media_id']}/complete", headers=head)
        done.raise_for_status()


async def _quiet(url: str) -> None:
    from chaos.audit import wait_quiet  # noqa: PLC0415 - the fault run's own settling rule

    await wait_quiet(url, settle_s=5.0)


def backup(stack: Stack, dest: Path) -> Manifest:
    """The backup of a running, quiet stack into `dest`, with what a restore must meet."""
    url = stack.urls["database"]
    dest.mkdir(parents=True, exist_ok=True)
    _run([_bin("pg_dumpall"), "--roles-only", "-d", url, "-f", str(dest / "roles.sql")])
    _run([_bin("pg_dump"), "-Fc", "-d", url, "-f", str(dest / "postgres.dump")])
    shutil.copytree(_bucket(stack.data_dir), dest / "objects")
    shutil.copy(stack.data_dir / "secrets.json", dest / "secrets.json")
    logs, events = asyncio.run(_log_checksums(url))
    manifest = Manifest(logs, asyncio.run(_read_models(url)), _files(dest / "objects"), events)
    (dest / "manifest.json").write_text(json.dumps(asdict(manifest), indent=2))
    return manifest


def restore(source: Path, data: Path) -> Stack:
    """A fresh data folder from the backup, and a stack started on it (the caller stops it)."""
    data.mkdir(parents=True, exist_ok=True)
    data.chmod(0o755)  # PostgreSQL runs as `nobody` under root and keeps its files in here
    shutil.copy(source / "secrets.json", data / "secrets.json")
    keys = load_secrets(data)
    pg = LocalPostgres(
        pg_data_dir(data), free_port(), log_dir=data / "logs", password=keys.postgres_password
    )
    pg.start()
    try:
        # The roles first (the superuser's own line fails, harmlessly: it exists), then the
        # database with its owners.
        subprocess.run(
            [_bin("psql"), "-q", "-d", pg.url, "-f", str(source / "roles.sql")],
            capture_output=True,
            check=False,
        )
        _run([_bin("pg_restore"), "--exit-on-error", "-d", pg.url, str(source / "postgres.dump")])
    finally:
        pg.stop()
    shutil.copytree(source / "objects", _bucket(data))
    stack = Stack(data, gateway_port=None, environ=_environ(), seed=False)
    stack.start()
    return stack


def verify(stack: Stack, expected: Manifest) -> list[str]:
    """What differs from the manifest after rebuilding the read models from the logs."""
    url = stack.urls["database"]
    asyncio.run(_quiet(url))
    logs, events = asyncio.run(_log_checksums(url))
    plan = ProjectionSettings(database_url=url).rebuild_plan()
    rebuilt = asyncio.run(rebuilt_checksums(plan))
    differ = [f"log {name}" for name in expected.logs if logs.get(name) != expected.logs[name]]
    differ += [
        f"read model {table}"
        for table in expected.read_models
        if rebuilt.get(table) != expected.read_models[table]
    ]
    found = _files(_bucket(stack.data_dir))
    differ += [f"file {path}" for path in expected.files if found.get(path) != expected.files[path]]
    if events != expected.events:
        differ.append(f"{events} events in the logs, {expected.events} backed up")
    return differ


def drill(root: Path) -> tuple[Manifest, list[str]]:
    """The whole drill in `root`: the original stack, its backup, the restored stack."""
    original = Stack(root / "original", gateway_port=None, environ=_environ(), seed=True)
    (root / "original").mkdir(parents=True, exist_ok=True)
    (root / "original").chmod(0o755)
    try:
        original.start()
        asyncio.run(_with_a_document(original.urls["gateway"]))
        asyncio.run(_quiet(original.urls["database"]))
        manifest = backup(original, root / "backup")
    finally:
        original.stop()
    log.info(
        "backed up %d events, %d read-model tables, %d files",
        manifest.events,
        len(manifest.read_models),
        len(manifest.files),
    )
    restored = restore(root / "backup", root / "restored")
    try:
        return manifest, verify(restored, manifest)
    finally:
        restored.stop()


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    root = Path(tempfile.mkdtemp(prefix="oms-drill-"))
    root.chmod(0o755)
    started = time.monotonic()
    try:
        manifest, differ = drill(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    took = time.monotonic() - started
    if differ:
        sys.stdout.write("RESTORE DIFFERS: " + "; ".join(differ) + "\n")
        return 1
    sys.stdout.write(
        f"restored whole in {took:.0f} s: {manifest.events} events in "
        f"{len(manifest.logs)} logs, {len(manifest.read_models)} read-model tables rebuilt "
        f"equal, {len(manifest.files)} files equal\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
