"""`bench --profile`: py-spy samples summed by library, and each comparison's gap split by
process (bench/costs.py, bench/pyspy.py)."""

from __future__ import annotations

import asyncio

from bench import costs, pyspy


def test_a_frame_is_counted_to_its_library_or_to_our_package() -> None:
    assert pyspy.part_of("_run_once (asyncio/base_events.py:1922)") == "event loop"
    assert pyspy.part_of("select (selectors.py:468)") == "event loop"
    site = "/w/.venv/lib/python3.11/site-packages"
    assert pyspy.part_of(f"execute ({site}/asyncpg/connection.py:350)") == "asyncpg (driver)"
    assert pyspy.part_of("model_dump (pydantic/main.py:420)") == "pydantic"
    assert pyspy.part_of("book (services/scheduling/application/visits.py:120)") == (
        "ours: services.scheduling"
    )
    assert pyspy.part_of("append (plumbing/event_store.py:10)") == "ours: plumbing.event_store"
    assert pyspy.part_of("uuid4 (uuid.py:723)") == "other: uuid.py"


def test_samples_are_summed_by_the_innermost_frame() -> None:
    raw = "\n".join(
        [
            "<module> (bench/__main__.py:1);book (services/scheduling/x.py:2);"
            "execute (asyncpg/connection.py:3) 7",
            "<module> (bench/__main__.py:1);_run_once (asyncio/base_events.py:4) 3",
            "<module> (bench/__main__.py:1);book (services/scheduling/x.py:2) 2",
            "",
            "a line py-spy never writes",
        ]
    )
    assert pyspy.parts(raw) == {
        "asyncpg (driver)": 7,
        "event loop": 3,
        "ours: services.scheduling": 2,
    }


def test_a_side_records_nothing_while_profiling_is_off() -> None:
    async def run() -> None:
        async with costs.side("bookings", "ours", 10):
            await asyncio.sleep(0)

    costs.enable(None)
    asyncio.run(run())  # no database, no processes: nothing is looked at


def test_the_gap_is_split_by_process_per_operation() -> None:
    profile = costs.Profile("postgresql://unused", None)
    profile.sides = [
        costs.SideCost("bookings", "raw", 1000, 0.1, {"bench process": 0.06, "postgres": 0.01}),
        costs.SideCost(
            "bookings",
            "ours",
            1000,
            1.0,
            {"bench process": 0.5, "postgres": 1.2},
            [costs.Statement("INSERT INTO visits ...", 1000, 200.0, 20.0)],
            {"bench process": {"event loop": 0.6, "asyncpg (driver)": 0.4}},
        ),
    ]
    lines = costs.report(profile)
    text = "\n".join(lines)
    assert "bookings ours: 1,000 ops, wall 1,000; CPU 1,700 = bench process 500" in text
    assert "1.0 per op, executing 200 + planning 20 µs per op" in text
    assert "py-spy bench process: event loop 60%, asyncpg (driver) 40%" in text
    assert lines[-1] == (
        "gap bookings: wall +900 µs/op; CPU +1,630 µs/op = postgres +1,190, bench process +440"
    )
