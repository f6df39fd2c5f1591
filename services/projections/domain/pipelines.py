"""The pipeline versions the projections have heard of, and what the board and the reports
make of them: which stages, in what order, under which title. Pure.

Every order keeps the pipeline version it started with, so at any time the cards on the board
may belong to several versions. The newest version sets the columns; a stage that a newer
version dropped stays for as long as old orders sit in it. Versions arrive as
`orders.PipelinePublished` on another partition than the orders, so an order of a version not
heard of yet is normal for a moment: it falls back, never disappears.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class KnownStage:
    key: str
    title_ru: str
    title_en: str

    def title(self, lang: str) -> str:
        return self.title_ru if lang == "ru" else self.title_en


@dataclass(frozen=True)
class Pipelines:
    """Each known version's stages, in board order."""

    versions: Mapping[int, Sequence[KnownStage]]

    def _newest_first(self) -> list[int]:
        return sorted(self.versions, reverse=True)

    def _stage(self, version: int, key: str) -> KnownStage | None:
        return next((s for s in self.versions.get(version, ()) if s.key == key), None)

    def title(self, key: str, lang: str, version: int | None = None) -> str:
        """The title `version` gives the stage; else the newest version that defines it (the
        order's own version may not have arrived yet); else the key itself."""
        candidates = ([version] if version is not None else []) + self._newest_first()
        for v in candidates:
            found = self._stage(v, key)
            if found is not None:
                return found.title(lang)
        return key

    def every_stage(self) -> list[str]:
        """Every stage of every known version, in board order."""
        return self.ordered(s.key for stages in self.versions.values() for s in stages)

    def ordered(self, holding: Iterable[str]) -> list[str]:
        """The newest version's stages in its order, plus each stage in `holding` (stages
        that hold something: cards, report rows) that the newest version lacks.

        A stage an older version defines goes right after its nearest predecessor in the
        newest older version that defines it (rework after installation when a new version
        drops rework); a stage no known version defines goes last (a card is never lost
        because its version has not arrived)."""
        versions = self._newest_first()
        order = [s.key for s in self.versions[versions[0]]] if versions else []
        wanted = set(holding) - set(order)
        for version in versions[1:]:
            keys = [s.key for s in self.versions[version]]
            for i, key in enumerate(keys):
                if key not in wanted or key in order:
                    continue
                anchor = next((p for p in reversed(keys[:i]) if p in order), None)
                order.insert(0 if anchor is None else order.index(anchor) + 1, key)
        return order + sorted(wanted - set(order))
