import pytest
from playwright.sync_api import expect

from actions.models import Activity, ReviewState, StatusEntry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_focal_point_logs_progress_and_staff_accept_it(cast, sign_in, live_server):
    activity = Activity.objects.get(plan__code="nairobi-2007", number="3.2")

    page = sign_in("bob")
    page.goto(f"{live_server.url}/activities/{activity.pk}/")
    expect(page.get_by_role("heading", name="Log progress")).to_be_visible()
    page.get_by_label("Status").select_option(label="In progress")
    page.get_by_label("Observations").fill("ICAO ran two MRTD workshops for the region.")
    page.get_by_role("button", name="Log progress").click()
    expect(page.get_by_text("Progress logged; CTED will review it.")).to_be_visible()
    history = page.locator("ol.timeline")
    expect(history).to_contain_text("ICAO ran two MRTD workshops for the region.")
    expect(history).to_contain_text("Submitted")
    entry = StatusEntry.objects.get(activity=activity)
    assert entry.review_state == ReviewState.SUBMITTED and entry.organization.acronym == "ICAO"

    page = sign_in("alice")
    page.get_by_role("link", name="Review queue", exact=True).click()
    item = page.locator(f"#review-{entry.pk}")
    expect(item).to_contain_text("ICAO ran two MRTD workshops for the region.")
    item.get_by_role("button", name="Accept").click()
    expect(item).to_contain_text("Accepted")
    entry.refresh_from_db()
    assert entry.review_state == ReviewState.ACCEPTED

    page.goto(f"{live_server.url}/plans/nairobi-2007/?objective=3")
    row = page.locator("tr", has=page.get_by_role("link", name="3.2", exact=True))
    expect(row).to_contain_text("In progress")


def test_a_focal_point_finds_no_form_on_another_organizations_activity(cast, sign_in, live_server):
    wco_only = Activity.objects.get(plan__code="nairobi-2007", number="3.6")
    page = sign_in("bob")
    page.goto(f"{live_server.url}/activities/{wco_only.pk}/")
    expect(page.get_by_role("heading", name="Activity 3.6")).to_be_visible()
    expect(page.get_by_role("heading", name="Log progress")).to_have_count(0)
    expect(page.locator("form textarea[name=observations]")).to_have_count(0)


def test_a_returned_entry_shows_its_reason_and_can_be_corrected(cast, sign_in, live_server):
    activity = Activity.objects.get(plan__code="nairobi-2007", number="5.2")
    page = sign_in("bob")
    page.goto(f"{live_server.url}/activities/{activity.pk}/")
    page.get_by_label("Status").select_option(label="Ongoing")
    page.get_by_label("Observations").fill("Audits continue.")
    page.get_by_role("button", name="Log progress").click()
    expect(page.get_by_text("Progress logged; CTED will review it.")).to_be_visible()
    entry = StatusEntry.objects.get(activity=activity)

    staff = sign_in("alice")
    staff.goto(f"{live_server.url}/review/")
    item = staff.locator(f"#review-{entry.pk}")
    item.get_by_role("button", name="Return with comment").click()
    # The browser itself refuses an empty reason; nothing is sent.
    assert StatusEntry.objects.get(pk=entry.pk).review_state == ReviewState.SUBMITTED
    item.get_by_label("Reason for returning").fill("Say which States were audited.")
    item.get_by_role("button", name="Return with comment").click()
    expect(item).to_contain_text("Returned")

    page.goto(f"{live_server.url}/activities/{activity.pk}/")
    expect(page.locator("ol.timeline")).to_contain_text("Say which States were audited.")
    page.get_by_role("link", name="Correct this entry").click()
    # The form says what it corrects, and a correction can be given up.
    expect(page.get_by_role("heading", name="Correct an entry")).to_be_visible()
    expect(page.get_by_role("link", name="Cancel")).to_be_visible()
    page.get_by_label("Observations").fill("Audits continue: 12 States audited in 2026.")
    page.get_by_role("button", name="Save the correction").click()
    expect(page.get_by_text("Progress logged; CTED will review it.")).to_be_visible()
    correction = StatusEntry.objects.get(supersedes=entry)
    assert correction.observations == "Audits continue: 12 States audited in 2026."
    assert StatusEntry.objects.filter(activity=activity).count() == 2
