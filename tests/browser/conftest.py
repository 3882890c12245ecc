"""End-to-end tests in Debian's Chromium, driven by Playwright.

They are skipped where no Chromium is installed (a first ``make test`` on a bare
machine) unless REQUIRE_BROWSER is set, as .ci/run sets it: there a missing browser
is a failure, never a skip.
"""

import os
import shutil

import pytest
from django.core.management import call_command

from organizations.roles import Role
from tests.factories import UserFactory

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
PASSWORD = "a-long-test-password"

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are ordinary blocking calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) and shutil.which(CHROMIUM)):
        message = f"No Chromium at {CHROMIUM}: apt-get install chromium"
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def plans(transactional_db):
    call_command("loaddata", "organizations", "nairobi-2007", "cica-2008", verbosity=0)


@pytest.fixture
def cast(plans):
    from organizations.models import Organization

    return {
        "staff": UserFactory(username="alice", role=Role.STAFF),
        "focal_point": UserFactory(
            username="bob", role=Role.FOCAL_POINT, organization=Organization.objects.get(acronym="ICAO")
        ),
    }


@pytest.fixture
def sign_in(browser, live_server):
    contexts = []

    def sign_in(username: str, viewport: dict | None = None, bypass_csp: bool = False):
        """A page signed in as ``username``; ``bypass_csp`` for a test that injects a script (axe)."""
        context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900}, bypass_csp=bypass_csp)
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{live_server.url}/")
        return page

    yield sign_in
    for context in contexts:
        context.close()
