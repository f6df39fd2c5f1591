"""The fault run's table: one row per phase, then the verdict."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chaos.audit import Findings
from chaos.ledger import KINDS, Ledger

if TYPE_CHECKING:
    from chaos.run import Result

HEADER = ("phase", "offered", "acked", "lost", "5xx by code", "other errors", "waits", "recovered")


def table(ledger: Ledger, findings: Findings) -> str:
    acked: dict[str, int] = {}
    for ack in ledger.acks:
        acked[ack.phase] = acked.get(ack.phase, 0) + 1
    rows = [HEADER]
    for phase in ledger.phases:
        fivexx = {k: v for k, v in phase.errors.items() if k.isdigit() and k >= "500"}
        other = {k: v for k, v in phase.errors.items() if k not in fivexx}
        rows.append(
            (
                phase.name,
                str(sum(phase.offered.values())),
                str(acked.get(phase.name, 0)),
                str(findings.lost_in(phase.name)),
                _counts(fivexx),
                _counts(other),
                str(phase.deferred),
                "-" if phase.recovered_after_s is None else f"{phase.recovered_after_s:.1f} s",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADER))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _counts(counter: dict[str, int]) -> str:
    return ", ".join(f"{k}×{v}" for k, v in sorted(counter.items())) or "0"


def verdict(
    ledger: Ledger, findings: Findings, stuck: int, stuck_steps: dict[str, int] | None = None
) -> str:
    lines = [
        f"acknowledged {len(ledger.acks)} commands on {findings.orders_checked} orders; "
        f"lost {len(findings.lost)}; duplicates {sum(findings.duplicates.values())}"
        + (f" ({_counts(dict(findings.duplicates))})" if findings.duplicates else "")
        + f"; orders stuck on a step {stuck}"
        + (f" ({_counts(stuck_steps)})" if stuck_steps else ""),
        "read models equal a fresh rebuild"
        if not findings.read_models_differ
        else f"read models differ from a rebuild: {', '.join(findings.read_models_differ)}",
        f"dead letters: {_counts(findings.dead_letters)}",
    ]
    for ack, why in findings.lost[:20]:
        lines.append(f"  lost {ack.kind} ({ack.phase}) order {ack.order_id} {ack.ref}: {why}")
    lines.extend(
        f"  unexpected answer ({phase.name}): {sample}"
        for phase in ledger.phases
        for sample in phase.samples
    )
    lines.extend(
        f"  {code} ({phase.name}), first: {sample}"
        for phase in ledger.phases
        for code, sample in sorted(phase.server_samples.items())
    )
    return "\n".join(lines)


def by_kind(ledger: Ledger) -> str:
    """Offered/acknowledged per command kind and phase: whether a fault met the commands it
    is about (an upload while the store fails), not only the load as a whole."""
    acked: dict[tuple[str, str], int] = {}
    for ack in ledger.acks:
        acked[ack.phase, ack.kind] = acked.get((ack.phase, ack.kind), 0) + 1
    width = max((len(p.name) for p in ledger.phases), default=0)
    return "\n".join(
        f"{phase.name.ljust(width)}  "
        + "  ".join(f"{k} {phase.offered[k]}/{acked.get((phase.name, k), 0)}" for k in KINDS)
        for phase in ledger.phases
    )


def full(result: Result) -> str:
    """The table, the verdict and the time to quiet, as `make chaos` prints them."""
    return (
        f"{table(result.ledger, result.findings)}\n\n"
        f"offered/acknowledged by kind:\n{by_kind(result.ledger)}\n\n"
        f"{verdict(result.ledger, result.findings, result.stuck, result.stuck_steps)}\n"
        f"server errors (5xx but 503): {_counts(result.server_errors)}\n"
        f"quiet {result.quiet_after_s:.0f} s after the load stopped\n"
        + ("PASS" if result.ok else "FAIL")
    )
