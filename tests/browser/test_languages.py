"""The language switch in a browser: a person changes language from the header and keeps it; in
Arabic the page is right to left, its header mirrored, and nothing overflows sideways."""

import pytest
from playwright.sync_api import expect

from organizations.models import Profile

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def overflow(page) -> int:
    """How many pixels the page is wider than the window (0 when nothing scrolls sideways)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def switch_to(page, name: str) -> None:
    page.get_by_label("Language").select_option(label=name)
    page.get_by_role("button", name="Change language").click()


def test_the_switch_changes_the_page_s_language_and_keeps_it(cast, sign_in, live_server):
    page = sign_in("alice")
    switch_to(page, "Français")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    assert page.url == f"{live_server.url}/"  # back on the page it was sent from
    page.goto(f"{live_server.url}/plans/nairobi-2007/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    assert Profile.objects.get(user__username="alice").language == "fr"


@pytest.mark.parametrize("width", [1280, 390])
def test_in_arabic_the_page_is_right_to_left_with_its_header_mirrored_and_nothing_overflows(
    cast, sign_in, live_server, width
):
    page = sign_in("alice", viewport={"width": width, "height": 900})
    english_brand = page.locator("header .brand").bounding_box()
    assert english_brand["x"] < width / 2  # the brand on the left in English
    if width < 700:  # on a phone the switch is behind "Menu", with the links
        page.get_by_role("button", name="Menu").click()
    page.get_by_label("Language").select_option("ar")
    page.locator("form.language button").click()  # named in Arabic once the catalogue has it
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    brand = page.locator("header .brand").bounding_box()
    assert brand["x"] + brand["width"] > width / 2  # on the right, where an Arabic reader starts
    if width < 700:
        toggle = page.locator("button.menu-toggle").bounding_box()
        assert toggle["x"] < brand["x"]  # and "Menu" at the other end, on the left
    for path in ["/", "/plans/nairobi-2007/", "/review/", "/organizations/"]:
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        assert overflow(page) <= 0, path
