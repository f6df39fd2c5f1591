"""The fault run's driver stays signed in through a run longer than a token's life."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from chaos import run


async def test_the_driver_renews_its_users_tokens_in_place(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    issued: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        if len(issued) == 1:  # the gateway is away at one renewal: the old token stays
            issued.append("refused")
            return httpx.Response(503, json={"detail": "restarting"})
        issued.append(f"t{len(issued)}")
        return httpx.Response(200, json={"access_token": issued[-1]})

    monkeypatch.setattr(run, "RENEW_EVERY_S", 0.01)
    api = httpx.AsyncClient(base_url="http://gw", transport=httpx.MockTransport(answer))
    manager = {"Authorization": "Bearer t-old"}
    renewing = asyncio.create_task(run._keep_signed_in(api, {"manager": manager}))
    async with asyncio.timeout(5):
        while manager["Authorization"] != "Bearer t2":  # t0, a refusal, then t2
            await asyncio.sleep(0.01)
    renewing.cancel()
    await api.aclose()
    assert issued[:2] == ["t0", "refused"]
    # the header the driver sends is the very dict, renewed in place (reaching t2 above)
