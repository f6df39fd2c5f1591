"""The pipeline as data: stages in order, allowed forward moves, each stage's gate.

A company can change it without a release (PUT /api/v1/pipeline); each order keeps the
version it was created with. Gate conditions are of a few known *kinds* with parameters, so
a director can add a condition with a new code (say, "calculation attached before contract")
without code: {"code": "calculation_missing", "kind": "media_attached",
"params": {"kind": "document", "purpose": "calculation"}, "message_ru": ..., "message_en": ...}.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CONDITION_KINDS = frozenset(
    {
        "customer_complete",
        "media_attached",  # params: kind?, purpose?
        "visit_booked",  # params: visit_kind
        "visit_task_done",  # params: visit_kind
        "measurement_results",
        "deal_terms",
        "production_finished",
        # params: visit_kind, purpose?, max_distance_m? (default 300) — issue 15's photo
        # rules (gates.py, site_photos.py)
        "site_photos",
    }
)
CANCELLED = "cancelled"
FIRST = "intake"


class InvalidPipeline(ValueError):
    pass


@dataclass(frozen=True)
class Condition:
    code: str
    kind: str
    message_ru: str
    message_en: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Stage:
    key: str
    title_ru: str
    title_en: str
    gate: tuple[Condition, ...] = ()
    limit_hours: float | None = None
    terminal: bool = False


@dataclass(frozen=True)
class Pipeline:
    version: int
    stages: tuple[Stage, ...]
    forward: dict[str, tuple[str, ...]]

    def keys(self) -> list[str]:
        return [s.key for s in self.stages]

    def stage(self, key: str) -> Stage:
        for stage in self.stages:
            if stage.key == key:
                return stage
        raise KeyError(key)

    def knows(self, key: str) -> bool:
        return key in self.keys()

    def index(self, key: str) -> int:
        return self.keys().index(key)

    def is_terminal(self, key: str) -> bool:
        return self.stage(key).terminal

    def first(self) -> str:
        return self.stages[0].key

    def title(self, key: str, lang: str = "ru") -> str:
        """The stage's title in `lang`; a key this version does not know stays as it is
        (a robot may name a stage of another version in a refused move)."""
        found = next((s for s in self.stages if s.key == key), None)
        if found is None:
            return key
        return found.title_ru if lang == "ru" else found.title_en

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "stages": [
                {
                    "key": s.key,
                    "title_ru": s.title_ru,
                    "title_en": s.title_en,
                    "limit_hours": s.limit_hours,
                    "terminal": s.terminal,
                    "gate": [
                        {
                            "code": c.code,
                            "kind": c.kind,
                            "params": c.params,
                            "message_ru": c.message_ru,
                            "message_en": c.message_en,
                        }
                        for c in s.gate
                    ],
                }
                for s in self.stages
            ],
            "forward": {k: list(v) for k, v in self.forward.items()},
        }


def pipeline_from_dict(data: dict[str, Any], version: int) -> Pipeline:
    """Parse and validate a definition; every problem is an InvalidPipeline with a reason."""
    try:
        stages = tuple(
            Stage(
                key=str(s["key"]),
                title_ru=str(s["title_ru"]),
                title_en=str(s["title_en"]),
                limit_hours=None if s.get("limit_hours") is None else float(s["limit_hours"]),
                terminal=bool(s.get("terminal", False)),
                gate=tuple(
                    Condition(
                        code=str(c["code"]),
                        kind=str(c["kind"]),
                        message_ru=str(c["message_ru"]),
                        message_en=str(c["message_en"]),
                        params={str(k): str(v) for k, v in (c.get("params") or {}).items()},
                    )
                    for c in s.get("gate", [])
                ),
            )
            for s in data["stages"]
        )
        forward = {str(k): tuple(str(t) for t in v) for k, v in data["forward"].items()}
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidPipeline(f"malformed pipeline: {exc!r}") from None
    pipeline = Pipeline(version=version, stages=stages, forward=forward)
    _validate(pipeline)
    return pipeline


def _validate(p: Pipeline) -> None:
    keys = p.keys()
    if len(set(keys)) != len(keys) or not keys:
        raise InvalidPipeline("stage keys must be unique and non-empty")
    if CANCELLED not in keys or not p.is_terminal(CANCELLED):
        raise InvalidPipeline("a terminal 'cancelled' stage is required")
    if p.is_terminal(p.first()):
        raise InvalidPipeline("the first stage cannot be terminal")
    for source, targets in p.forward.items():
        if source not in keys:
            raise InvalidPipeline(f"forward move from unknown stage {source!r}")
        for target in targets:
            if target not in keys:
                raise InvalidPipeline(f"forward move to unknown stage {target!r}")
            if p.index(target) <= p.index(source):
                raise InvalidPipeline(f"{source} → {target} is not a forward move")
    for stage in p.stages:
        if stage.limit_hours is not None and stage.limit_hours <= 0:
            raise InvalidPipeline(f"{stage.key}: limit_hours must be positive")
        for cond in stage.gate:
            if cond.kind not in CONDITION_KINDS:
                raise InvalidPipeline(f"{stage.key}: unknown condition kind {cond.kind!r}")


def check_new(p: Pipeline) -> None:
    """Rules for a version about to be saved, beyond those every stored version meets (an
    older stored version may break them and must still load)."""
    if p.first() != FIRST:
        # OrderCreated names no stage: every order starts in `intake` (evolve), so a
        # pipeline that starts elsewhere would hold its orders in a stage it does not have.
        raise InvalidPipeline(f"the first stage must be {FIRST!r}")
