"""The home page: each role's work first (tracker/home.py), and the "send a reminder now" button."""

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actions.models import Activity, OrganizationProgress, Participation, Plan
from notifications.jobs import send_cycle_reminders, send_reminders_now
from notifications.models import Reminder
from organizations.models import FocalPoint
from reports.models import StocktakingCycle
from reports.services import cycle_close
from tests.factories import ActivityFactory, ObjectiveFactory, PlanFactory, ResponsibilityFactory, StatusEntryFactory
from tests.reports.scenario import accept, give_back, log, new_cycle
from tracker.home import CYCLES_SHOWN, HOME_PLANS_PAGE_SIZE, OWED_SHOWN

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def named_only():
    """The Nairobi plan without participants: only the organizations its activities name report."""
    Participation.objects.filter(plan__code="nairobi-2007").delete()


def section(html: str, heading_id: str) -> str:
    """The HTML of the home page's section labelled by the heading with ``heading_id``."""
    start = html.index(f'aria-labelledby="{heading_id}"')
    return html[start : html.index("</section>", start)]


def open_cycle(staff, *, days_left: int = 10, **kwargs) -> StocktakingCycle:
    """The Nairobi plan's cycle of this year, open, its deadline ``days_left`` days away."""
    today = timezone.localdate()
    kwargs.setdefault("title", f"Stocktaking {today.year}")
    return new_cycle(
        staff,
        start=datetime.date(today.year, 1, 1),
        end=datetime.date(today.year, 12, 31),
        deadline=today + datetime.timedelta(days=days_left),
        **kwargs,
    )


# --- Everyone: the plans, the latest reports, what changed ---


def test_the_home_page_shows_the_plans_a_page_at_a_time_with_their_counts(viewer, django_assert_num_queries, settings):
    settings.API_ANSWERS_KEPT = False  # counted on every visit: what a page costs when nothing is kept
    client = signed_in(viewer)
    client.get("/")  # the session is read and written once
    # session, user, role, plans counted, a page of them, counts, latest reports, recent
    with django_assert_num_queries(8) as few:
        client.get("/")
    for n in range(HOME_PLANS_PAGE_SIZE + 3):
        ActivityFactory(objective=ObjectiveFactory(plan=PlanFactory(code=f"many-{n:02}", adopted_on=None)))
    total = Plan.objects.count()
    with django_assert_num_queries(len(few.captured_queries)):
        first = client.get("/").content.decode()
    second = client.get("/", {"page": 2}).content.decode()
    card = r'<section class="card">\s*<h3><a href="/plans/([^/]+)/"><span lang="en">'
    cards = [re.findall(card, html) for html in (first, second)]
    assert len(cards[0]) == HOME_PLANS_PAGE_SIZE and len(cards[1]) == total - HOME_PLANS_PAGE_SIZE
    assert set(cards[0]) | set(cards[1]) == set(Plan.objects.values_list("code", flat=True))
    assert "nairobi-2007" in cards[0]  # adopted plans first, the latest first
    assert "Page 1 of 2" in first and "Page 2 of 2" in second


def test_the_home_page_counts_are_kept_until_anything_changes(focal_point, staff, django_assert_num_queries):
    def nairobi_completed(response) -> int:
        counts = {plan.code: counts for plan, counts in response.context["plans"]}
        return counts["nairobi-2007"].get("completed", 0)

    client = signed_in(focal_point)
    client.get("/")
    with django_assert_num_queries(10) as kept:
        before = client.get("/")
    counting = [
        q["sql"]
        for q in kept.captured_queries
        if '"counted_status"' in q["sql"] or 'SELECT COUNT(*) AS "__count" FROM "actions_activity"' in q["sql"]
    ]
    assert not counting
    accept(log(focal_point, "3.3", "ICAO", "completed", "Guidance published."), staff)
    after = client.get("/")
    assert after.context["to_report_count"] == before.context["to_report_count"] - 1
    assert nairobi_completed(after) == nairobi_completed(before) + 1


def test_a_viewer_sees_each_plan_s_latest_report_and_how_much_was_logged_since(viewer, staff, focal_point):
    older = new_cycle(staff, title="First half 2024", start=datetime.date(2024, 1, 1), end=datetime.date(2024, 6, 30))
    cycle_close(cycle=older, actor=staff, confirm=True)
    accept(log(focal_point, "3.3", "ICAO", "completed", "Guidance published."), staff)
    latest = new_cycle(staff)  # the first half of 2025: ICAO's one entry of 3.3 counts in it
    cycle_close(cycle=latest, actor=staff, confirm=True)
    log(focal_point, "3.2", "ICAO", "ongoing", "After the close.")
    log(staff, "1.1", "CTC", "ongoing", "Also after.", confidentiality="restricted")

    html = signed_in(viewer).get("/").content.decode()
    reports = section(html, "reports")
    assert "First half 2025" in reports and "First half 2024" not in reports  # the latest only
    frozen = latest.frozen_reports["participants"]
    share = round(100 * frozen["reported_pairs"] / frozen["expected_pairs"])
    assert f"{share}% · {frozen['reported_pairs']} of {frozen['expected_pairs']}" in reports
    assert "1 entry" in reports  # logged since it closed; the restricted one is not the viewer's to count
    assert f'href="/cycles/{latest.pk}/report.pdf"' in reports
    # Nothing of another role's work.
    assert 'aria-labelledby="cycles"' not in html and 'aria-labelledby="review"' not in html
    assert 'aria-labelledby="my-cycles"' not in html
    assert "2 entries" in section(signed_in(staff).get("/").content.decode(), "reports")  # staff count both


# --- A focal point: the cycles it reports in, what came back, what waits ---


def test_a_focal_point_sees_the_open_cycle_its_deadline_and_what_it_still_owes_in_it(focal_point, staff, icao):
    cycle = open_cycle(staff, days_left=5)
    today = timezone.localdate()
    # 3.3 reported in the cycle's period counts; 3.4 reported last year does not.
    log(focal_point, "3.3", "ICAO", "completed", "Done.", reported_on=today)
    log(focal_point, "3.4", "ICAO", "ongoing", "Last year.", reported_on=datetime.date(today.year - 1, 6, 1))
    mine = section(signed_in(focal_point).get("/").content.decode(), "my-cycles")
    assert cycle.title in mine and f'href="/cycles/{cycle.pk}/"' in mine
    assert cycle.deadline.strftime("%-d %b %Y") in mine and "5 days left" in mine
    expected = len([pair for pair in cycle.reporters().expected if pair.organization == icao])
    assert f"1 of {expected}" in mine
    owed_links = re.findall(r'href="/activities/(\d+)/#log">Activity ([\d.]+)<', mine)
    numbers = [number for _, number in owed_links]
    assert len(numbers) == OWED_SHOWN and "3.3" not in numbers
    assert f"{expected - 1 - OWED_SHOWN} more on ICAO's page" in mine


def test_a_focal_point_sees_only_the_cycles_of_plans_its_organization_reports_in(focal_point, staff, icao):
    plan = PlanFactory(code="elsewhere", title="A plan ICAO has no part in")
    ActivityFactory(objective=ObjectiveFactory(plan=plan))
    today = timezone.localdate()
    StocktakingCycle.objects.create(
        plan=plan, title="Not ICAO's", period_start=today, period_end=today, deadline=today, state="open"
    )
    html = signed_in(focal_point).get("/").content.decode()
    assert "Not ICAO's" not in section(html, "my-cycles")
    assert "No stocktaking cycle that ICAO reports in is open." in html
    everything = section(signed_in(staff).get("/").content.decode(), "cycles")
    assert "Not ICAO&#x27;s" in everything


def test_a_focal_point_sees_what_was_returned_with_the_reason_and_a_way_to_correct_it(focal_point, staff):
    returned = give_back(log(focal_point, "3.2", "ICAO", "ongoing", "Drafted."), staff, "Add the link to the guidance.")
    waiting = log(focal_point, "3.3", "ICAO", "completed", "Published.")
    html = signed_in(focal_point).get("/").content.decode()
    back = section(html, "returned")
    assert '<span class="count">1</span>' in back and "Add the link to the guidance." in back
    assert f'href="{returned.activity.get_absolute_url()}?correct={returned.pk}#log"' in back
    awaiting = section(html, "awaiting")
    assert '<span class="count">1</span>' in awaiting and f'href="{waiting.activity.get_absolute_url()}"' in awaiting

    # Corrected: it waits for review now, and nothing is returned any more.
    correction = log(focal_point, "3.2", "ICAO", "ongoing", "Drafted: https://example.org/g", supersedes=returned)
    html = signed_in(focal_point).get("/").content.decode()
    assert "Nothing has been returned." in section(html, "returned")
    assert correction.activity.get_absolute_url() in section(html, "awaiting")
    assert '<span class="count">2</span>' in section(html, "awaiting")


def test_a_focal_point_s_never_reported_count_is_every_activity_without_an_entry(focal_point, icao):
    objective = ObjectiveFactory(plan=Plan.objects.get(code="nairobi-2007"), number=11)
    for _ in range(30):
        ResponsibilityFactory(activity=ActivityFactory(objective=objective), organization=icao)
    StatusEntryFactory(activity=Activity.objects.get(plan__code="nairobi-2007", number="3.2"), organization=icao)
    answered = OrganizationProgress.objects.filter(organization=icao).values("activity_id")
    never = Activity.objects.open_to(icao).exclude(pk__in=answered).count()
    html = signed_in(focal_point).get("/").content.decode()
    assert f"{never} activities ICAO answers for have never had an entry" in html


# --- CTED staff: the queue by plan and organization ---


def test_staff_see_the_queue_by_plan_and_organization_each_linked_to_the_queue_so_filtered(
    staff, focal_point, other_focal_point
):
    for number in ["3.2", "3.3"]:
        log(focal_point, number, "ICAO", "ongoing", "Under way.")
    log(other_focal_point, "1.2", "WCO", "ongoing", "Under way.")
    queue = section(signed_in(staff).get("/").content.decode(), "review")
    assert '<span class="count">3</span>' in queue
    rows = re.findall(
        r'<td data-label="Organization">(\w+)</td>\s*<td data-label="Waiting"><a href="([^"]+)">(\d+)', queue
    )
    assert [(acronym, count) for acronym, _, count in rows] == [("ICAO", "2"), ("WCO", "1")]  # the most first
    assert rows[0][1] == "/review/?plan=nairobi-2007&amp;organization=ICAO"
    filtered = signed_in(staff).get("/review/", {"plan": "nairobi-2007", "organization": "ICAO"})
    assert len(re.findall(r'id="review-\d+"', filtered.content.decode())) == 2


def test_the_queue_s_counts_are_kept_until_an_entry_is_logged_or_reviewed(staff, focal_point):
    def waiting(response) -> tuple[int, list[tuple[str, int]]]:
        return response.context["review_count"], [
            (g["acronym"], g["waiting"]) for g in response.context["review_groups"]
        ]

    first = log(focal_point, "3.2", "ICAO", "ongoing", "Under way.")
    client = signed_in(staff)
    assert waiting(client.get("/")) == (1, [("ICAO", 1)])
    with CaptureQueriesContext(connection) as kept:
        client.get("/")
    assert not [q["sql"] for q in kept.captured_queries if "COUNT(" in q["sql"] and "submitted" in q["sql"]]
    log(focal_point, "3.3", "ICAO", "ongoing", "Under way.")
    assert waiting(client.get("/")) == (2, [("ICAO", 2)])
    accept(first, staff)
    assert waiting(client.get("/")) == (1, [("ICAO", 1)])


def test_staff_and_the_secretariat_see_the_cycles_with_completeness_and_who_has_not_reported(
    staff, secretariat, focal_point, named_only
):
    overdue = open_cycle(staff, days_left=-3)
    accept(log(focal_point, "3.3", "ICAO", "completed", "Done.", reported_on=timezone.localdate()), staff)
    planned = StocktakingCycle.objects.create(
        plan=Plan.objects.get(code="cica-2008"),
        title="Review next year",
        period_start=timezone.localdate(),
        period_end=timezone.localdate() + datetime.timedelta(days=300),
        deadline=timezone.localdate() + datetime.timedelta(days=330),
    )
    for user in (staff, secretariat):
        cycles = section(signed_in(user).get("/").content.decode(), "cycles")
        assert cycles.index(overdue.title) < cycles.index(planned.title)  # soonest deadline first
        assert "overdue by 3 days" in cycles and "330 days left" in cycles
        report = overdue.unreported()
        silent = sorted(o.acronym for o in report)
        named = re.findall(r'href="/organizations/([^/]+)/"', cycles[: cycles.index(planned.title)])
        assert named == silent[: len(named)] and "ICAO" in silent  # ICAO still owes others
        progress_shown = re.search(r"(\d+)% · (\d+) of (\d+)", cycles)
        expected = sum(len(a) for a in report.values()) + 1
        assert progress_shown.group(2, 3) == ("1", str(expected))
        assert cycles.count("Send a reminder now") == 1  # for the open cycle, not the planned one


def test_the_home_page_lists_the_first_cycles_and_links_to_all(secretariat, staff):
    today = timezone.localdate()
    plan = Plan.objects.get(code="nairobi-2007")
    for n in range(CYCLES_SHOWN + 2):
        StocktakingCycle.objects.create(
            plan=plan,
            title=f"Planned {n:02}",
            period_start=today,
            period_end=today,
            deadline=today + datetime.timedelta(days=n),
        )
    cycles = section(signed_in(secretariat).get("/").content.decode(), "cycles")
    assert re.findall(r">Planned (\d+)</a>", cycles) == [f"{n:02}" for n in range(CYCLES_SHOWN)]
    assert f"All {CYCLES_SHOWN + 2} on the stocktaking page" in cycles


# --- Send a reminder now: recorded like the scheduled ones, once a day per cycle ---


def test_the_secretariat_sends_a_cycle_s_reminders_now_once_a_day(secretariat, staff, focal_point, named_only):
    cycle = open_cycle(staff)
    client = signed_in(secretariat)
    response = client.post(f"/cycles/{cycle.pk}/remind/", {"next": "/"}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    today = timezone.localdate()
    sent = Reminder.objects.filter(cycle=cycle, step=f"now-{today.isoformat()}")
    silent = cycle.unreported()
    focal_points = FocalPoint.objects.filter(organization__in=silent, is_active=True).exclude(email="")
    assert sent.count() == focal_points.count() > 0
    assert {r.requested_by for r in sent} == {secretariat}
    reached = {focal_point.organization for focal_point in focal_points}
    assert {r.key for r in sent} == {f"cycle:{cycle.pk}:{o.acronym}:now-{today.isoformat()}" for o in reached}
    reminder = sent.get(recipient=focal_point.email)
    assert "Dear focal points of ICAO" in reminder.body.text
    assert re.search(rf"{sent.count()} reminders? sent for", response.content.decode())
    cycles = section(response.content.decode(), "cycles")
    assert "Send a reminder now" not in cycles and "Reminders sent today at" in cycles and "by " in cycles

    # The same day, whoever asks: refused, with when and by whom; nothing more is written.
    again = signed_in(staff).post(f"/cycles/{cycle.pk}/remind/", follow=True)
    assert "already sent today at" in again.content.decode() and sam_named(again.content.decode(), secretariat)
    assert Reminder.objects.filter(cycle=cycle).count() == sent.count()


def sam_named(html: str, user) -> bool:
    return (user.get_full_name() or user.username) in html


def test_the_next_day_reminders_may_be_sent_again(secretariat, staff, focal_point, named_only):
    cycle = open_cycle(staff)
    today = timezone.localdate()
    first = send_reminders_now(cycle=cycle, actor=secretariat, today=today)
    second = send_reminders_now(cycle=cycle, actor=secretariat, today=today + datetime.timedelta(days=1))
    assert first == second > 0
    assert Reminder.objects.filter(cycle=cycle).count() == first + second


def test_only_those_who_run_stocktaking_send_reminders_and_only_for_an_open_cycle(
    viewer, focal_point, staff, secretariat
):
    cycle = open_cycle(staff)
    for user in (viewer, focal_point):
        assert signed_in(user).post(f"/cycles/{cycle.pk}/remind/").status_code == 403
    assert signed_in(viewer).get(f"/cycles/{cycle.pk}/remind/").status_code == 405
    cycle_close(cycle=cycle, actor=staff, confirm=True)
    closed = signed_in(secretariat).post(f"/cycles/{cycle.pk}/remind/", follow=True)
    assert "Reminders are sent for an open cycle only." in closed.content.decode()
    assert not Reminder.objects.filter(cycle=cycle).exists()
    assert signed_in(secretariat).post("/cycles/999999/remind/").status_code == 404


def test_after_a_reminder_the_page_returns_only_to_the_site(secretariat, staff):
    cycle = open_cycle(staff)
    response = signed_in(secretariat).post(f"/cycles/{cycle.pk}/remind/", {"next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == f"/cycles/{cycle.pk}/"


@pytest.mark.parametrize("role", ["viewer", "focal_point", "staff", "secretariat"])
def test_the_home_page_s_queries_do_not_grow_with_the_cycles_and_entries(
    role, request, staff, focal_point, icao, django_assert_max_num_queries, settings
):
    """More cycles than the page shows, and entries returned and waiting: the same queries, or fewer."""
    settings.API_ANSWERS_KEPT = False  # counted on every visit, before and after
    user = request.getfixturevalue(role)
    client = signed_in(user)
    today = timezone.localdate()
    open_cycle(staff)
    give_back(log(focal_point, "3.2", "ICAO", "ongoing", "Under way.", reported_on=today), staff)
    log(focal_point, "3.3", "ICAO", "ongoing", "Under way.", reported_on=today)
    client.get("/")
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    for plan in Plan.objects.all():
        for n in range(CYCLES_SHOWN):
            StocktakingCycle.objects.create(
                plan=plan, title=f"More {n}", period_start=today, period_end=today, deadline=today
            )
    more = Activity.objects.open_to(icao).filter(plan__code="nairobi-2007").exclude(number__in=["3.2", "3.3"])
    for number in [activity.number for activity in more[:3]]:
        give_back(log(focal_point, number, "ICAO", "ongoing", "Under way.", reported_on=today), staff)
        log(focal_point, number, "ICAO", "ongoing", "Again.", reported_on=today)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/")


def test_an_organization_with_nothing_returned_or_waiting_says_so(focal_point):
    html = signed_in(focal_point).get("/").content.decode()
    assert "Nothing has been returned." in html and "No entry is waiting for CTED's review." in html


def test_a_focal_point_finds_its_cycle_behind_many_open_cycles_of_other_plans(focal_point, staff):
    today = timezone.localdate()
    for n in range(CYCLES_SHOWN + 1):  # sooner deadlines, plans ICAO has no part in
        plan = PlanFactory(code=f"other-{n}")
        ActivityFactory(objective=ObjectiveFactory(plan=plan))
        StocktakingCycle.objects.create(
            plan=plan, title=f"Other {n}", period_start=today, period_end=today, deadline=today, state="open"
        )
    cycle = open_cycle(staff, days_left=30)
    mine = section(signed_in(focal_point).get("/").content.decode(), "my-cycles")
    assert cycle.title in mine and "Other " not in mine


def test_no_reminder_is_sent_by_hand_on_a_day_the_scheduled_one_went(secretariat, staff, focal_point, named_only):
    cycle = open_cycle(staff, days_left=7)
    today = timezone.localdate()
    assert send_cycle_reminders(today) != "0 reminder(s) written"
    before = Reminder.objects.filter(cycle=cycle).count()
    cycles = section(signed_in(secretariat).get("/").content.decode(), "cycles")
    assert "Send a reminder now" not in cycles and "The scheduled reminders went today at" in cycles
    refused = signed_in(secretariat).post(f"/cycles/{cycle.pk}/remind/", follow=True).content.decode()
    assert "This cycle&#x27;s scheduled reminders went today at" in refused
    assert Reminder.objects.filter(cycle=cycle).count() == before
    assert send_reminders_now(cycle=cycle, actor=secretariat, today=today + datetime.timedelta(days=1)) > 0
