"""What htmx changes on a page is said to screen readers (a live region that stays while the content is
swapped) and leaves the focus where the person was working."""

import pytest
from playwright.sync_api import expect

from tests.reports.scenario import log

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_filtering_the_plan_says_how_many_activities_match(cast, sign_in, live_server):
    page = sign_in("bob")
    page.goto(f"{live_server.url}/plans/nairobi-2007/")
    status = page.locator("#filter-status")
    expect(status).to_have_attribute("role", "status")
    page.get_by_label("Objective").select_option("3")
    expect(status).to_have_text("8 activities match.")
    expect(page.locator("#activities")).to_contain_text("3.8")


def test_a_review_in_the_queue_is_said_and_the_card_keeps_the_focus(cast, sign_in, live_server):
    entry = log(cast["focal_point"], "3.2", "ICAO", "ongoing", "Under way.")
    page = sign_in("alice")
    page.goto(f"{live_server.url}/review/")
    page.locator(f"#review-{entry.pk}").get_by_role("button", name="Accept", exact=True).click()
    expect(page.locator("#review-status")).to_have_text("Entry 3.2 (ICAO): accepted.")
    expect(page.locator(f"#review-{entry.pk}")).to_be_focused()
