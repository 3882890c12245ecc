"""Fixtures shared by every test: the shipped data and a fixed cast of users.

The cast, in every permission test: ``staff`` (CTED), ``focal_point`` (ICAO, which is
named in activities 3.2, 3.3, 3.4 and 5.2), ``other_focal_point`` (WCO), ``viewer``,
``secretariat``, and anonymous.
"""

import os

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone, translation
from rest_framework.test import APIClient

from organizations.models import ApiToken, Organization
from organizations.roles import Role
from organizations.services import api_token_create
from tests.factories import UserFactory


def pytest_collection_modifyitems(config, items):
    # Live-server (browser) tests empty the database when they end; run them after all the others.
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


def pytest_sessionfinish(session, exitstatus):
    # Where the browser is required (CI), a skipped test is a failure, not a pass.
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if os.environ.get("REQUIRE_BROWSER") and reporter and reporter.stats.get("skipped"):
        reporter.write_line("Tests were skipped where none may be: failing the run.", red=True)
        session.exitstatus = 1


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # The shipped fixtures, loaded once; each test runs in a transaction rolled back after it.
    with django_db_blocker.unblock():
        call_command("loaddata", "organizations", "nairobi-2007", "cica-2008", verbosity=0)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: what one test counted or throttled, the next does not
    see (SQLite gives the same ids again after a rollback)."""
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request in French leaves French active in its thread
    (a server's next request activates its own; a test's next line would not)."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def icao(db) -> Organization:
    return Organization.objects.get(acronym="ICAO")


@pytest.fixture
def wco(db) -> Organization:
    return Organization.objects.get(acronym="WCO")


@pytest.fixture
def staff(db):
    return UserFactory(username="alice", role=Role.STAFF)


@pytest.fixture
def secretariat(db):
    return UserFactory(username="sam", role=Role.SECRETARIAT)


@pytest.fixture
def focal_point(icao):
    return UserFactory(username="bob", role=Role.FOCAL_POINT, organization=icao)


@pytest.fixture
def other_focal_point(wco):
    return UserFactory(username="charlie", role=Role.FOCAL_POINT, organization=wco)


@pytest.fixture
def viewer(db):
    return UserFactory(username="victor", role=Role.VIEWER)


def token_client(user) -> APIClient:
    """An API client sending a new API token of ``user``."""
    token, key = api_token_create(user=user, name="test client")
    # As if used just now: the first request writes no last_used_at, so the pinned query counts
    # hold from the first request (last_used_at is written at most once a minute).
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def api(viewer) -> APIClient:
    """An API client authenticated by token as the viewer."""
    return token_client(viewer)
