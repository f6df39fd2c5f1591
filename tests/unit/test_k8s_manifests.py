"""The Kubernetes manifests: every overlay renders, validates strictly, and keeps its promises.

Offline: `kubectl kustomize` and `kubernetes-validate` come from the dev requirements; no
cluster is involved.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest

from deploy.k8s import validate

# PyYAML arrives with kubernetes-validate; it has no type stubs here, so it is imported as Any.
yaml = pytest.importorskip("yaml", reason="PyYAML is installed with kubernetes-validate")

Manifest = dict[str, Any]

OVERLAYS = validate.overlays()
GATEWAY = "gateway"
MONITORING_NAMESPACE = {"kubernetes.io/metadata.name": "monitoring"}
INGRESS_NAMESPACE = {"kubernetes.io/metadata.name": "ingress-nginx"}


@cache
def rendered(overlay: Path) -> str:
    return validate.render(overlay)


@cache
def manifests(overlay: Path) -> tuple[Manifest, ...]:
    return tuple(doc for doc in yaml.safe_load_all(rendered(overlay)) if doc)


def of_kind(overlay: Path, kind: str) -> list[Manifest]:
    return [m for m in manifests(overlay) if m["kind"] == kind]


def named(overlay: Path, kind: str, name: str) -> Manifest:
    (found,) = [m for m in of_kind(overlay, kind) if m["metadata"]["name"] == name]
    return found


def pod_labels(workload: Manifest) -> dict[str, str]:
    labels: dict[str, str] = workload["spec"]["template"]["metadata"]["labels"]
    return labels


def selects(selector: Manifest, labels: dict[str, str]) -> bool:
    """Kubernetes label-selector semantics (an empty selector selects everything)."""
    if any(labels.get(k) != v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expr in selector.get("matchExpressions", []):
        key, op, values = expr["key"], expr["operator"], expr.get("values", [])
        ok = {
            "In": key in labels and labels[key] in values,
            "NotIn": labels.get(key) not in values,
            "Exists": key in labels,
            "DoesNotExist": key not in labels,
        }[op]
        if not ok:
            return False
    return True


def app_deployments(overlay: Path) -> list[Manifest]:
    return of_kind(overlay, "Deployment")


def config_values(overlay: Path, name: str) -> dict[str, str]:
    data: dict[str, str] = named(overlay, "ConfigMap", name).get("data", {})
    return data


def effective_env(overlay: Path, container: Manifest) -> dict[str, str | None]:
    """What the container's environment will hold: envFrom ConfigMaps, overridden by env.

    A value from a Secret is None (unknown here); a value from a ConfigMap key is resolved.
    """
    env: dict[str, str | None] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            env.update(config_values(overlay, source["configMapRef"]["name"]))
    for var in container.get("env", []):
        if "value" in var:
            env[var["name"]] = var["value"]
        elif "configMapKeyRef" in var.get("valueFrom", {}):
            ref = var["valueFrom"]["configMapKeyRef"]
            env[var["name"]] = config_values(overlay, ref["name"]).get(ref["key"])
        else:
            env[var["name"]] = None
    return env


def containers(workload: Manifest) -> list[Manifest]:
    found: list[Manifest] = workload["spec"]["template"]["spec"]["containers"]
    return found


overlay_params = pytest.mark.parametrize("overlay", OVERLAYS, ids=[p.name for p in OVERLAYS])


def test_there_are_dev_and_production_overlays() -> None:
    assert {"dev", "production"} <= {p.name for p in OVERLAYS}


@overlay_params
def test_overlay_renders_and_validates_strictly(overlay: Path) -> None:
    validate.validate(rendered(overlay), label=str(overlay))


def test_the_validator_rejects_an_unknown_field() -> None:
    bogus = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  bogus: 1\n"
    with pytest.raises(validate.ManifestError, match="bogus"):
        validate.validate(bogus)


@overlay_params
def test_every_component_runs_with_its_own_command(overlay: Path) -> None:
    commands = {
        d["metadata"]["name"]: containers(d)[0]["command"] for d in app_deployments(overlay)
    }
    assert commands == {
        "orders": ["python", "-m", "services.orders"],
        "scheduling": ["python", "-m", "services.scheduling"],
        "media": ["python", "-m", "services.media"],
        "notifications": ["python", "-m", "services.notifications"],
        "projections": ["python", "-m", "services.projections"],
        "gateway": ["python", "-m", "gateway"],
    }


@overlay_params
def test_every_container_has_probes_and_resource_limits(overlay: Path) -> None:
    workloads = of_kind(overlay, "Deployment") + of_kind(overlay, "StatefulSet")
    for workload in workloads:
        for container in containers(workload):
            where = f"{workload['metadata']['name']}/{container['name']}"
            assert "livenessProbe" in container, where
            assert "readinessProbe" in container, where
            limits = container.get("resources", {}).get("limits", {})
            requests = container.get("resources", {}).get("requests", {})
            assert {"cpu", "memory"} <= limits.keys(), where
            assert {"cpu", "memory"} <= requests.keys(), where


@overlay_params
def test_components_probe_healthz_and_readyz_on_8080(overlay: Path) -> None:
    for deployment in app_deployments(overlay):
        (app,) = containers(deployment)
        assert app["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert app["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert app["startupProbe"]["httpGet"]["path"] == "/healthz"
        assert app["ports"] == [
            {"name": "http", "containerPort": 8080, "protocol": "TCP"},
            {"name": "metrics", "containerPort": 9090, "protocol": "TCP"},
        ]
        env = effective_env(overlay, app)
        assert env["PORT"] == "8080"
        assert env["METRICS_PORT"] == "9090"
        assert env["HOST"] == "0.0.0.0"
        annotations = deployment["spec"]["template"]["metadata"]["annotations"]
        assert annotations["prometheus.io/scrape"] == "true"
        assert annotations["prometheus.io/port"] == "9090"
        assert annotations["prometheus.io/path"] == "/metrics"


@overlay_params
def test_demo_seeding_is_off_in_every_deployment(overlay: Path) -> None:
    for workload in of_kind(overlay, "Deployment") + of_kind(overlay, "StatefulSet"):
        for container in containers(workload):
            env = effective_env(overlay, container)
            if workload["kind"] == "Deployment":
                # Set explicitly, so no default in the code can turn it on.
                assert env.get("SEED_DEMO") == "false", workload["metadata"]["name"]
            else:
                assert env.get("SEED_DEMO", "false") == "false", workload["metadata"]["name"]
    for config in of_kind(overlay, "ConfigMap"):
        assert config.get("data", {}).get("SEED_DEMO", "false") == "false"


@overlay_params
def test_components_run_as_non_root_on_a_read_only_root(overlay: Path) -> None:
    for deployment in app_deployments(overlay):
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["automountServiceAccountToken"] is False
        assert pod["enableServiceLinks"] is False
        (app,) = containers(deployment)
        assert app["securityContext"]["readOnlyRootFilesystem"] is True
        assert app["securityContext"]["allowPrivilegeEscalation"] is False
        assert app["securityContext"]["capabilities"]["drop"] == ["ALL"]
        mounts = {m["mountPath"] for m in app["volumeMounts"]}
        assert "/tmp" in mounts, f"{deployment['metadata']['name']} needs a writable /tmp"  # noqa: S108
    (account,) = of_kind(overlay, "ServiceAccount")
    assert account["automountServiceAccountToken"] is False


@overlay_params
def test_every_component_has_a_service_and_a_disruption_budget(overlay: Path) -> None:
    for deployment in app_deployments(overlay):
        labels = pod_labels(deployment)
        name = deployment["metadata"]["name"]
        assert any(selects(s["spec"]["selector"], labels) for s in of_kind(overlay, "Service"))
        assert any(
            selects(b["spec"]["selector"], labels) for b in of_kind(overlay, "PodDisruptionBudget")
        ), name


def ingress_rules_for(overlay: Path, labels: dict[str, str]) -> list[Manifest]:
    policies = [
        p
        for p in of_kind(overlay, "NetworkPolicy")
        if "Ingress" in p["spec"].get("policyTypes", [])
        and selects(p["spec"]["podSelector"], labels)
    ]
    assert policies, f"no NetworkPolicy isolates pods labelled {labels}"
    return [rule for p in policies for rule in p["spec"].get("ingress", [])]


@overlay_params
def test_namespace_denies_ingress_by_default(overlay: Path) -> None:
    assert any(
        p["spec"]["podSelector"] == {} and p["spec"]["policyTypes"] == ["Ingress"]
        for p in of_kind(overlay, "NetworkPolicy")
        if not p["spec"].get("ingress")
    )


# The one call a service makes to another, on its API port: the morning summary asks
# scheduling for the crew's load (services/notifications/adapters/crew_load.py).
SERVICE_CALLS = [("scheduling", ["notifications"])]


@overlay_params
def test_services_accept_ingress_only_from_the_gateway_and_monitoring(overlay: Path) -> None:
    gateway_labels = pod_labels(named(overlay, "Deployment", GATEWAY))
    services = [d for d in app_deployments(overlay) if d["metadata"]["name"] != GATEWAY]
    assert len(services) == 5
    for service in services:
        name = service["metadata"]["name"]
        rules = ingress_rules_for(overlay, pod_labels(service))
        assert rules, f"{name} accepts nothing"
        from_gateway = False
        for rule in rules:
            assert rule.get("from"), f"{name}: a rule without 'from' admits everyone"
            assert rule.get("ports"), f"{name}: a rule without 'ports' opens every port"
            for peer in rule["from"]:
                assert "ipBlock" not in peer, name
                if "namespaceSelector" in peer:
                    assert peer["namespaceSelector"] == {"matchLabels": MONITORING_NAMESPACE}
                    # Monitoring scrapes; it never reaches the API, where it could act.
                    assert [p["port"] for p in rule["ports"]] == ["metrics"], name
                    continue
                # Same namespace: the selector must pick the gateway and no other component.
                picked = [
                    d["metadata"]["name"]
                    for d in app_deployments(overlay)
                    if selects(peer["podSelector"], pod_labels(d))
                ]
                if (name, picked) in SERVICE_CALLS:
                    assert [p["port"] for p in rule["ports"]] == ["http"], name
                    continue
                assert picked == [GATEWAY], f"{name} admits {picked}"
                assert selects(peer["podSelector"], gateway_labels)
                from_gateway = True
        assert from_gateway, f"{name} does not admit the gateway"


@overlay_params
def test_gateway_accepts_only_the_ingress_controller_and_monitoring(overlay: Path) -> None:
    rules = ingress_rules_for(overlay, pod_labels(named(overlay, "Deployment", GATEWAY)))
    peers = [peer for rule in rules for peer in rule["from"]]
    assert {"namespaceSelector": {"matchLabels": INGRESS_NAMESPACE}} in peers
    for peer in peers:
        assert peer["namespaceSelector"]["matchLabels"] in (INGRESS_NAMESPACE, MONITORING_NAMESPACE)
    for rule in rules:
        if {"namespaceSelector": {"matchLabels": MONITORING_NAMESPACE}} in rule["from"]:
            assert len(rule["from"]) == 1
            assert [p["port"] for p in rule["ports"]] == ["metrics"]
    (ingress,) = of_kind(overlay, "Ingress")
    backends = {
        path["backend"]["service"]["name"]
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
    }
    assert backends == {GATEWAY}


@overlay_params
def test_secret_references_point_at_oms_secrets(overlay: Path) -> None:
    """...or, for a component's Kafka password, at the Secret the Strimzi User Operator makes
    for that component's own KafkaUser (components/operators)."""
    users = {u["metadata"]["name"] for u in of_kind(overlay, "KafkaUser")}
    for deployment in app_deployments(overlay):
        for var in containers(deployment)[0]["env"]:
            ref = var.get("valueFrom", {}).get("secretKeyRef")
            if ref and var["name"] == "KAFKA_SASL_PASSWORD":
                assert ref["name"] == f"oms-{deployment['metadata']['name']}" in users
            elif ref:
                assert ref["name"].startswith("oms-secrets"), var["name"]
    for config in of_kind(overlay, "ConfigMap"):
        leaked = {"DATABASE_URL", "JWT_SECRET", "S3_ACCESS_KEY", "S3_SECRET_KEY"}
        leaked |= {"INTERNAL_SIGNING_KEY"}
        leaked |= {"ADMIN_DATABASE_URL", "ANALYST_DATABASE_URL"}
        leaked |= {
            f"{d['metadata']['name'].upper()}_DATABASE_URL" for d in app_deployments(overlay)
        }
        assert not leaked & config.get("data", {}).keys(), "secrets belong in the Secret"


@overlay_params
def test_every_component_gets_the_internal_key_and_only_the_gateway_the_users_key(
    overlay: Path,
) -> None:
    for deployment in app_deployments(overlay):
        refs = secret_refs(deployment)
        assert "INTERNAL_SIGNING_KEY" in refs, deployment["metadata"]["name"]
        has_users_key = "JWT_SECRET" in refs
        assert has_users_key == (deployment["metadata"]["name"] == GATEWAY)


def secret_refs(workload: Manifest) -> dict[str, tuple[str, str]]:
    """env name → (Secret, key) for every variable of the workload's containers from a Secret."""
    refs = {}
    for container in containers(workload):
        for var in container.get("env", []):
            ref = var.get("valueFrom", {}).get("secretKeyRef")
            if ref:
                refs[var["name"]] = (ref["name"], ref["key"])
    return refs


@overlay_params
def test_every_service_logs_into_the_database_as_itself(overlay: Path) -> None:
    keys = {}
    for deployment in app_deployments(overlay):
        name = deployment["metadata"]["name"]
        secret, key = secret_refs(deployment)["DATABASE_URL"]
        assert secret.startswith("oms-secrets"), name
        assert key == f"{name.upper()}_DATABASE_URL", name
        keys[name] = key
    assert len(set(keys.values())) == 6
    # Projections' login (the rebuild) may read the published logs: the services grant it.
    env = effective_env(overlay, containers(named(overlay, "Deployment", "orders"))[0])
    assert env["DB_LOG_READERS"] == "oms_projections"


@overlay_params
def test_only_the_logins_job_gets_the_database_admin(overlay: Path) -> None:
    jobs = {j["metadata"]["name"]: j for j in of_kind(overlay, "Job")}
    assert sorted(jobs) == ["db-logins", "first-admin", "migrations"]
    for other in ("first-admin", "migrations"):
        assert not any(s.startswith("oms-db-admin") for s, _ in secret_refs(jobs[other]).values())
    job = jobs["db-logins"]
    (provision,) = containers(job)
    assert provision["command"] == ["python", "-m", "deploy.database"]
    refs = secret_refs(job)
    assert refs["ADMIN_DATABASE_URL"][0].startswith("oms-db-admin")
    for deployment in app_deployments(overlay):
        assert not any(s.startswith("oms-db-admin") for s, _ in secret_refs(deployment).values())
        # The Job is given exactly the URLs the services log in with.
        assert secret_refs(deployment)["DATABASE_URL"] in refs.values()
    assert refs["ANALYST_DATABASE_URL"][1] == "ANALYST_DATABASE_URL"
    # The namespace enforces Pod Security "restricted": the Job's pod must pass it too.
    pod = job["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert pod["automountServiceAccountToken"] is False
    assert provision["securityContext"]["allowPrivilegeEscalation"] is False
    assert provision["securityContext"]["capabilities"]["drop"] == ["ALL"]
    assert {"cpu", "memory"} <= provision["resources"]["limits"].keys()


@overlay_params
def test_the_migrations_job_runs_each_services_steps_with_its_login_before_the_pods(
    overlay: Path,
) -> None:
    """deploy/migrate.py, once per rollout; the pods only check their schema (plumbing/db.py)."""
    (job,) = [j for j in of_kind(overlay, "Job") if j["metadata"]["name"] == "migrations"]
    (migrate,) = containers(job)
    assert migrate["command"] == ["python", "-m", "deploy.migrate"]
    refs = secret_refs(job)
    for deployment in app_deployments(overlay):
        name = deployment["metadata"]["name"]
        assert refs[f"{name.upper()}_DATABASE_URL"] == secret_refs(deployment)["DATABASE_URL"]
        env = effective_env(overlay, containers(deployment)[0])
        assert env["MIGRATE_ON_START"] == "false", name
    assert job["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] is True


@overlay_params
def test_the_first_admin_job_uses_the_gateways_own_login_and_an_optional_secret(
    overlay: Path,
) -> None:
    """Day 0 (gateway/first_admin.py): with the gateway's login, never the admin's; its
    Secret optional, since it is deleted once the admin has signed in."""
    (job,) = [j for j in of_kind(overlay, "Job") if j["metadata"]["name"] == "first-admin"]
    (tool,) = containers(job)
    assert tool["command"] == ["python", "-m", "gateway.first_admin"]
    (gateway,) = [d for d in app_deployments(overlay) if d["metadata"]["name"] == GATEWAY]
    assert secret_refs(job)["DATABASE_URL"] == secret_refs(gateway)["DATABASE_URL"]
    assert not any(s.startswith("oms-db-admin") for s, _ in secret_refs(job).values())
    (source,) = tool["envFrom"]
    assert source["secretRef"]["name"].startswith("oms-first-admin")
    assert source["secretRef"]["optional"] is True
    pod = job["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert tool["securityContext"]["allowPrivilegeEscalation"] is False


def test_dev_generates_every_secret_key_the_pods_read() -> None:
    (overlay,) = [p for p in OVERLAYS if p.name == "dev"]
    secrets = {s["metadata"]["name"]: s["data"].keys() for s in of_kind(overlay, "Secret")}
    workloads = of_kind(overlay, "Deployment") + of_kind(overlay, "StatefulSet")
    workloads += of_kind(overlay, "Job")
    for workload in workloads:
        for container in containers(workload):
            for var in container.get("env", []):
                ref = var.get("valueFrom", {}).get("secretKeyRef")
                # An optional key (a notification channel's) may be absent: the channel is off.
                if ref and not ref.get("optional"):
                    assert ref["key"] in secrets[ref["name"]], (ref, workload["metadata"]["name"])


def test_dev_runs_its_own_postgres_kafka_and_minio() -> None:
    (overlay,) = [p for p in OVERLAYS if p.name == "dev"]
    images = {
        s["metadata"]["name"]: containers(s)[0]["image"] for s in of_kind(overlay, "StatefulSet")
    }
    assert images.keys() == {"postgres", "kafka", "minio"}
    assert images["postgres"] == "postgres:18"
    assert images["kafka"].startswith("apache/kafka:")
    assert all(d["spec"]["replicas"] == 1 for d in app_deployments(overlay))


@pytest.fixture
def production() -> Path:
    (overlay,) = [p for p in OVERLAYS if p.name == "production"]
    return overlay


def test_production_runs_at_least_two_replicas_of_everything(production: Path) -> None:
    autoscaled = {
        h["spec"]["scaleTargetRef"]["name"]: h["spec"]["minReplicas"]
        for h in of_kind(production, "HorizontalPodAutoscaler")
    }
    assert GATEWAY in autoscaled
    for deployment in app_deployments(production):
        name = deployment["metadata"]["name"]
        if name in autoscaled:
            # The autoscaler owns the count; a replicas field would reset it on every apply.
            assert "replicas" not in deployment["spec"], name
            assert autoscaled[name] >= 2, name
        else:
            assert deployment["spec"]["replicas"] >= 2, name
        assert deployment["spec"]["template"]["spec"]["topologySpreadConstraints"], name


def test_production_uses_idempotent_kafka_and_external_endpoints(production: Path) -> None:
    for deployment in app_deployments(production):
        env = effective_env(production, containers(deployment)[0])
        assert env["KAFKA_ENABLE_IDEMPOTENCE"] == "true"
        assert env["KAFKA_BOOTSTRAP"]
        assert env["S3_ENDPOINT"]
    # Its data services are the operators' resources (components/operators), not StatefulSets.
    assert not of_kind(production, "StatefulSet"), "production's dependencies are operated"


def test_production_ships_no_secret_values_and_a_pinned_image(production: Path) -> None:
    assert not of_kind(production, "Secret"), "production secrets come from outside the repo"
    for deployment in app_deployments(production):
        image = containers(deployment)[0]["image"]
        name, _, tag = image.rpartition(":")
        assert "/" in name, f"{image}: not from a registry"
        assert tag, f"{image}: no tag"
        assert tag != "latest", image


def test_production_examples_name_every_secret_key_the_pods_and_the_job_read(
    production: Path,
) -> None:
    def keys_in(example: str) -> set[str]:
        text = (production / example).read_text()
        lines = [line for line in text.splitlines() if line and not line.startswith("#")]
        return {line.split("=", 1)[0] for line in lines}

    examples = {"oms-secrets": keys_in("secrets.env.example")}
    examples["oms-db-admin"] = keys_in("db-admin.env.example")
    # The Kafka users' Secrets are made by the Strimzi User Operator, not by hand.
    made_by_operators = {u["metadata"]["name"] for u in of_kind(production, "KafkaUser")}
    for workload in app_deployments(production) + of_kind(production, "Job"):
        for secret, key in secret_refs(workload).values():
            if secret in made_by_operators:
                continue
            assert key in examples[secret], (workload["metadata"]["name"], secret, key)
