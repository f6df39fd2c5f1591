"""`make load`'s generator against the session's stack, for a few seconds (issue 19): the
mix goes out, live streams stay open and are read as the web app reads them, an order walks
its script, and the soak's samplers see every process and table. Counts only, never times:
`make load` itself is where figures come from."""

from __future__ import annotations

from deploy.local.stack import Stack
from load import procs, tables
from load.run import Load, client
from load.stats import Recorder


async def test_the_generator_offers_its_mix_and_holds_streams(stack: Stack) -> None:
    recorder = Recorder()
    async with client(stack, recorder) as api:
        load = Load(stack, api, recorder, sessions_per_role=1)
        await load.start()
        try:
            assert await load.hold(4) == 4
            step = await load.offer(5, 8)
        finally:
            await load.stop()
    names = {row.endpoint for row in step.rows}
    assert {"POST /api/v1/orders", "GET /api/v1/board", "GET /api/v1/tasks"} <= names
    assert step.requests >= 30
    assert step.streams == 4
    assert not step.errors, step.errors
    assert load.script is not None
    assert load.script.orders  # an order was created and walks its script

    found = procs.sample(stack)
    assert {"gateway", "orders", "media", "broker", "object-store"} <= set(found)
    assert all(usage["rss_mb"] > 0 for usage in found.values())
    rows = await tables.rows(stack.urls["database"])
    assert rows["orders.events"] > 0
