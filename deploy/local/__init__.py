"""The one-machine stack: real PostgreSQL, Kafka-protocol broker and S3 from PyPI wheels.

`python -m deploy.local.stack` runs everything; the classes below are also what the test
suite's session fixtures start.
"""

from deploy.local.broker import LocalBroker
from deploy.local.object_store import LocalObjectStore
from deploy.local.ports import PortInUseError, free_port, require_free_port
from deploy.local.postgres import LocalPostgres, pg_data_dir
from deploy.local.supervisor import ComponentFailedError

__all__ = [
    "ComponentFailedError",
    "LocalBroker",
    "LocalObjectStore",
    "LocalPostgres",
    "PortInUseError",
    "free_port",
    "pg_data_dir",
    "require_free_port",
]
