"""Readiness reports a read side that is still catching up, and never fails for it (API.md:
ready = the process can serve its own requests)."""

from __future__ import annotations

import uuid

import httpx

from gateway.adapters.upstream import Upstreams
from plumbing import metrics, progress
from plumbing.app import Runtime, create_app
from tests.actors import KEY


async def readyz(runtime: Runtime) -> httpx.Response:
    app = create_app("readiness-test", runtime)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as client:
        return await client.get("/readyz")


async def test_a_lagging_consumer_is_reported_and_readiness_holds() -> None:
    behind, level = f"behind-{uuid.uuid4().hex[:6]}", f"level-{uuid.uuid4().hex[:6]}"
    progress.track(behind).lag = 120
    progress.track(level).lag = 0
    unmeasured = progress.track(f"new-{uuid.uuid4().hex[:6]}")

    reply = await readyz(Runtime())

    assert reply.status_code == 200
    consumers = reply.json()["consumers"]
    assert consumers[behind] == {"lag": 120, "caught_up": False}
    assert consumers[level] == {"lag": 0, "caught_up": True}
    # Not measured yet (the group may not have joined): not taken as caught up.
    assert unmeasured.caught_up is False


async def test_a_failing_report_is_left_out_and_fails_nothing() -> None:
    async def broken() -> dict[str, object]:
        raise RuntimeError("upstream away")

    async def fine() -> dict[str, object]:
        return {"catching_up": False}

    reply = await readyz(Runtime(reports=[broken, fine]))

    assert reply.status_code == 200
    assert reply.json()["catching_up"] is False


def upstreams(answers: dict[str, dict[str, object] | None]) -> Upstreams:
    """Services at http://<name>, answering /readyz with the given consumers (None: down)."""

    def answer(request: httpx.Request) -> httpx.Response:
        consumers = answers[request.url.host]
        if consumers is None:
            raise httpx.ConnectError("refused", request=request)
        body: dict[str, object] = {"ready": True, "checks": {}}
        if consumers:
            body["consumers"] = consumers
        return httpx.Response(200, json=body)

    return Upstreams(
        {name: f"http://{name}" for name in answers},
        KEY,
        transport=httpx.MockTransport(answer),
    )


async def test_the_gateway_says_catching_up_while_any_service_lags() -> None:
    caught_up = {"lag": 0, "caught_up": True}
    behind = {"lag": 7, "caught_up": False}
    services = upstreams(
        {
            "projections": {"projections": caught_up},
            "scheduling": {"scheduling": behind},
            "media": {},  # consumes nothing
            "notifications": None,  # down: its check says so, the report leaves it out
        }
    )

    report = await services.read_side()

    assert report == {
        "catching_up": True,
        "read_side": {
            "projections": {"projections": caught_up},
            "scheduling": {"scheduling": behind},
        },
    }


async def test_the_gateway_says_caught_up_when_every_service_is() -> None:
    caught_up = {"lag": 0, "caught_up": True}
    services = upstreams(
        {"projections": {"projections": caught_up}, "orders": {"orders": caught_up}}
    )

    assert (await services.read_side())["catching_up"] is False


async def test_a_dependency_away_is_reported_and_counted_but_the_process_stays_ready() -> None:
    async def away() -> None:
        raise ConnectionRefusedError("connect to 10.0.0.7:9092 refused")

    async def fine() -> None:
        return None

    reply = await readyz(
        Runtime(checks={"postgres": fine}, dependencies={"kafka": away, "object_store": fine})
    )

    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["ready"] is True
    assert body["checks"] == {"postgres": "ok"}
    # Which one and roughly how; never the exception's text (hosts, ports).
    assert body["dependencies"] == {"kafka": "failing: unavailable", "object_store": "ok"}
    assert "10.0.0.7" not in reply.text
    exported = metrics.render().decode()
    assert 'dependency_up{dependency="kafka"} 0.0' in exported
    assert 'dependency_up{dependency="object_store"} 1.0' in exported


async def test_its_own_database_away_takes_it_out_of_rotation() -> None:
    async def away() -> None:
        raise ConnectionRefusedError("refused")

    reply = await readyz(Runtime(checks={"postgres": away}))
    assert reply.status_code == 503
    assert reply.json()["checks"] == {"postgres": "failing: unavailable"}
