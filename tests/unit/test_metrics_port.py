"""/metrics alone on METRICS_PORT (plumbing/serve.py): what Prometheus may reach in
Kubernetes, without the API beside it."""

from __future__ import annotations

import httpx

from deploy.local.ports import free_port
from plumbing import metrics
from plumbing.serve import start_metrics_server
from plumbing.settings import ServiceSettings


def test_no_port_no_server() -> None:
    assert start_metrics_server(ServiceSettings(metrics_port=0)) is None


def test_the_metrics_port_serves_the_metrics_and_nothing_else() -> None:
    metrics.HTTP_REQUESTS.labels("GET", "/probe", "200").inc()
    port = free_port()
    stop = start_metrics_server(ServiceSettings(metrics_port=port))
    assert stop is not None
    try:
        scraped = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5)
        assert scraped.status_code == 200
        assert 'http_requests_total{method="GET",route="/probe",status="200"}' in scraped.text
        assert httpx.post(f"http://127.0.0.1:{port}/orders", timeout=5).status_code >= 400
    finally:
        stop()
