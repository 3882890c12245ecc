"""The header on a phone folds its links behind "Menu"; on a wide screen they are all in view."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_on_a_phone_the_links_fold_behind_menu_and_open_with_it(cast, sign_in, live_server):
    page = sign_in("alice", viewport={"width": 390, "height": 844})
    menu = page.get_by_role("button", name="Menu")
    queue = page.get_by_role("link", name="Review queue", exact=True)
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(queue).to_be_hidden()
    assert page.locator("header.topbar").bounding_box()["height"] < 70
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    queue.click()
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()


def test_on_a_wide_screen_every_link_is_in_view_and_no_menu_button(cast, sign_in, live_server):
    page = sign_in("alice")
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.get_by_role("link", name="Review queue", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
