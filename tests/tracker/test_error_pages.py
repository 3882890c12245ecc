"""The site's own error pages (403 saying why, 404, 500, a refused form), with DEBUG off and on, and
`make run` serving them rather than Django's debug pages."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.test import Client
from django.urls import path

from tracker.urls import urlpatterns as site_patterns

ROOT = Path(__file__).resolve().parents[2]
LAYOUT = 'class="brand"'  # the site's header: the page is in the layout
DEBUG_PAGE = "Django tried these URL patterns"


def boom(request):
    raise RuntimeError("a fault in a view")


# The site's addresses and one that fails, for the 500 page (see test_a_fault_shows_the_site_s_page).
urlpatterns = [*site_patterns, path("boom/", boom)]


def test_an_unknown_address_is_the_site_s_404_page_without_the_list_of_addresses(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert [t.name for t in response.templates][:1] == ["404.html"]
    page = response.content.decode()
    assert "Page not found" in page and LAYOUT in page and "/no-such-page/" in page
    assert DEBUG_PAGE not in page and "Sign in" in page


def test_an_unknown_plan_is_the_same_page_for_someone_signed_in(client, staff):
    client.force_login(staff)
    response = client.get("/plans/no-such-plan/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Page not found" in page and "alice" in page  # the header shows who is signed in
    assert "No Plan matches" not in page  # Django's words for a developer, not for the reader


def test_a_refusal_says_why_and_where_to_go(client, focal_point):
    client.force_login(focal_point)
    response = client.get("/review/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "Only CTED staff review entries." in page  # the permission rule's own reason
    assert "You are signed in as bob" in page and "Focal point" in page and "ICAO" in page
    assert 'href="/"' in page and "Go to your home page" in page and LAYOUT in page


@pytest.mark.urls(__name__)
def test_a_fault_shows_the_site_s_page_and_nothing_of_the_code(staff):
    client = Client(raise_request_exception=False)
    client.force_login(staff)
    response = client.get("/boom/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong on our side" in page and LAYOUT in page
    assert "RuntimeError" not in page and "a fault in a view" not in page


def test_a_form_sent_without_its_token_says_what_to_do(staff):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    response = client.post("/cycles/new/", {"title": "x"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "Your form could not be accepted" in page and "reload the page" in page and LAYOUT in page
    assert "CSRF cookie" not in page and "Referer" not in page  # Django's reason is for the log


def test_a_form_sent_without_cookies_asks_to_allow_them(db):
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "a", "password": "b"})
    assert response.status_code == 403
    assert "Allow cookies for this site" in response.content.decode()


def test_with_debug_on_a_refusal_is_still_the_site_s_page_and_a_404_is_django_s(client, focal_point, settings):
    """DEBUG is for a developer who asks for it: then Django explains a 404; a refusal is the site's page."""
    settings.DEBUG = True
    assert DEBUG_PAGE in client.get("/no-such-page/").content.decode()
    client.force_login(focal_point)
    assert "Only CTED staff review entries." in client.get("/review/").content.decode()


def test_make_run_serves_locally_without_debug():
    """The README's first command: served over HTTP on this machine (LOCAL), never Django's debug pages."""
    run = (ROOT / "Makefile").read_text().split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "export LOCAL ?= 1" in run and "DEBUG" not in run


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_a_local_server_as_make_run_starts_it_serves_its_files_and_its_own_404(tmp_path):
    port = free_port()
    environment = {
        "PATH": os.environ["PATH"],
        "LOCAL": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(100):
            try:
                status, stylesheet = fetch(f"http://127.0.0.1:{port}/static/tracker/tracker.css")
                break
            except OSError:
                time.sleep(0.1)
        else:
            server.kill()
            pytest.fail(f"the server did not start: {server.communicate()[1]}")
        # Static files from the source folders, without collectstatic: WhiteNoise, DEBUG off.
        assert status == 200 and ".topbar" in stylesheet
        status, page = fetch(f"http://127.0.0.1:{port}/no-such-page/")
        assert status == 404 and "Page not found" in page and DEBUG_PAGE not in page
    finally:
        server.terminate()
        server.wait(timeout=10)
