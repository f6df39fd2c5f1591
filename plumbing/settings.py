"""Typed configuration from the environment (pydantic-settings)."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """What every service reads. Services subclass it to add their own fields."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore")

    service_name: str = "service"
    host: str = "127.0.0.1"
    port: int = 8080
    log_level: str = "INFO"

    database_url: str = "postgresql://postgres@127.0.0.1:5432/postgres"
    # Each service owns one schema on the server; none reads another's tables.
    db_schema: str = ""
    db_pool_max: int = 10

    kafka_bootstrap: str = "127.0.0.1:9092"
    kafka_partitions: int = 3
    # Locally the broker cannot do idempotent producers (InitProducerId fails); production can.
    kafka_enable_idempotence: bool = False
    # Group joins take about half the session timeout: keep it short locally.
    kafka_session_timeout_ms: int = 6000
    # How long a fetch may wait for records. The local broker (its log in S3) lists a
    # partition's objects on every fetch and then reads batches only until this wait is up:
    # at 100 ms a partition of 4,000 batches gave one record a fetch (plumbing/kafka.py).
    kafka_fetch_max_wait_ms: int = 500
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
