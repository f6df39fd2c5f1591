"""Imports from Bitrix24 (issue 20): the REST document or the CSV export, and their progress.

An import answers with its report when it finishes within `wait` seconds (WAIT_S at most and
by default); a longer one answers 202 with its job (`done` of `total`) and goes on here, and
`GET /imports/{id}` follows it. The gateway's call to this service times out at 15 s, so the
wait stays well below that. `wait=0` is for a client that always follows the job.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from contracts.api.imports import CsvImportCommand, ImportCommand
from contracts.api.imports import Person as PersonIn
from contracts.envelope import Actor
from contracts.roles import may
from plumbing.actor import CurrentActor
from plumbing.errors import Forbidden
from plumbing.state import from_state
from services.orders.application.imports import Importer
from services.orders.domain import bitrix24_csv
from services.orders.domain.bitrix24 import BadDocument, Person
from services.orders.domain.errors import InvalidImport

router = APIRouter()
log = logging.getLogger(__name__)
WAIT_S = 8.0
MAX_CSV = 16 * 1024 * 1024

ImporterDep = Annotated[Importer, Depends(from_state("importer", Importer))]
Wait = Annotated[float, Query(ge=0, le=WAIT_S)]


def _people(people: list[PersonIn]) -> list[Person]:
    return [Person(p.id, p.username, p.email, p.display_name, p.role) for p in people]


def _admin(actor: Actor) -> None:
    if not may(actor.role or "", "imports.run"):
        raise Forbidden("only an admin imports from Bitrix24")


@router.post("/imports/bitrix24")
async def import_bitrix24(
    body: ImportCommand,
    actor: CurrentActor,
    importer: ImporterDep,
    request: Request,
    dry_run: Annotated[bool, Query()] = False,
    wait: Wait = WAIT_S,
) -> JSONResponse:
    _admin(actor)
    document = body.document.model_dump()
    return await _start(request, importer, document, _people(body.people), actor, dry_run, wait)


@router.post("/imports/bitrix24/csv")
async def import_bitrix24_csv(
    body: CsvImportCommand,
    actor: CurrentActor,
    importer: ImporterDep,
    request: Request,
    dry_run: Annotated[bool, Query()] = False,
    wait: Wait = WAIT_S,
) -> JSONResponse:
    _admin(actor)
    try:
        raw = base64.b64decode(body.csv_base64, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidImport("csv_base64: not base64") from None
    if len(raw) > MAX_CSV:
        raise InvalidImport(f"the CSV file is over {MAX_CSV // (1024 * 1024)} MB")
    try:
        document = bitrix24_csv.document(raw, dict(body.stage_map))
    except BadDocument as exc:
        raise InvalidImport(str(exc)) from None
    return await _start(request, importer, document, _people(body.people), actor, dry_run, wait)


@router.get("/imports")
async def recent_imports(
    actor: CurrentActor, importer: ImporterDep, limit: Annotated[int, Query(ge=1, le=100)] = 20
) -> dict[str, Any]:
    _admin(actor)
    return {"imports": await importer.recent(limit)}


@router.get("/imports/{job_id}")
async def import_status(job_id: str, actor: CurrentActor, importer: ImporterDep) -> dict[str, Any]:
    _admin(actor)
    return await importer.status(job_id)


async def _start(
    request: Request,
    importer: Importer,
    document: dict[str, Any],
    people: list[Person],
    actor: Actor,
    dry_run: bool,
    wait: float,
) -> JSONResponse:
    # Checked and planned here, before any answer: a document that cannot be used is a 422.
    job_id, found = await importer.begin(document, people, actor, dry_run=dry_run)
    task = asyncio.create_task(importer.run(job_id, found, actor, dry_run=dry_run))
    # Kept referenced until it ends (the loop keeps only weak references to tasks).
    tasks: set[asyncio.Task[Any]] = request.app.state.import_tasks
    tasks.add(task)
    task.add_done_callback(_forget(tasks))
    finished, _ = await asyncio.wait({task}, timeout=wait)
    if task in finished:
        return JSONResponse(task.result())  # its failure is raised here, mapped to a status
    return JSONResponse(jsonable_encoder(await importer.status(job_id)), status_code=202)


def _forget(tasks: set[asyncio.Task[Any]]) -> Any:
    def done(task: asyncio.Task[Any]) -> None:
        tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            # The job row holds the error for GET /imports/{id}; this is the operator's copy.
            log.warning("import failed: %s", task.exception())

    return done
