import ipaddress
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from tracker.env import env_bool, env_int, env_list, env_networks, parse_database_url


@pytest.mark.parametrize(
    ("value", "expected"), [("1", True), ("True", True), ("on", True), ("0", False), ("no", False)]
)
def test_env_bool_reads_the_usual_spellings(monkeypatch, value, expected):
    monkeypatch.setenv("FLAG", value)
    assert env_bool("FLAG") is expected


def test_env_helpers_fail_loudly_on_a_bad_value(monkeypatch):
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FLAG='maybe' is not a boolean"):
        env_bool("FLAG")
    monkeypatch.setenv("PORT", "twenty-five")
    with pytest.raises(ImproperlyConfigured, match="not a whole number"):
        env_int("PORT", 25)


def test_env_list_splits_on_commas(monkeypatch):
    monkeypatch.setenv("HOSTS", "a.org, b.org,,")
    assert env_list("HOSTS") == ["a.org", "b.org"]


def test_trusted_proxies_are_addresses_or_networks(monkeypatch):
    assert env_networks("TRUSTED_PROXIES") == []
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.1, 172.16.0.0/12,::1")
    assert env_networks("TRUSTED_PROXIES") == [
        ipaddress.ip_network("10.0.0.1/32"), ipaddress.ip_network("172.16.0.0/12"), ipaddress.ip_network("::1/128"),
    ]  # fmt: skip
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.1,proxy.example.org")
    with pytest.raises(ImproperlyConfigured, match=r"'proxy\.example\.org' is not an IP address"):
        env_networks("TRUSTED_PROXIES")


def test_database_url_for_postgresql_and_sqlite():
    pg = parse_database_url("postgres://u:p%40ss@db.example:5433/tracker?sslmode=require", base_dir=Path("/srv"))
    assert pg["ENGINE"] == "django.db.backends.postgresql"
    assert (pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"], pg["NAME"]) == (
        "u", "p@ss", "db.example", "5433", "tracker",
    )  # fmt: skip
    assert pg["OPTIONS"] == {"sslmode": "require"}
    assert parse_database_url("sqlite:///db.sqlite3", base_dir=Path("/srv"))["NAME"] == "/srv/db.sqlite3"
    assert parse_database_url("sqlite:////tmp/x.db", base_dir=Path("/srv"))["NAME"] == "/tmp/x.db"


@pytest.mark.parametrize("url", ["mysql://u@h/db", "postgres://h:notaport/db", "postgres://host", "sqlite://"])
def test_database_url_refuses_what_it_cannot_use(url):
    with pytest.raises(ImproperlyConfigured):
        parse_database_url(url, base_dir=Path("/srv"))


def test_settings_refuse_to_start_without_a_secret_key_on_a_deployment(tmp_path):
    import subprocess
    import sys

    env = {"PATH": "/usr/bin:/bin", "DEBUG": "0", "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    result = subprocess.run(
        [sys.executable, "-c", "import tracker.settings"], env=env, capture_output=True, text=True, cwd=tmp_path
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set, unless LOCAL (or DEBUG) is on" in result.stderr


@pytest.mark.django_db
def test_the_suite_runs_on_the_database_database_url_names():
    import os

    from django.db import connection

    expected = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    assert connection.vendor == expected


@pytest.mark.parametrize(("value", "expected"), [(None, "5242880"), ("1000", "1000")])
def test_the_report_attachment_limit_is_read_from_the_environment(tmp_path, value, expected):
    import subprocess
    import sys

    env = {"PATH": "/usr/bin:/bin", "SECRET_KEY": "x", "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    if value is not None:
        env["REPORT_ATTACHMENT_MAX_BYTES"] = value
    code = "import tracker.settings as s; print(s.REPORT_ATTACHMENT_MAX_BYTES)"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected
