"""The database-login plan as data: role names, URLs, the Job's settings, the stack's secrets."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from deploy.database.__main__ import plan_from
from deploy.database.plan import (
    SERVICES,
    Analyst,
    Login,
    PlanError,
    database_of,
    login_of,
    with_login,
)
from deploy.local.db_logins import local_plan, role_names, role_prefix
from deploy.local.layout import DB_LOGINS, load_secrets

ADMIN = "postgresql://admin:s3cret@db.internal:5432/oms?sslmode=require"


def job_environ(**extra: str) -> dict[str, str]:
    env = {"ADMIN_DATABASE_URL": ADMIN}
    for service in SERVICES:
        env[f"{service.upper()}_DATABASE_URL"] = with_login(
            ADMIN, f"oms_{service}", f"pw-{service}"
        )
    env.update(extra)
    return env


def test_a_login_url_keeps_host_database_and_options_and_quotes_the_password() -> None:
    url = with_login(ADMIN, "oms_orders", "p@ss:/word")
    assert url == "postgresql://oms_orders:p%40ss%3A%2Fword@db.internal:5432/oms?sslmode=require"
    assert login_of(url) == ("oms_orders", "p@ss:/word")
    assert database_of(url) == "oms"
    assert database_of("postgresql://u:p@h:1") == "postgres"


def test_role_prefix_is_oms_on_the_servers_own_database_and_the_database_name_elsewhere() -> None:
    assert role_prefix("postgres") == "oms"
    assert role_prefix("oms") == "oms"
    assert role_prefix("oms_e2e_1a2b3c4d") == "oms_e2e_1a2b3c4d"
    assert role_prefix("Bench-Orders") == "bench_orders"
    assert role_prefix("9lives") == "db_9lives"
    long = role_prefix("x" * 80)
    assert len(long + "_notifications") <= 63
    assert long != role_prefix("x" * 81)  # shortened with a hash, so still distinct
    assert role_names("oms") == [f"oms_{s}" for s in (*SERVICES, "analyst")]


def test_the_plan_gives_projections_the_logs_and_the_schemas_it_makes(tmp_path: Path) -> None:
    keys = load_secrets(tmp_path)
    plan = local_plan("oms", keys)
    assert [login.role for login in plan.logins] == [f"oms_{s}" for s in SERVICES]
    projections = next(x for x in plan.logins if x.service == "projections")
    assert projections.schemas == ("projections", "reporting")
    assert projections.creates_schemas
    assert not any(x.creates_schemas for x in plan.logins if x is not projections)
    for owner in ("orders", "scheduling", "media", "gateway"):
        assert plan.log_readers(owner) == ("oms_projections",)
    assert plan.log_readers("notifications") == ()
    assert plan.log_readers("projections") == ()
    assert plan.analyst == Analyst("oms_analyst", keys.db_passwords["analyst"])


@pytest.mark.parametrize(
    "bad",
    [
        lambda: Login("orders", "Orders", "pw", ("orders",)),  # upper case: quoting surprises
        lambda: Login("orders", "oms_orders; DROP", "pw", ("orders",)),
        lambda: Login("orders", "oms_orders", "", ("orders",)),  # no password
        lambda: Login("orders", "oms_orders", "pw", ("Orders",)),
        lambda: Analyst("oms_analyst", None, statement_timeout="1; DROP"),
        lambda: Analyst("oms_analyst", None, connection_limit=0),
    ],
)
def test_an_unsafe_plan_is_refused_before_the_server_sees_it(bad: Callable[[], object]) -> None:
    with pytest.raises(PlanError):
        bad()


def test_the_job_reads_every_login_from_the_services_own_urls() -> None:
    admin, plan = plan_from(
        job_environ(
            ANALYST_DATABASE_URL=with_login(ADMIN, "reports", "pw-a"),
            ANALYST_STATEMENT_TIMEOUT="5min",
            ANALYST_CONNECTION_LIMIT="3",
        )
    )
    assert admin == ADMIN
    assert {(x.role, x.password) for x in plan.logins} == {
        (f"oms_{s}", f"pw-{s}") for s in SERVICES
    }
    assert plan.analyst == Analyst("reports", "pw-a", statement_timeout="5min", connection_limit=3)


def test_without_an_analyst_url_the_job_makes_a_nologin_analyst() -> None:
    _, plan = plan_from(job_environ())
    assert plan.analyst == Analyst("oms_analyst", None)


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"ADMIN_DATABASE_URL": ""}, "ADMIN_DATABASE_URL is not set"),
        ({"MEDIA_DATABASE_URL": ""}, "MEDIA_DATABASE_URL is not set"),
        ({"MEDIA_DATABASE_URL": "postgresql://db.internal/oms"}, "needs user and password"),
        (
            {"MEDIA_DATABASE_URL": with_login(ADMIN.replace("/oms", "/other"), "m", "p")},
            "another database",
        ),
        ({"ANALYST_CONNECTION_LIMIT": "many"}, "must be a number"),
    ],
)
def test_the_job_says_which_setting_is_wrong(change: dict[str, str], complaint: str) -> None:
    with pytest.raises(PlanError, match=complaint):
        plan_from(job_environ(**change))


def test_secrets_of_an_older_data_folder_gain_the_database_passwords(tmp_path: Path) -> None:
    old = {"jwt_secret": "j" * 40, "s3_access_key": "A" * 20, "s3_secret_key": "s" * 40}
    (tmp_path / "secrets.json").write_text(json.dumps(old))
    keys = load_secrets(tmp_path)
    assert (keys.jwt_secret, keys.s3_access_key, keys.s3_secret_key) == tuple(old.values())
    assert len(keys.postgres_password) == 32
    assert set(keys.db_passwords) == set(DB_LOGINS)
    assert len(set(keys.db_passwords.values())) == len(DB_LOGINS)
    assert all(p.isalnum() for p in keys.db_passwords.values())
    assert load_secrets(tmp_path) == keys  # kept, not made again
    mode = stat.S_IMODE((tmp_path / "secrets.json").stat().st_mode)
    assert mode == 0o600
