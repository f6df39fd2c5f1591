"""The short fault run inside `make test`: fixed kill points, counts asserted, never times.

`make chaos` is the long run (every process, 50 commands/s); this one kills the parts whose
loss is the hardest to survive — the event store's owner, the read side, the broker and the
database — and pauses one past the broker's session timeout, at a modest rate, in a stack of
its own (it kills that stack's PostgreSQL, so it cannot share the session's). Then the
dependency faults, each held 8 s: the object store answering 500 and its disk full (a 507
from its proxy where the run may not mount), PostgreSQL slowed, the broker partitioned."""

from __future__ import annotations

from chaos import faults
from chaos.report import full
from chaos.run import Plan, run

SHORT = Plan(
    rate=25.0,
    phase_s=8.0,
    fault_at_s=2.0,
    pause_s=8.0,  # past the 6 s session timeout: the group rebalances under it
    partition_s=8.0,  # past it too: the broker's consumers are out of their groups
    settle_s=6.0,
    faults=[
        faults.parse(f)
        for f in (
            "orders",
            "projections",
            "broker",
            "postgres",
            "pause:scheduling",
            "error:object-store",
            "full:object-store",
            "slow:postgres",
            "partition:broker",
        )
    ],
)


async def test_killed_and_paused_processes_lose_and_duplicate_nothing() -> None:
    result = await run(SHORT)
    report = "\n" + full(result)

    acked_in = {ack.phase for ack in result.ledger.acks}
    assert acked_in == {phase.name for phase in result.ledger.phases}, report
    assert {ack.kind for ack in result.ledger.acks} == {
        "create",
        "upload",
        "comment",
        "transition",
        "book",
        "complete",
    }, report
    assert all(p.recovered_after_s is not None for p in result.ledger.phases[1:]), report
    assert result.findings.lost == [], report
    assert not result.findings.duplicates, report
    assert result.findings.read_models_differ == {}, report
    assert result.stuck == 0, report
    # The database killed, slowed, or the object store failing or full answers 503 with
    # Retry-After, never 500 or a relayed 502 (API.md).
    assert result.server_errors == {}, report
