"""Each role signs in, finds their next step on the home page, and completes it from there."""

import datetime
import re

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import expect

from actions.models import Participation, ReviewState, StatusEntry
from notifications.delivery import deliver_pending
from notifications.models import Reminder
from organizations.models import Organization
from organizations.roles import Role
from organizations.services import user_invite
from reports.services import cycle_close
from tests.factories import UserFactory
from tests.reports.scenario import accept, give_back, log, new_cycle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def this_year_cycle(staff, days_left: int = 9):
    today = timezone.localdate()
    return new_cycle(
        staff,
        title=f"Stocktaking {today.year}",
        start=datetime.date(today.year, 1, 1),
        end=datetime.date(today.year, 12, 31),
        deadline=today + datetime.timedelta(days=days_left),
    )


def test_a_focal_point_reports_on_what_its_organization_owes_in_the_open_cycle(cast, sign_in, live_server):
    cycle = this_year_cycle(cast["staff"])
    page = sign_in("bob")
    mine = page.locator("article.cycle-line").filter(has_text=cycle.title)
    expect(mine).to_contain_text("9 days left")
    expect(mine).to_contain_text("0 of")
    first = mine.locator("ul.compact a").first
    number = re.sub(r"^Activity ", "", first.inner_text())
    first.click()
    expect(page.get_by_role("heading", name="Log progress")).to_be_visible()
    page.get_by_label("Status").select_option(label="Ongoing")
    page.get_by_label("Observations").fill("Working group met twice this year.")
    page.get_by_role("button", name="Log progress").click()
    expect(page.get_by_text("Progress logged; CTED will review it.")).to_be_visible()

    page.get_by_role("link", name="Home", exact=True).click()
    mine = page.locator("article.cycle-line").filter(has_text=cycle.title)
    expect(mine).to_contain_text("1 of")
    expect(mine.get_by_role("link", name=f"Activity {number}", exact=True)).to_have_count(0)
    expect(page.locator("section[aria-labelledby=awaiting]")).to_contain_text(f"Activity {number}")


def test_a_focal_point_corrects_what_was_returned_from_the_home_page(cast, sign_in, live_server):
    entry = give_back(log(cast["focal_point"], "3.2", "ICAO", "ongoing", "Drafted."), cast["staff"], "Add the link.")
    page = sign_in("bob")
    returned = page.locator("section[aria-labelledby=returned]")
    expect(returned).to_contain_text("Add the link.")
    returned.get_by_role("link", name="Correct it").click()
    expect(page.get_by_role("heading", name="Correct an entry")).to_be_visible()
    page.get_by_label("Observations").fill("Drafted: https://www.icao.int/guidance")
    page.get_by_role("button", name="Save the correction").click()
    expect(page.get_by_text("Progress logged; CTED will review it.")).to_be_visible()
    assert StatusEntry.objects.get(supersedes=entry).review_state == ReviewState.SUBMITTED
    page.get_by_role("link", name="Home", exact=True).click()
    expect(page.locator("section[aria-labelledby=returned]")).to_contain_text("Nothing has been returned.")


def test_staff_open_the_queue_of_one_organization_from_home_and_accept_it_at_once(cast, sign_in, live_server):
    wco = UserFactory(username="charlie", role=Role.FOCAL_POINT, organization=Organization.objects.get(acronym="WCO"))
    icao_entries = [log(cast["focal_point"], n, "ICAO", "ongoing", f"Under way on {n}.") for n in ["3.2", "3.3"]]
    other = log(wco, "3.6", "WCO", "planned", "Planned.")
    page = sign_in("alice")
    review = page.locator("section[aria-labelledby=review]")
    expect(review).to_contain_text("3")
    review.locator("tr", has_text="ICAO").get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/review/\?plan=nairobi-2007&organization=ICAO$"))
    for entry in icao_entries:
        page.locator(f"#review-{entry.pk}").get_by_label(re.compile("Accept with others")).check()
    page.get_by_role("button", name="Accept the ticked entries").click()
    expect(page.get_by_text("2 entries accepted: 3.2 (ICAO), 3.3 (ICAO).")).to_be_visible()
    assert {e.review_state for e in StatusEntry.objects.filter(pk__in=[e.pk for e in icao_entries])} == {"accepted"}
    assert StatusEntry.objects.get(pk=other.pk).review_state == ReviewState.SUBMITTED


def test_the_secretariat_sends_a_reminder_now_from_home_once(cast, sign_in, live_server):
    Participation.objects.filter(plan__code="nairobi-2007").delete()  # the organizations named only
    UserFactory(username="sam", role=Role.SECRETARIAT)
    cycle = this_year_cycle(cast["staff"], days_left=-2)
    page = sign_in("sam")
    line = page.locator("article.cycle-line").filter(has_text=cycle.title)
    expect(line).to_contain_text("overdue by 2 days")
    expect(line).to_contain_text("ICAO")
    line.get_by_role("button", name=re.compile("Send a reminder now")).click()
    expect(page.get_by_text(re.compile(r"\d+ reminders? sent for"))).to_be_visible()
    line = page.locator("article.cycle-line").filter(has_text=cycle.title)
    expect(line).to_contain_text("Reminders sent today at")
    expect(line.get_by_role("button", name=re.compile("Send a reminder now"))).to_have_count(0)
    sent = Reminder.objects.filter(cycle=cycle, step=f"now-{timezone.localdate().isoformat()}")
    assert sent.filter(recipient=cast["focal_point"].email).count() == 1


def test_a_viewer_opens_the_latest_report_of_a_plan_from_home(cast, sign_in, live_server):
    UserFactory(username="victor", role=Role.VIEWER)
    accept(log(cast["focal_point"], "3.3", "ICAO", "completed", "Guidance published."), cast["staff"])
    cycle = new_cycle(cast["staff"])
    cycle_close(cycle=cycle, actor=cast["staff"], confirm=True)
    page = sign_in("victor")
    reports = page.locator("section[aria-labelledby=reports]")
    expect(reports).to_contain_text(cycle.title)
    reports.get_by_role("link", name=cycle.title, exact=True).click()
    expect(page.get_by_role("heading", name=re.compile(r"Completeness: \d+%"))).to_be_visible()


def test_an_invited_person_sets_a_password_and_lands_on_their_home_page(cast, browser, live_server):
    with override_settings(SITE_URL=live_server.url):
        user_invite(
            email="dana@icao.example.org",
            name="Dana Diaz",
            role=Role.FOCAL_POINT,
            organization=cast["focal_point"].focal_point.organization,
            invited_by=cast["staff"],
        )
        deliver_pending()
    [message] = [m for m in mail.outbox if m.to == ["dana@icao.example.org"]]
    [link] = re.findall(r"(http://\S+/accounts/invitation/\S+/)", message.body)
    context = browser.new_context()
    page = context.new_page()
    page.goto(link)
    expect(page.get_by_text("dana@icao.example.org")).to_be_visible()
    page.get_by_label("New password", exact=True).fill("a long and new passphrase 42")
    page.get_by_label("New password confirmation").fill("a long and new passphrase 42")
    page.get_by_role("button", name="Set my password and sign in").click()
    expect(page.get_by_text("Welcome, Dana Diaz: your password is set.")).to_be_visible()
    expect(page.get_by_role("heading", name="ICAO in the open stocktaking cycles")).to_be_visible()
    context.close()
