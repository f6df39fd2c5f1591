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
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

POLL_S = 1.0
PART_SIZE = 300  # deals per request: with contacts and history well under the gateway's 1 MB
TIMEOUT_S = 60.0


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m services.orders.import_bitrix24")
    parser.add_argument("file", type=Path, help="the REST document (JSON) or, with --csv, CSV")
    parser.add_argument("--csv", action="store_true", help="the file is Bitrix24's CSV export")
    parser.add_argument("--stage-map", type=Path, help='JSON {"<stage>": "<our stage>"} (CSV)')
    parser.add_argument("--dry-run", action="store_true", help="report only, change nothing")
    parser.add_argument("--url", default=os.environ.get("OMS_URL", "http://127.0.0.1:8000"))
    parser.add_argument("--username", default=os.environ.get("OMS_USERNAME", "admin"))
    parser.add_argument(
        "--part-size", type=int, default=PART_SIZE, help="deals per request (a JSON document)"
    )
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
            document = json.loads(args.file.read_text(encoding="utf-8"))
            parts = list(split(document, args.part_size))
            reports = []
            for number, part in enumerate(parts, start=1):
                if len(parts) > 1:
                    out.write(f"part {number} of {len(parts)}…\n")
                code, report = _send(client, headers, params, part, out)
                if code:
                    return code
                reports.append(report)
            out.write(json.dumps(merged(reports), ensure_ascii=False, indent=2) + "\n")
            return 0
        return _finish(client, headers, reply, out)


def _send(
    client: httpx.Client,
    headers: dict[str, str],
    params: dict[str, str],
    part: dict[str, Any],
    out: Any,
) -> tuple[int, dict[str, Any]]:
    reply = client.post("/api/v1/imports/bitrix24", headers=headers, params=params, json=part)
    if reply.status_code not in (200, 202):
        out.write(f"refused: {reply.status_code} {reply.text}\n")
        return 1, {}
    report: dict[str, Any] = reply.json()
    if reply.status_code == 202:
        job = _follow(client, headers, report, out)
        if job["status"] != "done":
            out.write(f"failed, nothing of this part was kept: {json.dumps(job.get('error'))}\n")
            return 1, {}
        report = job["report"]
    return 0, report


def _finish(client: httpx.Client, headers: dict[str, str], reply: httpx.Response, out: Any) -> int:
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


def split(document: dict[str, Any], size: int) -> Iterator[dict[str, Any]]:
    """The document in parts of `size` deals, each with its deals' contacts and histories
    and all users and the stage map: a request stays under the gateway's 1 MB. Each part is
    all or nothing; one that failed is sent again with the whole file (re-runs create
    nothing twice)."""
    deals = document.get("deals") or []
    for start in range(0, max(len(deals), 1), size):
        chunk = deals[start : start + size]
        ids = {str(d.get("ID")) for d in chunk}
        contacts = {str(d.get("CONTACT_ID")) for d in chunk}
        yield {
            **document,
            "deals": chunk,
            "contacts": [c for c in document.get("contacts") or [] if str(c.get("ID")) in contacts],
            "stage_history": [
                h for h in document.get("stage_history") or [] if str(h.get("OWNER_ID")) in ids
            ],
        }


def merged(reports: list[dict[str, Any]]) -> dict[str, Any]:
    if len(reports) == 1:
        return reports[0]
    out: dict[str, Any] = {"parts": [r["id"] for r in reports], "dry_run": reports[0]["dry_run"]}
    for key in ("created", "updated", "unchanged"):
        out[key] = sum(r[key] for r in reports)
    for key in ("skipped", "unparseable_phones", "orders"):
        out[key] = [item for r in reports for item in r[key]]
    out["unmapped_stages"] = sorted({s for r in reports for s in r["unmapped_stages"]})
    users = {u["id"]: u for r in reports for u in r["unmatched_users"]}
    out["unmatched_users"] = list(users.values())
    return out


def main(argv: list[str]) -> int:
    args = _parse(argv)
    password = os.environ.get("OMS_PASSWORD") or getpass.getpass(f"{args.username}'s password: ")
    return run(args, password)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
