"""The fault run's plan (chaos/faults.py): what each fault's name means, what it needs in
front of its server, and what its phase is called when the machine refuses a small disk."""

from __future__ import annotations

from pathlib import Path

import pytest

from chaos import faults
from chaos.ledger import Ledger
from chaos.report import by_kind
from chaos.run import DEFAULT_FAULTS


def test_every_default_fault_parses_and_names_its_phase() -> None:
    labels = [faults.parse(spec).label for spec in DEFAULT_FAULTS]
    assert "kill -9 orders" in labels
    assert "pause orders" in labels
    assert {"slow postgres", "partition broker"} <= set(labels)
    assert {"500s from object-store", "disk full: object-store"} <= set(labels)
    assert len(set(labels)) == len(labels)


@pytest.mark.parametrize(
    "spec", ["partition:postgres", "full:broker", "slow:orders", "melt:orders", "lose:orders"]
)
def test_a_fault_its_target_cannot_have_is_refused(spec: str) -> None:
    with pytest.raises(ValueError, match=r"applies to|unknown fault"):
        faults.parse(spec)


def test_the_rig_fronts_only_the_servers_a_fault_acts_through(tmp_path: Path) -> None:
    plan = [
        faults.parse(s) for s in ("orders", "pause:media", "slow:postgres", "error:object-store")
    ]
    rig = faults.Rig.for_faults(plan, tmp_path)
    assert set(rig.fronts) == {"postgres", "object-store"}
    assert rig.disk is None
    both = faults.Rig.for_faults([*plan, faults.parse("full:object-store")], tmp_path)
    assert set(both.fronts) == {"postgres", "object-store"}  # one proxy per server
    assert both.disk is not None
    assert both.disk.folder == tmp_path / "s3" / faults.MEDIA_BUCKET


def test_without_a_mounted_disk_the_full_store_phase_says_it_is_the_proxys_507(
    tmp_path: Path,
) -> None:
    full = faults.parse("full:object-store")
    rig = faults.Rig.for_faults([full], tmp_path)
    assert rig.label(full) == "507s from object-store (no disk to fill)"
    assert rig.disk is not None
    rig.disk.mounted = True
    assert rig.label(full) == "disk full: object-store"


def test_the_small_disk_is_filled_to_the_last_byte_and_drained(tmp_path: Path) -> None:
    disk = faults.SmallDisk(tmp_path / "bucket")
    disk.folder.mkdir()
    filler = disk.folder / ".chaos-filler"

    # A real full disk needs a mount; its refusal is what fill() stops at.
    calls = {"n": 0}
    real_open = Path.open

    def small_open(self: Path, *args: object, **kwargs: object) -> object:
        handle = real_open(self, *args, **kwargs)  # type: ignore[call-overload]
        write = handle.write

        def limited(data: bytes) -> int:
            calls["n"] += 1
            if calls["n"] > 3:
                raise OSError(28, "No space left on device")
            return int(write(data))

        handle.write = limited
        return handle

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Path, "open", small_open)
        written = disk.fill()
    assert written == 3 << 20
    assert filler.stat().st_size == written
    disk.drain()
    assert not filler.exists()


def test_the_table_by_kind_shows_offered_and_acknowledged_per_phase() -> None:
    ledger = Ledger()
    phase = ledger.begin("500s from object-store")
    phase.offered["upload"] += 3
    ledger.ack("upload", "o1", "m1", phase.name)
    assert "upload 3/1" in by_kind(ledger)
    assert "create 0/0" in by_kind(ledger)
