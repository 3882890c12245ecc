"""Every page works under the Content-Security-Policy: the browser reports no violation."""

import re

import pytest
from playwright.sync_api import expect

from actions.models import Activity
from reports.models import StocktakingCycle
from tests.reports.scenario import new_cycle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_no_page_breaks_the_content_security_policy(cast, sign_in, live_server):
    cycle: StocktakingCycle = new_cycle(cast["staff"])
    activity = Activity.objects.get(plan__code="nairobi-2007", number="3.2")
    page = sign_in("alice")
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(f"{page.url}: {message.text}") if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))

    for path in [
        "/",
        "/plans/nairobi-2007/",
        f"/activities/{activity.pk}/",
        "/organizations/ICAO/",
        "/cycles/",
        f"/cycles/{cycle.pk}/",
        "/review/",
        "/admin/",
        "/api/v1/plans/",
        "/api/v1/activities/",  # DRF's browsable API, with its Filters button
    ]:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")

    # htmx still swaps the activities when a filter changes.
    page.goto(f"{live_server.url}/plans/nairobi-2007/")
    page.locator("select[name=objective]").select_option("3")
    expect(page).to_have_url(re.compile(r"/plans/nairobi-2007/\?objective=3\b"), timeout=5000)
    expect(page.get_by_role("link", name="3.2", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="1.1", exact=True)).to_have_count(0)

    # Swagger UI runs its inline, nonce-carrying script and draws the operations.
    page.goto(f"{live_server.url}/api/v1/docs/")
    expect(page.locator(".opblock").first).to_be_visible(timeout=10000)

    # The report's inlined stylesheet applies (allowed by its hash) and Print is a static file's handler.
    page.goto(f"{live_server.url}/cycles/{cycle.pk}/report.html")
    expect(page.locator("nav.toolbar")).to_be_visible()
    assert page.evaluate("getComputedStyle(document.querySelector('.title-page')).paddingTop") != "0px"
    page.evaluate("window.print = () => { window.printed = true; }")
    page.get_by_role("link", name="Print").click()
    assert page.evaluate("window.printed") is True
    assert page.url.endswith("report.html"), page.url

    violations = [e for e in errors if "Content Security Policy" in e or "Content-Security-Policy" in e]
    assert not violations, violations
    # Nothing else went wrong in a script either (the admin asks for a /favicon.ico there is not).
    assert not [e for e in errors if "status of 404" not in e], errors
