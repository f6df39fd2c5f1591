"""Imports from Bitrix24 (issue 20), admin only: the REST document, or the CSV export of deals,
both into the orders service's one code path, and the import's progress.

The gateway owns users, so it sends the orders service the people a deal's responsible user
may be matched with (e-mail, login, display name); the orders service owns the import.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, File, Form, Query, Response, UploadFile
from fastapi.responses import JSONResponse

from contracts.api.errors import errors
from contracts.api.imports import (
    JOB,
    JOBS,
    REPORT,
    Bitrix24Document,
    ImportJob,
    ImportJobs,
    ImportReport,
)
from gateway.adapters.upstream import Upstreams
from gateway.domain.users import User
from gateway.entrypoints.deps import Needs, UpstreamsDep, Users, caller_of
from gateway.entrypoints.typed import GuardedRoute, relayed, shown
from plumbing.errors import Invalid

# An import document may be as large as any request this process takes at all (the h11
# guard's http_max_body_bytes, 1 MB by default: some 700 deals with their contacts and
# history), not just the 256 KB of other JSON bodies. A larger portal goes in parts (the CLI
# splits it): each part is all or nothing, and a re-run skips what an earlier part created.
MAX_IMPORT = 1024 * 1024


class ImportRoute(GuardedRoute):
    max_body = MAX_IMPORT


router = APIRouter(prefix="/api/v1", route_class=ImportRoute)
Importer = Annotated[User, Depends(Needs("imports.run"))]
DryRun = Annotated[bool, Query(description="answer the report and change nothing")]
Wait = Annotated[
    float,
    Query(
        ge=0,
        le=8,
        description="seconds to wait for the report before answering 202 with the job "
        "(0: always 202, for a client that follows the job anyway)",
    ),
]
RESPONSES: dict[int | str, dict[str, Any]] = {
    202: {"model": ImportJob, "description": "still running: follow GET /imports/{id}"},
    **errors(401, 403, 409, 413, 422, 503),
}


async def _people(users: Users) -> list[dict[str, Any]]:
    return [
        {
            "id": str(u.id),
            "username": u.username,
            "email": u.email,
            "display_name": u.display_name,
            "role": u.role,
        }
        for u in await users.all()
        if u.active
    ]


def _answer(status: int, body: Any, user: User) -> JSONResponse:
    return shown(body, JOB if status == 202 else REPORT, user, status)


async def _run(
    up: Upstreams, user: User, path: str, sent: Mapping[str, object], dry_run: bool, wait: float
) -> JSONResponse:
    """Either form of the document, on to the orders service, which imports it."""
    params = {"dry_run": str(dry_run).lower(), "wait": str(wait)}
    reply = await up.call("orders", "POST", path, caller_of(user), json=sent, params=params)
    return _answer(reply.status, reply.body, user)


@router.post(
    "/imports/bitrix24",
    response_model=ImportReport,
    operation_id="import_bitrix24",
    responses=RESPONSES,
)
async def import_bitrix24(
    body: Bitrix24Document,
    user: Importer,
    up: UpstreamsDep,
    users: Users,
    dry_run: DryRun = False,
    wait: Wait = 8,
) -> JSONResponse:
    """Bitrix24's REST results (`deals`, `contacts`, `stage_history`, `users`, `stage_map`)
    → orders. Repeatable: a re-run creates nothing new and updates what changed."""
    sent = {"document": body.model_dump(mode="json"), "people": await _people(users)}
    return await _run(up, user, "/imports/bitrix24", sent, dry_run, wait)


@router.post(
    "/imports/bitrix24/csv",
    response_model=ImportReport,
    operation_id="import_bitrix24_csv",
    responses=RESPONSES,
)
async def import_bitrix24_csv(
    file: Annotated[UploadFile, File(description="Bitrix24's CSV export of deals")],
    user: Importer,
    up: UpstreamsDep,
    users: Users,
    stage_map: Annotated[str, Form(description='JSON: {"<stage title or ID>": "<our stage>"}')] = (
        "{}"
    ),
    dry_run: DryRun = False,
    wait: Wait = 8,
) -> JSONResponse:
    try:
        mapping = json.loads(stage_map)
    except ValueError:
        raise Invalid("stage_map: not JSON", code="invalid_import") from None
    if not isinstance(mapping, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()
    ):
        raise Invalid('stage_map: expected {"<stage>": "<our stage>"}', code="invalid_import")
    raw = await file.read()
    sent = {
        "csv_base64": base64.b64encode(raw).decode("ascii"),
        "stage_map": mapping,
        "people": await _people(users),
    }
    return await _run(up, user, "/imports/bitrix24/csv", sent, dry_run, wait)


@router.get(
    "/imports",
    response_model=ImportJobs,
    operation_id="recent_imports",
    responses=errors(401, 403, 422, 503),
)
async def recent_imports(
    user: Importer,
    up: UpstreamsDep,
    limit: Annotated[int, Query(ge=1, le=100, description="how many, newest first")] = 20,
) -> Response:
    """The latest imports, who ran them and how they ended (reports: `GET /imports/{id}`)."""
    reply = await up.call("orders", "GET", "/imports", caller_of(user), params={"limit": limit})
    return relayed(reply, JOBS, user)


@router.get(
    "/imports/{import_id}",
    response_model=ImportJob,
    operation_id="import_status",
    responses=errors(401, 403, 404, 422, 503),
)
async def import_status(import_id: UUID, user: Importer, up: UpstreamsDep) -> Response:
    """An import's progress (`done` of `total`), and its report once done."""
    reply = await up.call("orders", "GET", f"/imports/{import_id}", caller_of(user))
    return relayed(reply, JOB, user)
