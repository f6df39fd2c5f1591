"""What on-call sees (deploy/k8s/components/monitoring): every component scraped, alerts that
fire on synthetic series as they should (`promtool test rules`), each with its runbook
section, and an alert rule or dashboard panel never naming a metric nobody exports."""

from __future__ import annotations

import importlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import Metric

from deploy.k8s import validate
from plumbing.metrics import REGISTRY
from tests.unit.test_k8s_manifests import manifests, named, of_kind, selects

yaml = pytest.importorskip("yaml", reason="PyYAML is installed with kubernetes-validate")

ROOT = Path(__file__).resolve().parents[2]
MONITORING = ROOT / "deploy" / "k8s" / "components" / "monitoring"
RUNBOOK = ROOT / "deploy" / "k8s" / "README.md"
PRODUCTION = validate.OVERLAYS_DIR / "production"
COMPONENTS = ("orders", "scheduling", "media", "notifications", "projections", "gateway")
# Series no code of ours exports, and who does.
EXTERNAL = {
    "up": "Prometheus itself, one per scrape target",
    "kubelet_volume_stats_available_bytes": "the kubelet (kube-prometheus-stack scrapes it)",
    "kubelet_volume_stats_capacity_bytes": "the kubelet (kube-prometheus-stack scrapes it)",
}
# What PromQL spells with letters that is not a metric: keywords, and `le` in `by (job, le)`.
KEYWORDS = {
    "by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless",
    "bool", "offset", "inf", "nan",
}  # fmt: skip


def rules() -> list[dict[str, Any]]:
    rule = named(PRODUCTION, "PrometheusRule", "oms")
    return [r for group in rule["spec"]["groups"] for r in group["rules"]]


def dashboard() -> dict[str, Any]:
    config = named(PRODUCTION, "ConfigMap", "oms-dashboard")
    assert config["metadata"]["labels"]["grafana_dashboard"] == "1"
    found: dict[str, Any] = json.loads(config["data"]["oms.json"])
    return found


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression reads."""
    expr = re.sub(r'"[^"]*"', "", expr)  # strings (label values)
    expr = re.sub(r"\{[^}]*\}", "", expr)  # label matchers
    expr = re.sub(r"\[[^\]]*\]", "", expr)  # ranges
    expr = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", expr)
    names = set()
    for match in re.finditer(r"[a-zA-Z_:][a-zA-Z0-9_:]*", expr):
        word = match.group()
        if word.lower() in KEYWORDS or re.match(r"\s*\(", expr[match.end() :]):
            continue  # a keyword, or a function (its name is followed by its arguments)
        if re.fullmatch(r"\d+[smhdwy]", word):
            continue
        names.add(word)
    return names


def exported() -> set[str]:
    """Every series name the code can export: each module that defines metrics is imported
    (they register on plumbing.metrics.REGISTRY), then each family's sample names."""
    for path in [*ROOT.glob("plumbing/**/*.py"), *ROOT.glob("services/**/*.py"),
                 *ROOT.glob("gateway/**/*.py")]:  # fmt: skip
        if "prometheus_client" in path.read_text(encoding="utf-8"):
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            importlib.import_module(module)
    suffixes = {
        "counter": ("_total", "_created"),
        "histogram": ("_bucket", "_sum", "_count", "_created"),
        "gauge": ("",),
        "summary": ("", "_sum", "_count", "_created"),
    }
    families: list[Metric] = list(REGISTRY.collect())
    return {f.name + s for f in families for s in suffixes.get(f.type, ("",))}


def test_the_helpers_read_promql_as_prometheus_does() -> None:
    assert metric_names(
        'sum by (job, le) (rate(http_request_duration_seconds_bucket{route!~"/x"}[5m]))'
    ) == {"http_request_duration_seconds_bucket"}
    assert metric_names(
        "(time() - max(projection_last_applied_timestamp_seconds)) > 300 and on() "
        '(sum(consumer_lag_messages{group="projections"}) > 0)'
    ) == {"projection_last_applied_timestamp_seconds", "consumer_lag_messages"}
    assert "http_requests_total" in exported()
    assert "relay_lag_events" in exported()


def test_every_component_is_scraped_on_its_metrics_port() -> None:
    (monitor,) = of_kind(PRODUCTION, "ServiceMonitor")
    (endpoint,) = monitor["spec"]["endpoints"]
    assert endpoint["path"] == "/metrics"
    workloads = {d["metadata"]["name"]: d for d in of_kind(PRODUCTION, "Deployment")}
    services = {s["metadata"]["name"]: s for s in of_kind(PRODUCTION, "Service")}
    for name in COMPONENTS:
        service = services[name]
        labels = service["metadata"]["labels"]
        assert selects(monitor["spec"]["selector"], labels), name
        (port,) = [p for p in service["spec"]["ports"] if p["name"] == endpoint["port"]]
        pod = workloads[name]["spec"]["template"]
        # The Service sends its metrics port to this component's pods...
        assert selects({"matchLabels": service["spec"]["selector"]}, pod["metadata"]["labels"])
        (app,) = [c for c in pod["spec"]["containers"] if c["name"] == "app"]
        ports = {p["name"]: p["containerPort"] for p in app["ports"]}
        env = {e["name"]: e.get("value") for e in app["env"]}
        # ...on the port the process serves /metrics on.
        assert str(ports[port["targetPort"]]) == env["METRICS_PORT"], name
        # The job label is the component's name, which the alerts and the dashboard group by.
        assert labels[monitor["spec"]["jobLabel"]] == name


def test_only_overlays_with_the_operator_carry_its_resources() -> None:
    dev = validate.OVERLAYS_DIR / "dev"
    assert of_kind(PRODUCTION, "PrometheusRule")
    assert not [m for m in manifests(dev) if m["apiVersion"].startswith("monitoring.coreos.com")]


def test_alerts_and_panels_name_only_metrics_that_exist() -> None:
    known = exported() | set(EXTERNAL)
    used: dict[str, set[str]] = {}
    for rule in rules():
        used[f"alert {rule['alert']}"] = metric_names(rule["expr"])
    for panel in dashboard()["panels"]:
        for target in panel["targets"]:
            used[f"panel {panel['title']}"] = metric_names(target["expr"])
    missing = {where: names - known for where, names in used.items() if names - known}
    assert not missing, f"not exported by the code: {missing}"
    assert all(names for names in used.values()), "an expression reads no metric"


def test_every_alert_has_a_runbook_section_and_a_severity() -> None:
    text = RUNBOOK.read_text(encoding="utf-8")
    anchors = {
        re.sub(r"[^a-z0-9-]", "", h.strip().lower().replace(" ", "-"))
        for h in re.findall(r"^#+ (.+)$", text, flags=re.MULTILINE)
    }
    for rule in rules():
        assert rule["labels"]["severity"] in ("warning", "critical"), rule["alert"]
        url = rule["annotations"]["runbook_url"]
        path, _, anchor = url.partition("#")
        assert (ROOT / path) == RUNBOOK, url
        assert anchor == rule["alert"].lower(), url
        assert anchor in anchors, f"no section '{rule['alert']}' in {RUNBOOK}"


def promtool() -> str:
    beside = ROOT / ".venv" / "bin" / "promtool"
    found = str(beside) if beside.exists() else shutil.which("promtool")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("promtool missing: `make promtool` installs it")
        pytest.skip("promtool is not installed (make promtool)")
    return found


def test_the_alerts_fire_on_synthetic_series_as_they_should(tmp_path: Path) -> None:
    """alerts.test.yaml drives each alert through promtool with series that should and
    should not make it fire; the rules file is the rendered PrometheusRule's spec."""
    rule = named(PRODUCTION, "PrometheusRule", "oms")
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump(rule["spec"]), encoding="utf-8")
    shutil.copy(MONITORING / "alerts.test.yaml", tmp_path / "alerts.test.yaml")
    tool = promtool()
    for args in (["check", "rules", "rules.yaml"], ["test", "rules", "alerts.test.yaml"]):
        done = subprocess.run(
            [tool, *args], cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr
    tested = set(re.findall(r"alertname: (\w+)", (tmp_path / "alerts.test.yaml").read_text()))
    assert tested == {r["alert"] for r in rules()}, "every alert has a promtool case"


def test_custom_resources_validate_against_the_operators_published_schemas() -> None:
    rendered = validate.render(PRODUCTION)
    custom = [m for m in manifests(PRODUCTION) if "/" in m["apiVersion"] and
              m["apiVersion"].startswith(validate.CUSTOM_GROUPS)]  # fmt: skip
    assert {m["kind"] for m in custom} >= {"ServiceMonitor", "PrometheusRule"}
    assert validate.validate_custom(rendered, "production") == len(custom)
    broken = rendered.replace("jobLabel: app.kubernetes.io/name", "jobLabel: 7")
    with pytest.raises(validate.ManifestError, match="jobLabel"):
        validate.validate_custom(broken, "broken")


def test_the_dead_letter_job_validates_and_reads_a_consumers_own_database() -> None:
    """deploy/k8s/jobs/dead-letters.yaml, created by hand (OmsDeadLetters' runbook): it runs
    the tool as a component would, with that service's own login."""
    path = ROOT / "deploy" / "k8s" / "jobs" / "dead-letters.yaml"
    text = path.read_text(encoding="utf-8")
    validate.validate(text, label=str(path))
    (job,) = [d for d in yaml.safe_load_all(text) if d]
    (tool,) = job["spec"]["template"]["spec"]["containers"]
    assert tool["command"] == ["python", "-m", "plumbing.dead_letters"]
    schema = tool["args"][tool["args"].index("--schema") + 1]
    (url,) = tool["env"]
    assert url["valueFrom"]["secretKeyRef"]["key"] == f"{schema.upper()}_DATABASE_URL"
    scheduling = named(PRODUCTION, "Deployment", schema)
    keys = [
        e["valueFrom"]["secretKeyRef"]["key"]
        for e in scheduling["spec"]["template"]["spec"]["containers"][0]["env"]
        if e["name"] == "DATABASE_URL"
    ]
    assert keys == [url["valueFrom"]["secretKeyRef"]["key"]]
    assert job["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] is True
