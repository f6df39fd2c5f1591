"""`make clean`: remove the local stack's data (database, object store, logs, secrets).

Includes the /var/tmp folder root uses for PostgreSQL when `nobody` cannot reach the data
folder. Refuses while a stack still runs on that data: deleting a live database's files
leaves a server that fails in confusing ways.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from deploy.local.layout import data_root
from deploy.local.postgres import fallback_root


def _live_postgres(pg_dir: Path) -> int | None:
    """The pid in postmaster.pid if that process still exists."""
    try:
        pid = int((pg_dir / "postmaster.pid").read_text().split()[0])
        os.kill(pid, 0)
    except (OSError, ValueError, IndexError):
        return None
    return pid


def main() -> int:
    root = data_root()
    folders = [root, fallback_root(root)]
    for folder in folders:
        pid = _live_postgres(folder / "pg")
        if pid is not None:
            print(f"PostgreSQL (pid {pid}) still uses {folder}; stop `make run` first.")
            return 1
    for folder in folders:
        if folder.exists():
            shutil.rmtree(folder)
            print(f"removed {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
