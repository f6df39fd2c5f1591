"""The load and soak runs' tables."""

from __future__ import annotations

from collections.abc import Sequence

from load.stats import Drift, Step


def _table(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


def ramp(steps: Sequence[Step]) -> str:
    rows = [
        (
            "offered/s",
            "streams",
            "requests",
            "done/s",
            "errors",
            "p99 ms",
            "stack CPU",
            "generator CPU",
            "holds",
        )
    ]
    rows.extend(
        (
            f"{s.rate:.0f}",
            str(s.streams),
            str(s.requests),
            f"{s.throughput:.1f}",
            f"{100 * s.error_ratio:.2f} %",
            _ms(s.p99),
            f"{s.stack_cpu:.2f} cores",
            f"{s.own_cpu:.2f} cores",
            "yes" if s.holds else "no",
        )
        for s in steps
    )
    return _table(rows)


def endpoints(step: Step) -> str:
    rows = [("endpoint", "requests", "errors", "p50 ms", "p95 ms", "p99 ms")]
    rows.extend(
        (r.endpoint, str(r.count), str(r.errors), _ms(r.p50), _ms(r.p95), _ms(r.p99))
        for r in step.rows
    )
    by_kind = ", ".join(f"{k}×{n}" for k, n in sorted(step.errors.items())) or "none"
    return (
        f"{step.rate:.0f} requests/s offered for {step.seconds:.0f} s, {step.streams} live "
        f"streams held: {step.requests} requests, {step.throughput:.1f}/s, p99 {_ms(step.p99)} "
        f"ms, errors {100 * step.error_ratio:.2f} % ({by_kind}); CPU {step.stack_cpu:.2f} "
        f"cores the stack, {step.own_cpu:.2f} the generator\n{_table(rows)}"
    )


def drift_table(found: Sequence[Drift], first: str, second: str) -> str:
    rows = [("process", "figure", first, second, "change", "")]
    for d in found:
        change = "new" if d.change == float("inf") else f"{100 * d.change:+.1f} %"
        rows.append(
            (
                d.name,
                d.what,
                f"{d.before:.1f}",
                f"{d.after:.1f}",
                change,
                f"not judged: {d.not_judged}" if d.not_judged else "" if d.ok else "FAIL",
            )
        )
    return _table(rows)
