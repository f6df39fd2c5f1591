"""Export JSON Schema of every event version and the envelope to contracts/schemas/.

`python -m contracts.export` writes them; `--check` fails when the files are not current
(CI runs the check, so a model change without regenerated schemas cannot land).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from contracts.envelope import Envelope
from contracts.events.registry import EVENT_TYPES

SCHEMAS = Path(__file__).parent / "schemas"


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


def main(argv: list[str]) -> int:
    wanted = render()
    if "--check" in argv:
        present = (
            {p.name: p.read_text() for p in SCHEMAS.glob("*.json")} if SCHEMAS.exists() else {}
        )
        stale = sorted(k for k in wanted.keys() | present.keys() if wanted.get(k) != present.get(k))
        if stale:
            print("JSON Schemas are out of date; run `make schemas`:", *stale, sep="\n  ")  # noqa: T201
            return 1
        print(f"{len(wanted)} JSON Schemas are current")  # noqa: T201
        return 0
    SCHEMAS.mkdir(exist_ok=True)
    for old in SCHEMAS.glob("*.json"):
        if old.name not in wanted:
            old.unlink()
    for name, text in wanted.items():
        (SCHEMAS / name).write_text(text)
    print(f"wrote {len(wanted)} schemas to {SCHEMAS}")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
