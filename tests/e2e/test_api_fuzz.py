"""Schemathesis against the running gateway: every operation of the public OpenAPI, as each
role with that role's token, with every check Schemathesis has (response-schema conformance
included). The API's own answers for unmet gates and stale versions (404, 409) are correct
answers to valid-looking input. Login is left out: hammering it would lock the demo users.

It runs on a stack of its own (it creates users, rules and pipelines), bounded to a few
examples per operation and role so the whole run stays around two minutes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from contracts.roles import may
from deploy.local.stack import Stack
from tests.conftest import Infra
from tests.e2e.own_stack import own_stack

ROLES = ("manager", "director", "admin", "production", "measurer", "installer", "delivery")
# Each role's operations one by one (coverage: every declared bound and case; fuzzing: random
# valid and invalid input), and for those who create orders the stateful phase, which follows
# the links create → read → move → history. Ten seconds a run keeps the nine runs within
# about two minutes on two cores.
RUNS = [
    *((role, "examples,coverage,fuzzing") for role in ROLES),
    ("manager", "stateful"),
    ("director", "stateful"),
]
EXAMPLES_PER_OPERATION = 4
# FUZZ_SECONDS=120 for a deeper run by hand: in ten seconds the coverage phase reaches only
# some operations (which ones depends on the machine's speed).
SECONDS_PER_RUN = int(os.environ.get("FUZZ_SECONDS", "10"))
# 404 and 409 are the API's answers to valid-looking input about an order that does not exist
# or is at another version or stage (unmet gates, stale versions). Beyond them, a refusal is
# accepted only where a rule spans fields (or requests, or the deployment's settings) that no
# JSON Schema can state, each named here with the statuses it answers.
BEYOND_THE_SCHEMA = {
    "/api/v1/crew/{member_id}/schedule": ("422", "`to` must be after `from`"),
    "/api/v1/crew/{member_id}": ("422", "an absence ends after it starts; a known time zone"),
    "/api/v1/crew/calendar": ("422", "`to` after `from`, at most 31 days apart"),
    "/api/v1/pipeline": ("422", "stage keys unique; forward moves name known stages, forward"),
    "/api/v1/orders": ("422", "an Idempotency-Key reused with another body (the IETF draft)"),
    "/api/v1/orders/{order_id}/media": (
        "413,422",
        "PHOTO_MAX_BYTES, DOCUMENT_MAX_BYTES: settings; a visit_id of this order the uploader "
        "is on (issue 15)",
    ),
    # Issue 15: only the visit's assignee checks in or out (a manager is told 403, not theirs);
    # the phone's `at` is not ahead of the server's clock nor before the booking; an
    # Idempotency-Key reused with another body.
    "/api/v1/visits/{visit_id}/check-in": ("403,422", "the assignee; `at` within the visit"),
    "/api/v1/visits/{visit_id}/check-out": ("403,422", "the assignee; `at` after the check-in"),
    # Only photos are reviewed, which the media id alone does not say.
    "/api/v1/media/{media_id}/review": ("422", "a photo, not a document"),
    # How many parts an upload has follows from its declared size (UPLOAD_PART_BYTES).
    "/api/v1/media/{media_id}/parts": ("422", "part numbers within the upload's part_count"),
    # The assignee must be a crew member of the visit's role, and within working hours.
    "/api/v1/orders/{order_id}/visits": ("422", "an existing crew member of that role, on duty"),
    "/api/v1/visits/{visit_id}": ("422", "an existing crew member of that role, on duty"),
    "/api/v1/tasks": ("422", "an assignee who exists"),
    "/api/v1/tasks/{task_id}/complete": ("422", "an Idempotency-Key reused with another body"),
    # A robot's trigger, conditions and actions are the scheduling rule model's, left free-form
    # in the OpenAPI (tests/unit/test_openapi.py, FREE_FORM); a PUT to an id a stateful run
    # took from another answer creates the rule, so its body is judged by that model.
    "/api/v1/automation/rules/{rule_id}": ("422", "the scheduling rule model's shapes"),
    # The stages are data, per order (its pipeline version): API.md answers 422 for another.
    "/api/v1/orders/{order_id}/transitions": ("422", "`to` is a stage of the order's pipeline"),
    # The order as it was: a moment between the order's creation and now, which a date-time
    # format cannot state (before creation and in the future are 422s that say so).
    "/api/v1/orders/{order_id}/as-of": ("422", "`at` after the order was created, not ahead"),
    # A promised day not before the order's creation day (its data, not the request's).
    "/api/v1/orders/{order_id}/promised-date": ("422", "a day not before the order was made"),
    # A new password's strength (zxcvbn, gateway/application/password_policy.py).
    "/api/v1/users": ("422", "a password too easy to guess"),
    "/api/v1/users/{user_id}": ("422", "a password too easy to guess"),
    # A field role's notices that may name an order they do not see stay in the inbox
    # (services/notifications/domain/routing.py); a time zone the zone database knows.
    "/api/v1/notifications/preferences": ("422", "channels a role may use; a known time zone"),
    # What the key is follows from the report named in the path: a stage key for the stage
    # reports, a crew member's id for workload (a string in the OpenAPI, shared by all).
    "/api/v1/reports/{name}/orders": ("422", "a key of the named report's kind"),
    # Bitrix24's items are free-form objects (its own field names) that must carry their ID,
    # and a CSV export needs its header row: what an object or a file schema cannot state.
    "/api/v1/imports/bitrix24": ("422", "every item with its ID"),
    "/api/v1/imports/bitrix24/csv": ("422", "a CSV file with its header row"),
    # A customer's page is at their number's digits (10 to 15 of them), which a path string
    # does not state.
    "/api/v1/customers/{phone}": ("422", "a phone number's digits"),
}


def _quoted(statuses: str) -> str:
    return ", ".join(f'"{s}"' for s in statuses.split(","))


CONFIG = """
[checks]
positive_data_acceptance.expected-statuses = ["2XX", "404", "409"]
""" + "".join(
    f"""
[[operations]]
include-path = "{path}"
checks.positive_data_acceptance.expected-statuses = ["2XX", "404", "409", {_quoted(status)}]
"""
    for path, (status, _) in BEYOND_THE_SCHEMA.items()
)


@pytest.fixture(scope="module")
def stack(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with own_stack(infra, tmp_path_factory.mktemp("fuzz-stack"), "fuzz") as running:
        yield running


def not_for(spec: dict[str, Any], role: str) -> list[str]:
    """The operation ids `role` may not call (by their `x-capability`), and login: for those
    a 403 is the right answer, which the route-capability test proves; the description itself
    stays whole, so what Schemathesis checks against (e.g. the Allow header) is the API's."""
    return [
        str(operation["operationId"])
        for operations in spec["paths"].values()
        for operation in operations.values()
        if operation.get("x-capability") in (None, "public")
        or not may(role, operation["x-capability"])
    ]


@pytest.mark.parametrize(("role", "phases"), RUNS)
def test_every_operation_as_every_role(
    stack: Stack, role: str, phases: str, tmp_path: Path
) -> None:
    gateway = stack.urls["gateway"]
    reply = httpx.post(gateway + "/api/v1/auth/token", data={"username": role, "password": "demo"})
    assert reply.status_code == 200, reply.text
    spec = httpx.get(gateway + "/openapi.json").json()
    excluded = [arg for op in not_for(spec, role) for arg in ("--exclude-operation-id", op)]
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG)
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(config),
        "run",
        gateway + "/openapi.json",
        *excluded,
        "--checks",
        "all",
        "--header",
        f"Authorization: Bearer {reply.json()['access_token']}",
        "--max-examples",
        str(EXAMPLES_PER_OPERATION),
        "--phases",
        phases,
        "--max-time",
        str(SECONDS_PER_RUN),
        "--no-color",
        "--seed",
        "1",
    ]
    run = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    print(run.stdout[-3000:])  # the phases' summary, for `pytest -s`
    assert run.returncode == 0, f"schemathesis as {role}:\n{run.stdout[-20000:]}\n{run.stderr}"
