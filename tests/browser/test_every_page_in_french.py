"""Every page each role can reach, in French, in a browser (issue 13): each person signs in, switches to
French from the header, then follows every link of the tracker from the home page (the admin's too, for
staff), and no page shows interface English left: no message of the catalogue in English
(tests/tracker/test_french_pages.py finds them). And in Arabic, the same pages are right to left and
none scrolls sideways.

A page is visited once per kind (its URL's name and the names of its query parameters: the plan page,
the plan page filtered by status, an activity's page...), so forty activities are read once, not forty
times. Downloads (reports, spreadsheets) and the API are not pages; their French is tested with their
formats (tests/reports/test_report_languages.py)."""

import datetime
from collections import deque
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.urls import Resolver404, resolve
from playwright.sync_api import expect

from actions.models import Activity
from organizations.models import Organization
from organizations.roles import Role
from reports.models import StocktakingCycle
from reports.services import cycle_close
from tests.factories import UserFactory
from tests.reports.scenario import accept, give_back, log, new_cycle
from tests.tracker.test_french_pages import english_left

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Not pages: files, the API and its documentation (Swagger's own interface, in English), signing out,
# the language switch itself, and what only answers a form.
NOT_PAGES = ("/api/", "/accounts/logout/", "/i18n/", "/static/", "/media/")
DOWNLOADS = {"cycle-report", "cycle-report-file", "cycle-export", "spreadsheet-download", "status-stylesheet"}
# Django's admin is followed through its lists and one object of each: its own words are Django's
# (translated by Django), its labels ours.
ADMIN_ACTIONS = ("delete", "history")
# Django's own accounts in the admin list what is stored in English: the groups' names (the roles'
# English names, organizations.roles.GROUP_NAMES; the roles are named in French everywhere else) and
# the permissions' names, which Django writes when it migrates and never translates.
STORED_NAMES = ("admin:auth_",)
MOST_PAGES = 120


@pytest.fixture
def everyone(cast):
    """Every role, an open cycle with entries waiting, returned and accepted, and a closed cycle."""
    people = {
        **cast,
        "secretariat": UserFactory(username="sam", role=Role.SECRETARIAT),
        "viewer": UserFactory(username="victor", role=Role.VIEWER),
    }
    staff, bob = people["staff"], people["focal_point"]
    staff.is_staff = staff.is_superuser = True  # CTED's administrators read the admin too
    staff.save()
    closed = new_cycle(people["secretariat"], title="First review", open_now=True)
    accept(log(bob, "3.3", "ICAO", "completed", "Guidance published."), staff)
    cycle_close(cycle=closed, actor=people["secretariat"], confirm=True)
    new_cycle(
        people["secretariat"],
        title="Second review",
        start=datetime.date(2025, 7, 1),
        end=datetime.date(2025, 12, 31),
        deadline=datetime.date(2026, 1, 31),
    )
    log(bob, "3.2", "ICAO", "in_progress", "Model legislation circulated.")
    give_back(log(bob, "3.4", "ICAO", "planned", "Workshop scheduled."), staff)
    assert StocktakingCycle.objects.count() == 2 and Activity.objects.exists() and Organization.objects.exists()
    return people


def kind_of(url: str) -> tuple[str, ...] | None:
    """What kind of page ``url`` is: its URL's name and its query's parameter names; None for what is not
    a page of the tracker."""
    parts = urlsplit(url)
    path = parts.path
    if any(path.startswith(prefix) for prefix in NOT_PAGES):
        return None
    if path.startswith("/admin/") and any(f"/{action}/" in path for action in ADMIN_ACTIONS):
        return None
    try:
        name = resolve(path).view_name
    except Resolver404:
        return None
    if name in DOWNLOADS or name.startswith(STORED_NAMES):
        return None
    if name.startswith("admin:"):  # its lists' filters and orderings show the same labels
        return (name,)
    return (name, *sorted({key for key, _ in parse_qsl(parts.query) if key not in {"page", "original"}}))


def visit_every_page(page, origin: str) -> dict[str, list[str]]:
    """Follows every link from the page the browser is on; the English left on each page visited."""
    seen: set[tuple[str, ...]] = set()
    queue = deque([page.url])
    found: dict[str, list[str]] = {}
    visited = 0
    while queue and visited < MOST_PAGES:
        url = queue.popleft()
        kind = kind_of(url)
        if kind is None or kind in seen:
            continue
        seen.add(kind)
        response = page.goto(url)
        visited += 1
        assert response is not None and response.status == 200, url
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        left = english_left(page.content(), interface_only=kind[0].startswith("admin:"))
        if left:
            found[url] = left
        links = page.eval_on_selector_all("a[href]", "links => links.map(link => link.href)")
        queue.extend(link.split("#")[0] for link in links if link.startswith(origin))
    assert visited < MOST_PAGES, "more kinds of page than the walk expects: raise MOST_PAGES"
    print(f"{visited} pages visited")
    return found


def switch_to_french(page) -> None:
    page.get_by_label("Language").select_option(label="Français")
    page.get_by_role("button", name="Change language").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")


@pytest.mark.parametrize("role", ["staff", "secretariat", "focal_point", "viewer"])
def test_every_page_a_role_reaches_is_in_french(everyone, sign_in, live_server, role):
    page = sign_in(everyone[role].username)
    switch_to_french(page)
    left = visit_every_page(page, live_server.url)
    assert left == {}, "\n".join(f"{url}: {words}" for url, words in left.items())


def test_the_walk_reaches_the_pages_of_each_part_of_the_tracker(everyone, sign_in, live_server):
    """The walk is only as good as the pages it reaches: staff reach every part."""
    page = sign_in("alice")
    switch_to_french(page)
    reached = []
    original = page.goto

    def goto(url, **kwargs):
        reached.append(kind_of(url)[0])
        return original(url, **kwargs)

    page.goto = goto
    visit_every_page(page, live_server.url)
    expected = {
        "home",
        "plan-detail",
        "plan-progress",
        "activity-detail",
        "organization-list",
        "organization-detail",
        "review-queue",
        "cycle-list",
        "cycle-detail",
        "cycle-new",
        "spreadsheet-upload",
        "audit-changes",
        "audit-security-events",
        "profile",
        "people",
        "person-invite",
        "api-tokens",
        "password_change",
        "admin:index",
        "admin:actions_activity_changelist",
        "admin:actions_activity_change",
    }
    assert expected <= set(reached), expected - set(reached)


def test_the_pages_of_a_person_not_signed_in_are_in_the_browser_s_language(browser, live_server, plans):
    context = browser.new_context(locale="fr-FR", extra_http_headers={"Accept-Language": "fr"})
    page = context.new_page()
    try:
        for path in ("/accounts/login/", "/accounts/password_reset/"):
            page.goto(f"{live_server.url}{path}")
            expect(page.locator("html")).to_have_attribute("lang", "fr")
            assert english_left(page.content()) == [], path
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_in_arabic_every_page_of_staff_is_right_to_left_and_nothing_overflows(everyone, sign_in, live_server, width):
    page = sign_in("alice", viewport={"width": width, "height": 900})
    if width < 700:
        page.get_by_role("button", name="Menu").click()
    page.get_by_label("Language").select_option("ar")
    page.locator("form.language button").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    paths = [
        "/",
        "/plans/nairobi-2007/",
        f"/activities/{Activity.objects.get(plan__code='nairobi-2007', number='3.2').pk}/",
        "/plans/nairobi-2007/progress/",
        "/review/",
        "/organizations/",
        "/organizations/ICAO/",
        "/cycles/",
        f"/cycles/{StocktakingCycle.objects.get(title='Second review').pk}/",
        f"/cycles/{StocktakingCycle.objects.get(title='First review').pk}/",
        "/cycles/new/",
        "/organizations/ICAO/upload/",
        "/audit/",
        "/audit/security/",
        "/accounts/profile/",
        "/accounts/people/",
        "/accounts/people/invite/",
        "/accounts/tokens/",
    ]
    wide = {}
    for path in paths:
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 200, path
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        sideways = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if sideways > 0:
            wide[path] = sideways
    assert wide == {}
