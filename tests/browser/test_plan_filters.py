"""The plan page's filters and its list agree after Back and Forward, and the list alone is never shown."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_back_shows_the_filters_and_the_list_they_filter(cast, sign_in, live_server):
    page = sign_in("alice")
    page.goto(f"{live_server.url}/plans/nairobi-2007/")
    objective = page.locator("select[name=objective]")
    objective.select_option("3")
    expect(page).to_have_url(re.compile(r"\?objective=3\b"), timeout=5000)
    objective.select_option("5")
    expect(page).to_have_url(re.compile(r"\?objective=5\b"), timeout=5000)
    expect(page.get_by_role("link", name="5.1", exact=True)).to_be_visible()

    page.go_back()
    expect(page).to_have_url(re.compile(r"\?objective=3\b"))
    expect(page.get_by_role("link", name="3.2", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="5.1", exact=True)).to_have_count(0)
    expect(objective).to_have_value("3")
    expect(page.locator("header.topbar")).to_be_visible()  # the whole page, not the list alone

    page.go_forward()
    expect(page).to_have_url(re.compile(r"\?objective=5\b"))
    expect(objective).to_have_value("5")
    expect(page.get_by_role("link", name="5.1", exact=True)).to_be_visible()
