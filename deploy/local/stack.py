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
from contextlib import AbstractContextManager
from pathlib import Path
from types import FrameType, TracebackType
from typing import TypeVar
from urllib.parse import urlsplit, urlunsplit

from deploy.local.broker import LocalBroker, S3Storage
from deploy.local.db_logins import Logins, provision_local
from deploy.local.faultproxy import Front
from deploy.local.layout import REPO_ROOT, Secrets, data_root, load_secrets
from deploy.local.mail import LocalMail
from deploy.local.object_store import LocalObjectStore
from deploy.local.ports import LOCALHOST, PortInUseError, free_port, require_free_port
from deploy.local.postgres import LocalPostgres, pg_data_dir
from deploy.local.process import ComponentFailedError
from deploy.local.seed import seed_demo
from deploy.local.service_process import GATEWAY, SERVICES, ServiceProcess, ServiceSpec
from deploy.local.supervisor import Component, Supervisor
from deploy.local.tls import TlsFiles, ensure_tls, lan_addresses
from deploy.local.tls_relay import TlsRelay

log = logging.getLogger("deploy.local")

_C = TypeVar("_C", bound=Component)

ANY = "0.0.0.0"  # HTTPS mode serves phones on the network, on purpose
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
        # `make run HTTPS=1`: the gateway on every address over HTTPS with the local CA's
        # certificate (deploy/local/tls.py), the object store's public address too.
        https: bool = False,
        # Proxies the services reach a dependency through ("postgres", "broker",
        # "object-store"), for the fault run to slow or cut (deploy/local/faultproxy.py).
        # The stack points each at its server; its own probes and the admin's URL go direct.
        fronts: Mapping[str, Front] | None = None,
    ) -> None:
        self.data_dir = data_dir
        self._durable_broker = durable_broker
        self.log_dir = data_dir / "logs"
        # Every e-mail the system sends, as .eml files (deploy/local/mail.py).
        self.mail_dir = data_dir / "mail"
        # Every SMS to a customer, as text files (services/notifications/adapters/sms_folder.py).
        self.sms_dir = data_dir / "sms"
        self._gateway_port = gateway_port
        self._environ = dict(os.environ if environ is None else environ)
        self._services = tuple(services)
        self._gateway = gateway
        self._seed = seed
        self._gateway_environ = dict(gateway_environ or {})
        self._s3_public_endpoint = s3_public_endpoint
        self._https = https
        self._fronts = dict(fronts or {})
        self.tls: TlsFiles | None = None
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

        if self._https:
            self.tls = ensure_tls(self.data_dir / "tls")
        self.urls["database"] = env.get("DATABASE_URL") or self._start_postgres(keys)
        database = self._through("postgres", self.urls["database"])
        self.logins = self._provision_logins(database, keys)
        # The object store first: the broker keeps its log in it.
        store = None
        if env.get("S3_ENDPOINT"):
            self.urls["s3"] = env["S3_ENDPOINT"]
        else:
            store = self._start_object_store(s3_access, s3_secret)
            self.urls["s3"] = store.endpoint
        self.urls["kafka"] = env.get("KAFKA_BOOTSTRAP") or self._start_broker(store)
        s3_public = self._s3_public_endpoint
        if self.tls is not None and not s3_public:
            if store is None:
                log.warning("S3_ENDPOINT is set: its own address is what browsers are given")
            else:
                s3_public = self._start_s3_relay(store, self.tls)
        if s3_public:
            self.urls["s3_public"] = s3_public
        mail = self._start(LocalMail(self.mail_dir, free_port(), log_dir=self.log_dir))
        self.urls["smtp"] = f"smtp://127.0.0.1:{mail.port}"

        service_env = {
            "DATABASE_URL": database,  # replaced by each service's own login
            "KAFKA_BOOTSTRAP": self.urls["kafka"],
            "S3_ENDPOINT": self._through("object-store", self.urls["s3"]),
            "S3_ACCESS_KEY": s3_access,
            "S3_SECRET_KEY": s3_secret,
            "INTERNAL_SIGNING_KEY": keys.internal_signing_key,
            "LOG_LEVEL": "INFO",
            "PYTHONPATH": str(REPO_ROOT),
        }
        for spec in self._services:
            env_of = {**service_env, **self._own_env(spec.name, keys, s3_public, gateway_port)}
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
        if self.tls is None:
            self.urls["gateway"] = self._start_service(self._gateway, gateway_port, gateway_env)
        else:
            gateway = ServiceProcess(
                self._gateway, gateway_port, gateway_env, self.log_dir, host=ANY, tls=self.tls
            )
            self.urls["gateway"] = self._start(gateway).url
            self.urls["gateway_public"] = f"https://{_url_host(public_host())}:{gateway_port}"

        if self._seed:
            seed_demo(self.urls["gateway"], ca_file=self.ca_file)

    @property
    def ca_file(self) -> Path | None:
        """The local CA that signed the HTTPS certificate (None without HTTPS)."""
        return self.tls.ca if self.tls is not None else None

    def _own_env(
        self, name: str, keys: Secrets, s3_public: str | None, gateway_port: int
    ) -> dict[str, str]:
        """What one service gets beyond the common settings: its database login, and its own."""
        env_of = dict(self._login_env(name))
        if name == "projections" and self.logins is not None:
            env_of["ANALYST_ROLE"] = self.logins.analyst_role
        if name == "notifications":
            env_of |= _channel_env(self._environ, keys, self._site_url(gateway_port))
            # The local mail server: plain SMTP on localhost, no login (production settings:
            # SMTP_STARTTLS and a login, README).
            env_of["SMTP_HOST"] = "127.0.0.1"
            env_of["SMTP_PORT"] = self.urls["smtp"].rpartition(":")[2]
            env_of["SMTP_STARTTLS"] = "false"
            # The morning summary asks scheduling (started before it) for the crew's load.
            if "scheduling" in self.urls:
                env_of["SCHEDULING_URL"] = self.urls["scheduling"]
            # Customer confirmations on, into a folder instead of an SMS provider: the local
            # system shows what a customer would get (production: CUSTOMER_SMS stays off
            # until the company turns it on with an SMS.ru account, README).
            # A developer's own values (an SMS.ru key to try) win.
            local_sms = {
                "CUSTOMER_SMS": "true",
                "SMS_PROVIDER": "folder",
                "SMS_FOLDER": str(self.sms_dir),
                "COMPANY_NAME": "Мебельная фабрика",
            }
            env_of |= {k: self._environ.get(k, v) for k, v in local_sms.items()}
        if name == "media" and s3_public:
            env_of["S3_PUBLIC_ENDPOINT"] = s3_public
        return env_of

    def _site_url(self, gateway_port: int) -> str:
        """The address links in messages lead to: the phones' HTTPS one with `https`."""
        if self._https:
            return f"https://{_url_host(public_host())}:{gateway_port}"
        return f"http://localhost:{gateway_port}"

    def stop(self) -> None:
        """Services in reverse order, then broker, object store, PostgreSQL."""
        self._supervisor.stop_all()

    def component(self, name: str) -> Component:
        return self._supervisor.get(name)

    def component_names(self) -> list[str]:
        """Every started component, in start order (the soak samples each one's processes)."""
        return self._supervisor.names

    def restart_component(self, name: str) -> None:
        self._supervisor.restart(name)

    def kill(self, name: str) -> None:
        """SIGKILL a component like a crash; the supervisor restarts it on the same port."""
        self._supervisor.kill(name)

    def down(self, name: str) -> AbstractContextManager[None]:
        """A component stopped for the length of a `with` block (an outage), then started."""
        return self._supervisor.down(name)

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

    def _through(self, name: str, url: str) -> str:
        """`url`, or the same URL through the front named `name`, pointed at `url`'s server."""
        front = self._fronts.get(name)
        if front is None:
            return url
        parts = urlsplit(url)
        front.point(f"{parts.hostname}:{parts.port}")
        userinfo, _, _ = parts.netloc.rpartition("@")
        netloc = f"{userinfo}@" if userinfo else ""
        return urlunsplit(parts._replace(netloc=f"{netloc}{LOCALHOST}:{front.port}"))

    def _provision_logins(self, admin_url: str, keys: Secrets) -> Logins | None:
        """A login per service (deploy/database), made with the admin's URL before any
        service starts. An admin that may not create roles (a DATABASE_URL given from
        outside) leaves every service on that one URL, as before the logins existed."""
        logins = provision_local(admin_url, keys)
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
        port, advertised = free_port(), None
        front = self._fronts.get("broker")
        if front is not None:
            front.point(f"{LOCALHOST}:{port}")
            advertised = front.port
        broker = LocalBroker(
            port, log_dir=self.log_dir, storage=storage, advertised_port=advertised
        )
        return self._start(broker).bootstrap

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

    def _start_s3_relay(self, store: LocalObjectStore, tls: TlsFiles) -> str:
        """The store's HTTPS address for browsers (deploy/local/tls_relay.py); what media
        signs presigned URLs for."""
        port_text = self._environ.get("S3_PUBLIC_PORT", "")
        port = int(port_text) if port_text.isdigit() else free_port()
        require_free_port(port, "S3_PUBLIC_PORT")
        relay = TlsRelay(
            "s3-public",
            (ANY, port),
            (LOCALHOST, store.port),
            tls.cert,
            tls.key,
            tls.ca,
            self.log_dir,
        )
        self._start(relay)
        return f"https://{_url_host(public_host())}:{port}"

    def _start_service(self, spec: ServiceSpec, port: int, env: Mapping[str, str]) -> str:
        return self._start(ServiceProcess(spec, port, env, self.log_dir)).url


def public_host() -> str:
    """The address phones are given (the app's and the presigned uploads'): PUBLIC_HOST, else
    this machine's first LAN address, else 127.0.0.1 (no network: this machine only)."""
    chosen = os.environ.get("PUBLIC_HOST", "")
    if chosen:
        return chosen
    found = lan_addresses()
    return found[0] if found else LOCALHOST


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _channel_env(env: Mapping[str, str], keys: Secrets, site_url: str) -> dict[str, str]:
    """Web Push works out of the box with the data folder's VAPID pair (VAPID_* in the
    environment win); Telegram only with a bot of one's own (TELEGRAM_BOT_TOKEN and
    TELEGRAM_BOT_USERNAME in the environment, which the services inherit)."""
    return {
        "VAPID_PRIVATE_KEY": env.get("VAPID_PRIVATE_KEY") or keys.vapid_private_key,
        "VAPID_PUBLIC_KEY": env.get("VAPID_PUBLIC_KEY") or keys.vapid_public_key,
        "SITE_URL": env.get("SITE_URL") or site_url,
    }


def _print_banner(stack: Stack) -> None:
    print(f"\nOMS is running: {stack.urls['gateway']}")
    if stack.tls is not None:
        port = stack.urls["gateway"].rsplit(":", 1)[1]
        others = [h for h in stack.tls.hosts if h not in ("127.0.0.1", "::1")]
        print("  HTTPS, also from a phone on this network at:")
        for host in others:
            print(f"    https://{_url_host(host)}:{port}")
        print(f"  the certificate's CA (install it on the phone): {stack.tls.ca}")
    print(f"  demo users: {', '.join(DEMO_USERS)} (password: demo)")
    print(f"  logs: {stack.log_dir}/<process>.log")
    print("  Ctrl-C stops everything\n", flush=True)


def _seed_or_warn(gateway_url: str, ca_file: Path | None) -> None:
    """A seeding failure should not take the running system down with it: the developer
    needs it up to see why (the service logs say more)."""
    try:
        seed_demo(gateway_url, ca_file=ca_file)
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
    https = "--https" in sys.argv[1:] or os.environ.get("HTTPS", "") in ("1", "true", "yes")
    stack = Stack(data_root(), gateway_port=int(port_text), seed=False, https=https)
    # Installed explicitly: a shell starting us in the background leaves SIGINT ignored.
    signal.signal(signal.SIGINT, _as_interrupt)
    signal.signal(signal.SIGTERM, _as_interrupt)
    code = 0
    try:
        stack.start()
        _seed_or_warn(stack.urls["gateway"], stack.ca_file)
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
