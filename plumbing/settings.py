"""Typed configuration from the environment (pydantic-settings)."""

from __future__ import annotations

from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """What every service reads. Services subclass it to add their own fields."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore")

    service_name: str = "service"
    host: str = "127.0.0.1"
    port: int = 8080
    # 0: /metrics only on the API's port; else also alone on this one (plumbing/serve.py).
    metrics_port: int = 0
    # HTTPS on this port, when both are set: `make run HTTPS=1` (deploy/local/tls.py) gives
    # them to the gateway, so that a phone on the network gets a secure context.
    tls_cert_file: str = ""
    tls_key_file: str = ""
    log_level: str = "INFO"
    # "uvloop" (libuv's event loop: less CPU per request and per frame) or "asyncio", to rule
    # the loop out when chasing a problem.
    event_loop: Literal["uvloop", "asyncio"] = "uvloop"

    # Signs (gateway) and verifies (services) the caller of each call: plumbing/actor.py.
    # Required: a process with an empty or short key refuses to start.
    internal_signing_key: str = ""

    database_url: str = "postgresql://postgres@127.0.0.1:5432/postgres"
    # Each service owns one schema on the server; none reads another's tables.
    db_schema: str = ""
    db_pool_max: int = 10
    # Apply this service's schema steps at start (local, dev, tests). In Kubernetes the
    # migrations Job applies them before the rollout (deploy/migrate.py) and pods only check
    # that the schema is at their release's step, waiting for the Job if it is not.
    migrate_on_start: bool = True
    # Database roles that may read this service's published log (its outbox, or orders' event
    # store) and nothing else of its schema, comma-separated: projections' login, whose rebuild
    # replays the logs. Granted at every start, after the migrations (deploy/database).
    db_log_readers: str = ""

    kafka_bootstrap: str = "127.0.0.1:9092"
    # How to reach a real cluster (plumbing/kafka.py): TLS with the cluster's CA (SSL), and
    # SASL/SCRAM (SASL_SSL) with this service's own user, which the cluster's ACLs let produce
    # only to this service's topic (Strimzi's KafkaUser, deploy/k8s/components/operators).
    kafka_security_protocol: str = "PLAINTEXT"  # PLAINTEXT | SSL | SASL_PLAINTEXT | SASL_SSL
    kafka_ssl_cafile: str = ""  # empty: the system's roots
    kafka_ssl_certfile: str = ""  # a client certificate (mutual TLS), with its key
    kafka_ssl_keyfile: str = ""
    kafka_sasl_mechanism: str = "SCRAM-SHA-512"
    kafka_sasl_username: str = ""
    kafka_sasl_password: str = ""
    # Topics are made by the app in dev (the local broker, the dev overlay); in production
    # they are KafkaTopics (replication 3, min.insync.replicas 2), and the app only checks that
    # they exist, waiting and saying which is missing.
    kafka_create_topics: bool = True
    kafka_replication_factor: int = 1
    kafka_partitions: int = 3
    # Locally the broker cannot do idempotent producers (InitProducerId fails); production can.
    kafka_enable_idempotence: bool = False
    # Group joins take about half the session timeout: keep it short locally.
    kafka_session_timeout_ms: int = 6000
    # How long a fetch may wait for records: most of the read side's lag (make bench), since
    # the local broker answers a fetch only when the wait is up. It also reads batches only
    # until then, which starved consumers while rclone listed every object of a partition on
    # each fetch; the guard's listing index (deploy/local/s3_listing.py) fixed that, and 100 ms
    # now reads 4,000 one-record batches back in 15 s (500 ms: 7 s, with five times the lag).
    kafka_fetch_max_wait_ms: int = 100
    relay_poll_interval_s: float = 1.0
    relay_loss_check_interval_s: float = 3.0
    consumer_watchdog_interval_s: float = 5.0
    # What one HTTP request may take (plumbing/http_guard.py says why each exists).
    http_max_head_bytes: int = 16 * 1024
    http_max_body_bytes: int = 1024 * 1024
    http_head_timeout_s: float = 5.0
    http_body_idle_timeout_s: float = 5.0
    http_body_timeout_s: float = 30.0

    @property
    def schema_name(self) -> str:
        return self.db_schema or self.service_name

    @property
    def log_readers(self) -> list[str]:
        return [name.strip() for name in self.db_log_readers.split(",") if name.strip()]
