"""Export JSON Schema of every event version and the envelope to contracts/schemas/, and the
public API's OpenAPI description to contracts/api/openapi.json.

`python -m contracts.export` writes them; `--check` fails when the files are not current
(CI runs the check, so a model or route change without regenerated files cannot land).
"""

from __future__ import annotations

import json
import secrets
import sys
from pathlib import Path
from typing import Any

from contracts.envelope import Envelope
from contracts.events.registry import EVENT_TYPES

SCHEMAS = Path(__file__).parent / "schemas"
OPENAPI = Path(__file__).parent / "api" / "openapi.json"


def render() -> dict[str, str]:
    files = {"envelope.json": Envelope.model_json_schema()}
    for name, event_type in sorted(EVENT_TYPES.items()):
        for version, model in sorted(event_type.versions.items()):
            schema = model.model_json_schema()
            schema["$id"] = f"{name}.v{version}"
            schema["x-current"] = version == event_type.current
            files[f"{name}.v{version}.json"] = schema
    return {
        k: json.dumps(v, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        for k, v in files.items()
    }


def openapi() -> dict[str, Any]:
    """The gateway's OpenAPI: what a web client is generated from. The routes are the
    gateway's, so it is imported here only (contracts import nothing else of the system);
    the app is built only to describe it (a throwaway key, no database touched)."""
    from gateway.bootstrap import Settings, build  # noqa: PLC0415

    spec: dict[str, Any] = build(Settings(jwt_secret=secrets.token_urlsafe(48))).openapi()
    return spec


def render_openapi() -> str:
    return json.dumps(openapi(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def _check_openapi() -> int:
    present = OPENAPI.read_text() if OPENAPI.exists() else None
    if present != render_openapi():
        print(f"{OPENAPI} is out of date; run `make schemas`")  # noqa: T201
        return 1
    print("the OpenAPI description is current")  # noqa: T201
    return 0


def main(argv: list[str]) -> int:
    wanted = render()
    if "--check" in argv:
        api_stale = _check_openapi()
        present = (
            {p.name: p.read_text() for p in SCHEMAS.glob("*.json")} if SCHEMAS.exists() else {}
        )
        stale = sorted(k for k in wanted.keys() | present.keys() if wanted.get(k) != present.get(k))
        if stale:
            print("JSON Schemas are out of date; run `make schemas`:", *stale, sep="\n  ")  # noqa: T201
            return 1
        print(f"{len(wanted)} JSON Schemas are current")  # noqa: T201
        return api_stale
    SCHEMAS.mkdir(exist_ok=True)
    for old in SCHEMAS.glob("*.json"):
        if old.name not in wanted:
            old.unlink()
    for name, text in wanted.items():
        (SCHEMAS / name).write_text(text)
    OPENAPI.write_text(render_openapi())
    print(f"wrote {len(wanted)} schemas to {SCHEMAS}")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
