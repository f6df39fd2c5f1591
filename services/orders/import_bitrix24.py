"""Import from Bitrix24 on the command line (issue 20), through the gateway's API:

    python -m services.orders.import_bitrix24 portal.json [--dry-run]
    python -m services.orders.import_bitrix24 deals.csv --csv --stage-map map.json [--dry-run]

It calls `POST /api/v1/imports/bitrix24` (or `/csv`) as an admin, the very route the web app
calls, rather than the orders application in-process: only the gateway signs a user in and
checks that they may import, only it knows our users (for matching the deals' responsible
people), and the orders service takes requests from the gateway alone (network policy). A
long import answers 202 with its job; this polls `GET /api/v1/imports/{id}` and prints the
progress until it is done.

The gateway and the admin's login come from OMS_URL (default http://127.0.0.1:8000),
OMS_USERNAME (default admin) and OMS_PASSWORD (asked for when unset).
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import httpx

POLL_S = 1.0
TIMEOUT_S = 60.0


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m services.orders.import_bitrix24")
    parser.add_argument("file", type=Path, help="the REST document (JSON) or, with --csv, CSV")
    parser.add_argument("--csv", action="store_true", help="the file is Bitrix24's CSV export")
    parser.add_argument("--stage-map", type=Path, help='JSON {"<stage>": "<our stage>"} (CSV)')
    parser.add_argument("--dry-run", action="store_true", help="report only, change nothing")
    parser.add_argument("--url", default=os.environ.get("OMS_URL", "http://127.0.0.1:8000"))
    parser.add_argument("--username", default=os.environ.get("OMS_USERNAME", "admin"))
    return parser.parse_args(argv)


def run(args: argparse.Namespace, password: str, out: Any = sys.stdout) -> int:
    with httpx.Client(base_url=args.url, timeout=TIMEOUT_S) as client:
        token = client.post(
            "/api/v1/auth/token", data={"username": args.username, "password": password}
        )
        if token.status_code != 200:
            out.write(f"sign-in refused: {token.status_code} {token.text}\n")
            return 2
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        params = {"dry_run": "true" if args.dry_run else "false"}
        if args.csv:
            stage_map = args.stage_map.read_text(encoding="utf-8") if args.stage_map else "{}"
            reply = client.post(
                "/api/v1/imports/bitrix24/csv",
                headers=headers,
                params=params,
                files={"file": (args.file.name, args.file.read_bytes(), "text/csv")},
                data={"stage_map": stage_map},
            )
        else:
            reply = client.post(
                "/api/v1/imports/bitrix24",
                headers={**headers, "Content-Type": "application/json"},
                params=params,
                content=args.file.read_bytes(),
            )
        if reply.status_code not in (200, 202):
            out.write(f"refused: {reply.status_code} {reply.text}\n")
            return 1
        report = reply.json()
        if reply.status_code == 202:  # still running: follow the job until it ends
            job = _follow(client, headers, report, out)
            if job["status"] != "done":
                out.write(f"failed, nothing was imported: {json.dumps(job.get('error'))}\n")
                return 1
            report = job["report"]
        out.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        return 0


def _follow(
    client: httpx.Client, headers: dict[str, str], job: dict[str, Any], out: Any
) -> dict[str, Any]:
    while job["status"] == "running":
        out.write(f"{job['done']} of {job['total']} written…\n")
        time.sleep(POLL_S)
        reply = client.get(f"/api/v1/imports/{job['id']}", headers=headers)
        reply.raise_for_status()
        job = reply.json()
    return job


def main(argv: list[str]) -> int:
    args = _parse(argv)
    password = os.environ.get("OMS_PASSWORD") or getpass.getpass(f"{args.username}'s password: ")
    return run(args, password)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
