"""`make run`: the whole system on one machine, supervised, stopped cleanly by Ctrl-C.

Also the class the end-to-end tests start once per session (in a temp data folder) and poke
with kill()/restart_component() to prove recovery.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import FrameType, TracebackType
from typing import TypeVar

from deploy.local.broker import LocalBroker, S3Storage
from deploy.local.db_logins import Logins, provision_local
from deploy.local.layout import REPO_ROOT, Secrets, data_root, load_secrets
from deploy.local.mail import LocalMail
from deploy.local.object_store import LocalObjectStore
from deploy.local.ports import PortInUseError, free_port, require_free_port
from deploy.local.postgres import LocalPostgres, pg_data_dir
from deploy.local.process import ComponentFailedError
from deploy.local.seed import seed_demo
from deploy.local.service_process import GATEWAY, SERVICES, ServiceProcess, ServiceSpec
from deploy.local.supervisor import Component, Supervisor

log = logging.getLogger("deploy.local")

_C = TypeVar("_C", bound=Component)

DEMO_USERS = ("manager", "measurer", "installer", "delivery", "production", "director", "admin")


class Stack:
    def __init__(
        self,
        data_dir: Path,
        *,
        gateway_port: int | None = 8000,  # None: any free port (tests)
        environ: Mapping[str, str] | None = None,  # DATABASE_URL etc. reuse running servers
        services: Sequence[ServiceSpec] = SERVICES,
        gateway: ServiceSpec = GATEWAY,
        seed: bool = True,
        durable_broker: bool = True,  # False: memory only (faster; forgets on every restart)
        gateway_environ: Mapping[str, str] | None = None,  # more gateway settings (tests)
        # The object store's address as browsers reach it, when not the store's own (a proxy
        # in tests, tests/netproxy.py): presigned URLs are signed for it.
        s3_public_endpoint: str | None = None,
    ) -> None:
        self.data_dir = data_dir
        self._durable_broker = durable_broker
        self.log_dir = data_dir / "logs"
        # Every e-mail the system sends, as .eml files (deploy/local/mail.py).
        self.mail_dir = data_dir / "mail"
        self._gateway_port = gateway_port
        self._environ = dict(os.environ if environ is None else environ)
        self._services = tuple(services)
        self._gateway = gateway
        self._seed = seed
        self._gateway_environ = dict(gateway_environ or {})
        self._s3_public_endpoint = s3_public_endpoint
        self._supervisor = Supervisor()
        self.urls: dict[str, str] = {}  # database (the admin's), kafka, s3, each service, gateway
        # Each service's own database login; None when the admin may not create roles.
        self.logins: Logins | None = None

    def start(self) -> None:
        """Start everything in dependency order; each step only once the previous is ready."""
        gateway_port = self._gateway_port
        if gateway_port is None:
            gateway_port = free_port()
        require_free_port(gateway_port, "GATEWAY_PORT")  # fail before starting anything
        self.log_dir.mkdir(parents=True, exist_ok=True)
        keys = load_secrets(self.data_dir)
        env = self._environ
        s3_access = env.get("S3_ACCESS_KEY", keys.s3_access_key)
        s3_secret = env.get("S3_SECRET_KEY", keys.s3_secret_key)
        if not env.get("S3_ENDPOINT"):  # our own store: always our own keys
            s3_access, s3_secret = keys.s3_access_key, keys.s3_secret_key

        self.urls["database"] = env.get("DATABASE_URL") or self._start_postgres(keys)
        self.logins = self._provision_logins(keys)
        # The object store first: the broker keeps its log in it.
        store = None
        if env.get("S3_ENDPOINT"):
            self.urls["s3"] = env["S3_ENDPOINT"]
        else:
            store = self._start_object_store(s3_access, s3_secret)
            self.urls["s3"] = store.endpoint
        self.urls["kafka"] = env.get("KAFKA_BOOTSTRAP") or self._start_broker(store)
        mail = self._start(LocalMail(self.mail_dir, free_port(), log_dir=self.log_dir))
        self.urls["smtp"] = f"smtp://127.0.0.1:{mail.port}"

        service_env = {
            "DATABASE_URL": self.urls["database"],  # replaced by each service's own login
            "KAFKA_BOOTSTRAP": self.urls["kafka"],
            "S3_ENDPOINT": self.urls["s3"],
            "S3_ACCESS_KEY": s3_access,
            "S3_SECRET_KEY": s3_secret,
            "INTERNAL_SIGNING_KEY": keys.internal_signing_key,
            "LOG_LEVEL": "INFO",
            "PYTHONPATH": str(REPO_ROOT),
        }
        for spec in self._services:
            env_of = {**service_env, **self._login_env(spec.name)}
            if spec.name == "projections" and self.logins is not None:
                env_of["ANALYST_ROLE"] = self.logins.analyst_role
            if spec.name == "media" and self._s3_public_endpoint:
                env_of["S3_PUBLIC_ENDPOINT"] = self._s3_public_endpoint
            if spec.name == "notifications":
                # The local mail server: plain SMTP on localhost, no login (production
                # settings: SMTP_STARTTLS and a login, README).
                env_of["SMTP_HOST"] = "127.0.0.1"
                env_of["SMTP_PORT"] = str(mail.port)
                env_of["SMTP_STARTTLS"] = "false"
                env_of["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{gateway_port}"
            self.urls[spec.name] = self._start_service(spec, free_port(), env_of)
        # Only the gateway holds the users' signing key: a service cannot mint a login.
        gateway_env = {
            **service_env,
            **self._login_env(self._gateway.name),
            "JWT_SECRET": keys.jwt_secret,
            "SEED_DEMO": "true",
            **self._gateway_environ,
        }
        for spec in self._services:
            if spec.url_env:
                gateway_env[spec.url_env] = self.urls[spec.name]
        self.urls["gateway"] = self._start_service(self._gateway, gateway_port, gateway_env)

        if self._seed:
            seed_demo(self.urls["gateway"])

    def stop(self) -> None:
        """Services in reverse order, then broker, object store, PostgreSQL."""
        self._supervisor.stop_all()

    def component(self, name: str) -> Component:
        return self._supervisor.get(name)

    def restart_component(self, name: str) -> None:
        self._supervisor.restart(name)

    def kill(self, name: str) -> None:
        """SIGKILL a component like a crash; the supervisor restarts it on the same port."""
        self._supervisor.kill(name)

    def __enter__(self) -> Stack:
        self.start()
        return self

    def __exit__(
        self, exc: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _start(self, component: _C) -> _C:
        log.info("starting %s", component.name)
        self._supervisor.start(component)
        log.info("%s is ready", component.name)
        return component

    def _start_postgres(self, keys: Secrets) -> str:
        pg_dir = pg_data_dir(self.data_dir)
        if not pg_dir.is_relative_to(self.data_dir):
            log.info("running as root: keeping PostgreSQL data in %s (nobody can reach it)", pg_dir)
        pg = LocalPostgres(
            pg_dir, free_port(), log_dir=self.log_dir, password=keys.postgres_password
        )
        self._start(pg)
        # The port changes at every start; the passwords do not (README, Database logins).
        log.info(
            "PostgreSQL: postgresql://<login>:<password>@127.0.0.1:%d/postgres, logins "
            "oms_<service> and oms_analyst, passwords in %s",
            pg.port,
            self.data_dir / "secrets.json",
        )
        return pg.url

    def _provision_logins(self, keys: Secrets) -> Logins | None:
        """A login per service (deploy/database), made with the admin's URL before any
        service starts. An admin that may not create roles (a DATABASE_URL given from
        outside) leaves every service on that one URL, as before the logins existed."""
        logins = provision_local(self.urls["database"], keys)
        if logins is None:
            log.warning(
                "DATABASE_URL's user may not create roles: every service logs in as it, "
                "with no per-service logins (see README, Database logins)"
            )
        return logins

    def _login_env(self, service: str) -> dict[str, str]:
        return self.logins.env(service) if self.logins is not None else {}

    def _start_broker(self, store: LocalObjectStore | None) -> str:
        storage = None
        if store is not None and self._durable_broker:
            # Its own bucket, in the data folder, so a restart is not a replay: with memory
            # storage every start made each relay republish its whole log and each consumer
            # read it again (with a few thousand orders, bookings answered 404 for 14 s).
            storage = S3Storage(
                store.endpoint, store.access_key, store.secret_key, store.data_dir / "kafka"
            )
        else:
            # S3_ENDPOINT names a store we did not start: we cannot know who else writes there,
            # and keeping the broker's data safe on rclone needs the folder it serves (see
            # deploy/local/s3_guard.py). Memory it is: relays and consumers recover from its
            # loss at every start, only more slowly.
            log.info("S3_ENDPOINT is set: the broker keeps memory only, and forgets on restart")
        return self._start(
            LocalBroker(free_port(), log_dir=self.log_dir, storage=storage)
        ).bootstrap

    def _start_object_store(self, access_key: str, secret_key: str) -> LocalObjectStore:
        # "*" is safe here: a presigned URL carries its own signature, browsers send no
        # credentials with it, and the web app may be opened as 127.0.0.1 or localhost.
        store = LocalObjectStore(
            self.data_dir / "s3",
            free_port(),
            access_key,
            secret_key,
            log_dir=self.log_dir,
            allow_origin="*",
        )
        return self._start(store)

    def _start_service(self, spec: ServiceSpec, port: int, env: Mapping[str, str]) -> str:
        return self._start(ServiceProcess(spec, port, env, self.log_dir)).url


def _print_banner(stack: Stack) -> None:
    print(f"\nOMS is running: {stack.urls['gateway']}")
    print(f"  demo users: {', '.join(DEMO_USERS)} (password: demo)")
    print(f"  logs: {stack.log_dir}/<process>.log")
    print("  Ctrl-C stops everything\n", flush=True)


def _seed_or_warn(gateway_url: str) -> None:
    """A seeding failure should not take the running system down with it: the developer
    needs it up to see why (the service logs say more)."""
    try:
        seed_demo(gateway_url)
    except Exception:
        log.exception("demo data could not be seeded; the system runs without it")


def _as_interrupt(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # SIGTERM takes the same clean path as Ctrl-C


def main() -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s stack %(levelname)s %(message)s", datefmt="%X"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)  # the seed's requests are noise here
    port_text = os.environ.get("GATEWAY_PORT", "8000")
    if not port_text.isdigit():
        log.error("GATEWAY_PORT must be a port number, got %r", port_text)
        return 2
    stack = Stack(data_root(), gateway_port=int(port_text), seed=False)
    # Installed explicitly: a shell starting us in the background leaves SIGINT ignored.
    signal.signal(signal.SIGINT, _as_interrupt)
    signal.signal(signal.SIGTERM, _as_interrupt)
    code = 0
    try:
        stack.start()
        _seed_or_warn(stack.urls["gateway"])
        _print_banner(stack)
        while True:
            time.sleep(3600)  # the supervisor's threads do the work; we wait for a signal
    except KeyboardInterrupt:
        log.info("stopping")
    except (ComponentFailedError, PortInUseError) as exc:
        log.error("%s", exc)  # noqa: TRY400 - the message is the useful part, not our stack
        code = 1
    finally:
        # A second Ctrl-C must not abort the orderly shutdown halfway.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stack.stop()
        log.info("stopped; nothing left running")
    return code


if __name__ == "__main__":
    sys.exit(main())
