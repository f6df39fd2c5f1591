"""PostgreSQL and Kafka as their operators run them (deploy/k8s/components/operators), held to
the code: every topic the services use exists as a KafkaTopic with the replication the overlay
promises, every component signs in as its own KafkaUser whose ACLs let it produce only to its
own topic and read only what its consumer reads, and PostgreSQL is backed up.
The resources' schemas are the operators' own (tests/unit/test_monitoring.py runs that check
for every overlay through deploy/k8s/validate.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from contracts.topics import ALL_TOPICS, IDENTITY, MEDIA, ORDERS, SCHEDULING
from deploy.k8s import validate
from services.notifications.bootstrap import TOPICS as NOTIFICATIONS_READS
from services.orders.bootstrap import CONSUMED as ORDERS_READS
from services.projections.bootstrap import TOPICS as PROJECTIONS_READS
from tests.unit.test_k8s_manifests import containers, effective_env, named, of_kind

PRODUCTION = validate.OVERLAYS_DIR / "production"
SMALL = validate.OVERLAYS_DIR / "small"
DEV = validate.OVERLAYS_DIR / "dev"

# What each component publishes (its relay's topic, and the relay's marker: relay.<log>) and
# what its consumer reads, from the code.
PUBLISHES = {
    "orders": (ORDERS, "relay.orders.events"),
    "scheduling": (SCHEDULING, "relay.scheduling.outbox"),
    "media": (MEDIA, "relay.media.outbox"),
    "gateway": (IDENTITY, "relay.gateway.outbox"),
}
READS = {
    "orders": set(ORDERS_READS),
    "scheduling": {IDENTITY, ORDERS, MEDIA},  # services/scheduling/bootstrap.py's Consumer
    "notifications": set(NOTIFICATIONS_READS),
    "projections": set(PROJECTIONS_READS),
}
COMPONENTS = ("orders", "scheduling", "media", "notifications", "projections", "gateway")


def acls(overlay: Path, component: str) -> list[dict[str, Any]]:
    user = named(overlay, "KafkaUser", f"oms-{component}")
    assert user["spec"]["authentication"]["type"] == "scram-sha-512"
    found: list[dict[str, Any]] = user["spec"]["authorization"]["acls"]
    return found


def allowed(overlay: Path, component: str, operation: str, kind: str = "topic") -> set[str]:
    return {
        a["resource"]["name"]
        for a in acls(overlay, component)
        if a["resource"]["type"] == kind
        and operation in a["operations"]
        and a["resource"].get("patternType", "literal") == "literal"
    }


@pytest.mark.parametrize(("overlay", "copies", "in_sync"), [(PRODUCTION, 3, 2), (SMALL, 1, 1)])
def test_every_topic_the_code_uses_is_a_kafka_topic_with_its_replication(
    overlay: Path, copies: int, in_sync: int
) -> None:
    topics = {t["spec"]["topicName"]: t for t in of_kind(overlay, "KafkaTopic")}
    markers = {marker for _, marker in PUBLISHES.values()}
    assert set(topics) == set(ALL_TOPICS) | markers
    for name, topic in topics.items():
        assert topic["metadata"]["labels"]["strimzi.io/cluster"] == "oms-kafka"
        assert topic["spec"]["replicas"] == copies, name
        assert topic["spec"]["config"]["min.insync.replicas"] == in_sync, name
        assert topic["spec"]["partitions"] == (1 if name in markers else 3), name
    (pool,) = of_kind(overlay, "KafkaNodePool")
    assert pool["spec"]["replicas"] == copies
    assert set(pool["spec"]["roles"]) == {"controller", "broker"}  # KRaft, no ZooKeeper
    kafka = named(overlay, "Kafka", "oms-kafka")
    config = kafka["spec"]["kafka"]["config"]
    assert config["auto.create.topics.enable"] is False
    assert config["min.insync.replicas"] == in_sync
    assert config["default.replication.factor"] == copies


def test_the_cluster_takes_only_tls_and_known_users() -> None:
    kafka = named(PRODUCTION, "Kafka", "oms-kafka")
    (listener,) = kafka["spec"]["kafka"]["listeners"]
    assert listener["tls"] is True
    assert listener["authentication"]["type"] == "scram-sha-512"
    assert kafka["spec"]["kafka"]["authorization"]["type"] == "simple"
    assert kafka["metadata"]["annotations"]["strimzi.io/kraft"] == "enabled"


@pytest.mark.parametrize("overlay", [PRODUCTION, SMALL])
def test_each_component_produces_only_to_its_own_topic_and_reads_only_what_it_consumes(
    overlay: Path,
) -> None:
    assert {u["metadata"]["name"] for u in of_kind(overlay, "KafkaUser")} == {
        f"oms-{c}" for c in COMPONENTS
    }
    for component in COMPONENTS:
        assert allowed(overlay, component, "Write") == set(PUBLISHES.get(component, ())), component
        assert allowed(overlay, component, "Read") == READS.get(component, set()), component
        groups = allowed(overlay, component, "Read", kind="group")
        assert groups == ({component} if component in READS else set()), component
        for acl in acls(overlay, component):
            assert acl["resource"].get("patternType", "literal") == "literal"
            assert not {"All", "Alter", "Create", "Delete"} & set(acl["operations"]), component


@pytest.mark.parametrize("overlay", [PRODUCTION, SMALL])
def test_each_component_signs_in_as_its_user_over_tls_and_creates_no_topic(
    overlay: Path,
) -> None:
    for deployment in of_kind(overlay, "Deployment"):
        name = deployment["metadata"]["name"]
        (app,) = [c for c in containers(deployment) if c["name"] == "app"]
        env = effective_env(overlay, app)
        assert env["KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
        assert env["KAFKA_SASL_USERNAME"] == f"oms-{name}"
        assert env["KAFKA_CREATE_TOPICS"] == "false"
        assert env["KAFKA_BOOTSTRAP"] == "oms-kafka-kafka-bootstrap:9093"
        mounts = {m["mountPath"] for m in app["volumeMounts"]}
        assert str(Path(env["KAFKA_SSL_CAFILE"] or "-").parent) in mounts
        volumes = {v["name"]: v for v in deployment["spec"]["template"]["spec"]["volumes"]}
        assert volumes["kafka-ca"]["secret"]["secretName"] == "oms-kafka-cluster-ca-cert"


def test_dev_keeps_its_own_plain_broker_and_creates_its_topics() -> None:
    assert not of_kind(DEV, "Kafka")
    for deployment in of_kind(DEV, "Deployment"):
        (app,) = [c for c in containers(deployment) if c["name"] == "app"]
        env = effective_env(DEV, app)
        assert env.get("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT") == "PLAINTEXT"
        assert env.get("KAFKA_CREATE_TOPICS", "true") == "true"


@pytest.mark.parametrize(("overlay", "instances"), [(PRODUCTION, 3), (SMALL, 1)])
def test_postgres_is_operated_and_backed_up_every_night(overlay: Path, instances: int) -> None:
    cluster = named(overlay, "Cluster", "oms-postgres")
    assert cluster["spec"]["instances"] == instances
    backup = cluster["spec"]["backup"]
    assert backup["barmanObjectStore"]["destinationPath"].startswith("s3://")
    assert backup["retentionPolicy"] == "30d"
    assert backup["barmanObjectStore"]["wal"]  # WAL archived: point-in-time recovery
    (nightly,) = of_kind(overlay, "ScheduledBackup")
    assert nightly["spec"]["cluster"]["name"] == "oms-postgres"
    fields = nightly["spec"]["schedule"].split()
    assert len(fields) == 6, "CloudNativePG's cron: seconds first"
    assert fields[3:] == ["*", "*", "*"], "once a day"
    # The instances take connections from the components (the namespace denies by default).
    policy = named(overlay, "NetworkPolicy", "postgres-from-oms")
    assert policy["spec"]["podSelector"]["matchLabels"] == {"cnpg.io/cluster": "oms-postgres"}


@pytest.mark.parametrize("overlay", [PRODUCTION, SMALL])
def test_the_gateway_believes_the_ingress_about_client_addresses(overlay: Path) -> None:
    """Without it every client behind the ingress is one address to the sign-in throttle."""
    (gateway,) = [d for d in of_kind(overlay, "Deployment") if d["metadata"]["name"] == "gateway"]
    env = effective_env(overlay, containers(gateway)[0])
    assert env["TRUSTED_PROXIES"]
    from gateway.domain.client_address import parse_networks  # noqa: PLC0415

    assert parse_networks(env["TRUSTED_PROXIES"] or "")
