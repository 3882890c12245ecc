"""Production settings and security headers: HTTPS, HSTS, the idle session timeout, no caching
of a signed-in person's pages, and a Content-Security-Policy that no page needs to weaken."""

import base64
import datetime
import hashlib
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings
from django.utils import timezone

from tests.conftest import token_client
from tests.helpers import nairobi
from tests.reports.scenario import new_cycle, report_url
from tracker import middleware
from tracker.env import env_int, env_proxy_ssl_header

ROOT = Path(__file__).resolve().parents[2]
YEAR = 365 * 24 * 60 * 60
PASSWORD = "a-long-test-password"  # tests/factories.py


def run_python(code: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), **env}
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=tmp_path)


# --- Settings ---


def test_check_deploy_passes_with_only_debug_off_a_secret_key_and_the_hosts():
    env = {"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "tracker.example.org"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNING" not in output and "?: (security." not in output, output


PRINT_SETTINGS = (
    "import tracker.settings as s; print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS,"
    " s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
    " s.SESSION_COOKIE_AGE, s.SECURE_PROXY_SSL_HEADER)"
)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DEBUG": "0"}, f"True {YEAR} True False True True 28800 ('HTTP_X_FORWARDED_PROTO', 'https')"),
        ({"DEBUG": "1"}, "False 0 False False False False 28800 None"),
        ({"LOCAL": "1"}, "False 0 False False False False 28800 None"),
        ({"LOCAL": "1", "DEBUG": "0"}, "False 0 False False False False 28800 None"),
        (
            {
                "DEBUG": "0",
                "SECURE_SSL_REDIRECT": "0",
                "SECURE_HSTS_SECONDS": "600",
                "SECURE_HSTS_INCLUDE_SUBDOMAINS": "no",
                "SECURE_HSTS_PRELOAD": "yes",
                "SESSION_COOKIE_AGE": "900",
                "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Scheme: https",
            },
            "False 600 False True True True 900 ('HTTP_X_FORWARDED_SCHEME', 'https')",
        ),
        ({"DEBUG": "0", "SECURE_PROXY_SSL_HEADER": ""}, f"True {YEAR} True False True True 28800 None"),
    ],
)
def test_security_settings_are_read_from_the_environment_with_safe_production_defaults(tmp_path, env, expected):
    result = run_python(PRINT_SETTINGS, {"SECRET_KEY": "x", **env}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SECURE_SSL_REDIRECT", "perhaps", "is not a boolean"),
        ("SECURE_HSTS_SECONDS", "one year", "is not a whole number"),
        ("SECURE_HSTS_SECONDS", "-1", "is below 0"),
        ("SECURE_HSTS_PRELOAD", "2", "is not a boolean"),
        ("SESSION_COOKIE_AGE", "8h", "is not a whole number"),
        ("SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto=https", "is not a header and its value"),
    ],
)
def test_a_bad_security_setting_stops_the_start_with_a_message(tmp_path, name, value, message):
    result = run_python("import tracker.settings", {"SECRET_KEY": "x", "DEBUG": "0", name: value}, tmp_path)
    assert result.returncode != 0
    assert name in result.stderr and message in result.stderr


def test_the_env_helpers_for_numbers_with_a_floor_and_the_proxy_header(monkeypatch):
    monkeypatch.setenv("AGE", "59")
    with pytest.raises(ImproperlyConfigured, match="AGE='59' is below 60"):
        env_int("AGE", 100, minimum=60)
    monkeypatch.setenv("AGE", "60")
    assert env_int("AGE", 100, minimum=60) == 60
    monkeypatch.delenv("HEADER", raising=False)
    assert env_proxy_ssl_header("HEADER", ("HTTP_X", "y")) == ("HTTP_X", "y")
    monkeypatch.setenv("HEADER", " X-Forwarded-Proto : https ")
    assert env_proxy_ssl_header("HEADER", None) == ("HTTP_X_FORWARDED_PROTO", "https")
    for off in ("", "0", "off"):
        monkeypatch.setenv("HEADER", off)
        assert env_proxy_ssl_header("HEADER", ("HTTP_X", "y")) is None
    for bad in ("X-Forwarded-Proto", "X-Forwarded-Proto:", "X Forwarded: https", ": https"):
        monkeypatch.setenv("HEADER", bad)
        with pytest.raises(ImproperlyConfigured, match="HEADER="):
            env_proxy_ssl_header("HEADER", None)


# --- The idle session timeout ---


def seconds_left(session: Session) -> float:
    session.refresh_from_db()
    return (session.expire_date - timezone.now()).total_seconds()


@pytest.mark.django_db
def test_a_session_ends_after_session_cookie_age_seconds_without_a_request(viewer, monkeypatch):
    client = Client()
    client.force_login(viewer)
    session = Session.objects.get(session_key=client.session.session_key)
    assert settings.SESSION_COOKIE_AGE - 60 < seconds_left(session) <= settings.SESSION_COOKIE_AGE

    # Active a minute later, just before it would have ended: renewed for the whole age, cookie too.
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + datetime.timedelta(seconds=5))
    later = time.time() + 61
    monkeypatch.setattr(middleware.time, "time", lambda: later)
    response = client.get("/")
    assert response.status_code == 200
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == settings.SESSION_COOKIE_AGE
    assert seconds_left(session) > settings.SESSION_COOKIE_AGE - 60

    # Within the minute, a request does not write the session again.
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + datetime.timedelta(seconds=600))
    response = client.get("/")
    assert response.status_code == 200 and settings.SESSION_COOKIE_NAME not in response.cookies
    assert seconds_left(session) <= 600

    # Idle longer than the age: signed out.
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_signing_in_through_the_form_starts_the_idle_clock(viewer):
    client = Client()
    response = client.post("/accounts/login/", {"username": viewer.username, "password": PASSWORD})
    assert response.status_code == 302
    assert abs(client.session[middleware.SESSION_RENEWED_AT] - time.time()) < 60
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == settings.SESSION_COOKIE_AGE


def test_the_idle_timeout_is_eight_hours_unless_set():
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60


# --- Cache-Control ---


def cache_directives(response) -> set[str]:
    return {d.strip() for d in response.get("Cache-Control", "").split(",") if d.strip()}


@pytest.mark.django_db
def test_a_signed_in_persons_pages_and_api_answers_are_never_stored(viewer):
    client = Client()
    client.force_login(viewer)
    for path in ["/", "/plans/nairobi-2007/", "/organizations/", "/api/v1/plans/"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert {"private", "no-store"} <= cache_directives(response), path
    response = token_client(viewer).get("/api/v1/activities/")
    assert response.status_code == 200
    assert {"private", "no-store"} <= cache_directives(response)


@pytest.mark.django_db
def test_the_sign_in_page_and_static_files_keep_their_caching(viewer):
    anonymous = Client().get("/accounts/login/")
    assert anonymous.status_code == 200
    # Django's own never_cache on the sign-in view, as it sets it: the middleware adds nothing.
    assert anonymous["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    client = Client()
    client.force_login(viewer)
    static = client.get("/static/tracker/tracker.css")
    assert static.status_code == 200
    assert "no-store" not in cache_directives(static)
    assert "Content-Security-Policy" not in static
    # The status colours are the same for everyone: their view makes them public, for an hour.
    assert client.get("/status-colours.css")["Cache-Control"] == "public, max-age=3600"


# --- Security headers on every page and API answer ---


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in header.split(";") if part.strip())}


@pytest.fixture
def sample_paths(staff) -> list[str]:
    return [
        "/",
        "/plans/nairobi-2007/",
        f"/activities/{nairobi('3.2').pk}/",
        "/organizations/ICAO/",
        "/cycles/",
        "/review/",
        "/accounts/login/",
        "/api/v1/plans/",
        "/api/v1/docs/",
    ]


def assert_security_headers(response, path: str) -> None:
    assert response.status_code == 200, (path, response.status_code)
    directives = policy(response)
    for directive in ("default-src", "script-src", "style-src"):
        assert "'unsafe-inline'" not in directives.get(directive, []), (path, directive)
    assert directives["default-src"] == ["'self'"], path
    assert directives["script-src"][0] == "'self'" and directives["object-src"] == ["'none'"], path
    assert "'unsafe-eval'" not in directives["script-src"], path
    assert response["X-Content-Type-Options"] == "nosniff", path
    assert response["Referrer-Policy"] == "same-origin", path
    assert response["X-Frame-Options"] == "DENY", path


@pytest.mark.django_db
def test_every_page_and_api_answer_carries_the_security_headers(staff, sample_paths):
    client = Client()
    client.force_login(staff)
    for path in sample_paths:
        client_for_path = Client() if path == "/accounts/login/" else client
        response = client_for_path.get(path)
        assert_security_headers(response, path)
        assert "Strict-Transport-Security" not in response, path  # never over plain HTTP
    assert_security_headers(token_client(staff).get("/api/v1/activities/"), "/api/v1/activities/ (token)")


@pytest.mark.django_db
def test_over_https_in_production_every_answer_carries_strict_transport_security(staff, sample_paths):
    with override_settings(SECURE_SSL_REDIRECT=True, SECURE_HSTS_SECONDS=YEAR, SECURE_HSTS_INCLUDE_SUBDOMAINS=True):
        client = Client()
        client.force_login(staff)
        for path in sample_paths:
            response = (Client() if path == "/accounts/login/" else client).get(path, secure=True)
            assert_security_headers(response, path)
            assert response["Strict-Transport-Security"] == f"max-age={YEAR}; includeSubDomains", path
        plain = client.get("/plans/nairobi-2007/")
        assert plain.status_code == 301
        assert plain["Location"] == "https://testserver/plans/nairobi-2007/"


@pytest.mark.django_db
def test_the_api_docs_run_swagger_ui_under_the_policy_with_a_nonce(viewer):
    client = Client()
    client.force_login(viewer)
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    directives = policy(response)
    nonces = [v for v in directives["script-src"] if v.startswith("'nonce-")]
    assert len(nonces) == 1 and nonces == [v for v in directives["style-src"] if v.startswith("'nonce-")]
    nonce = nonces[0][len("'nonce-") : -1]
    html = response.content.decode()
    inline = re.findall(r"<(script|style)(?![^>]*\bsrc=)([^>]*)>", html)
    assert {tag for tag, _ in inline} == {"script", "style"}
    assert all(f'nonce="{nonce}"' in attributes for _, attributes in inline), inline
    assert "SwaggerUIBundle(" in html
    # A fresh nonce for every request.
    assert policy(client.get("/api/v1/docs/"))["script-src"] != directives["script-src"]


def inline_style_source(html: str) -> str:
    (style,) = re.findall(r"<style>(.*?)</style>", html, flags=re.DOTALL)
    digest = hashlib.sha256(style.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


@pytest.mark.django_db
def test_the_html_report_allows_its_own_inlined_stylesheet_by_hash_and_nothing_else(staff, secretariat):
    cycle = new_cycle(secretariat)
    client = Client()
    client.force_login(staff)
    for url in [report_url(cycle, "html"), f"/api/v1/cycles/{cycle.pk}/report/?format=html"]:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        directives = policy(response)
        assert directives["style-src"] == ["'self'", inline_style_source(html)], url
        assert "'unsafe-inline'" not in response["Content-Security-Policy"]
        assert "onclick" not in html and "data-print" in html
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), "no inline script in the report"
    # The hash is the report's alone: other pages, and the report's other formats, do not carry it.
    source = inline_style_source(client.get(report_url(cycle, "html")).content.decode())
    for path in ["/", f"/cycles/{cycle.pk}/", f"/api/v1/cycles/{cycle.pk}/report/?format=json"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert source not in response["Content-Security-Policy"], path


TEMPLATE_DIRS = [ROOT / "templates", *(ROOT / app / "templates" for app in ("actions", "organizations", "reports"))]


def test_no_template_has_an_inline_script_event_handler_or_style_attribute():
    """What the policy would block: inline <script> without a nonce, on*="..." handlers,
    style="..." attributes, javascript: links (e-mails, read in mail clients, may use style=)."""
    found = []
    for directory in TEMPLATE_DIRS:
        for template in directory.rglob("*.html"):
            text = template.read_text(encoding="utf-8")
            for pattern in (
                r"<script(?![^>]*\b(?:src|nonce)=)[^>]*>",
                r"\son[a-z]+\s*=",
                r"\sstyle\s*=",
                r"javascript:",
            ):
                found += [f"{template.relative_to(ROOT)}: {m}" for m in re.findall(pattern, text, flags=re.I)]
    assert not found, found


@pytest.mark.django_db
def test_drfs_browsable_api_keeps_working_with_its_style_nonce_and_one_allowed_attribute(staff):
    client = Client()
    client.force_login(staff)
    response = client.get("/api/v1/activities/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    directives = policy(response)
    attribute = "float: right; margin-right: 10px"
    assert f'style="{attribute}"' in html  # the Filters button
    digest = base64.b64encode(hashlib.sha256(attribute.encode()).digest()).decode()
    assert directives["style-src-attr"] == ["'unsafe-hashes'", f"'sha256-{digest}'"]
    assert set(re.findall(r'style="([^"]*)"', html)) == {attribute}
    (nonce,) = [v[len("'nonce-") : -1] for v in directives["style-src"] if v.startswith("'nonce-")]
    assert re.findall(r"<style([^>]*)>", html) == [f' nonce="{nonce}"']
    assert not re.search(r"<script(?![^>]*\b(?:src=|type=\"application/json\"))", html)
    # The same API as JSON carries the default policy, without the attribute's hash.
    assert "style-src-attr" not in policy(client.get("/api/v1/activities/", HTTP_ACCEPT="application/json"))


def test_a_page_and_its_htmx_fragment_are_kept_apart_by_every_cache(client, staff):
    client.force_login(staff)
    page = client.get("/plans/nairobi-2007/?objective=3")
    fragment = client.get("/plans/nairobi-2007/?objective=3", headers={"HX-Request": "true"})
    assert len(fragment.content) < len(page.content)
    for response in (page, fragment):
        assert "HX-Request" in [v.strip() for v in response["Vary"].split(",")]
