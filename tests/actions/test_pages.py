import datetime
import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import formats, timezone

from actions.display import LIGHT_TEXT, STATUS_COLOURS
from actions.models import (
    Activity,
    Confidentiality,
    Participation,
    ReviewState,
    Status,
    StatusEntry,
    StatusEntryReview,
)
from organizations.models import Organization, OrganizationKind
from tests.factories import (
    ActivityFactory,
    ObjectiveFactory,
    OrganizationFactory,
    PlanFactory,
    ResponsibilityFactory,
    StatusEntryFactory,
)

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def add_history(count: int, icao) -> None:
    """Entries (with reviews) across the Nairobi plan, to show a page's queries do not grow."""
    activities = list(Activity.objects.filter(plan__code="nairobi-2007", number__in=["3.2", "1.1", "2.1", "5.5"]))
    for n in range(count):
        entry = StatusEntryFactory(
            activity=activities[n % len(activities)], organization=icao, review_state=ReviewState.SUBMITTED
        )
        if n % 2:
            StatusEntryReview.objects.create(entry=entry, reviewer=entry.author, decision="accept")


@pytest.mark.parametrize(
    ("path", "user_fixture", "queries"),
    [
        # session, user, role (groups), plans counted, a page of plans with counts, distribution
        # by plan, the plans' latest reports, recent entries, review count, the queue counted by
        # plan and organization and their names (2), first five to review, the cycles under way
        # (counted only beyond a page); only a focal point has an organization.
        # tests/tracker/test_home.py has the rest.
        ("/", "staff", 13),
        # session, user, role, organization, plans counted, a page of them, distribution, latest
        # reports, recent entries, open cycles, entries returned and waiting counted, those
        # waiting (none is returned), how many activities were never reported on
        ("/", "focal_point", 13),
        # session, user, role, plan, objectives, organizations and themes for the filters,
        # activities with status and responsibilities (2), distribution by objective,
        # participants with their organizations
        ("/plans/nairobi-2007/", "viewer", 11),
        # the same, and the organizations not taking part (staff's form to add a participant)
        ("/plans/nairobi-2007/", "staff", 12),
        # session, user, role, activity with its overall status, responsibilities, open kinds,
        # themes, organizations open to it (staff's form), each organization's latest entry,
        # the timeline's count and page, the page's reviews, its not-applicable declarations
        ("/activities/{3.2}/", "staff", 13),
        # session, user, role, organization with parent, children, focal points,
        # the count of activities it answers for, a page of them with statuses
        ("/organizations/ICAO/", "viewer", 8),
        # session, user, role, the count of submitted entries, a page of them, the filters' plans and organizations
        ("/review/", "staff", 7),
    ],
)
def test_page_query_counts_do_not_grow_with_entries(
    request, django_assert_num_queries, path, user_fixture, queries, icao
):
    user = request.getfixturevalue(user_fixture)
    client = signed_in(user)
    if "{3.2}" in path:
        path = path.replace("{3.2}", str(Activity.objects.get(plan__code="nairobi-2007", number="3.2").pk))
    add_history(4, icao)  # one entry on each activity the history touches, 3.2 included
    with django_assert_num_queries(queries):
        assert client.get(path).status_code == 200
    add_history(40, icao)
    objective = ObjectiveFactory(plan=Activity.objects.get(plan__code="nairobi-2007", number="3.2").plan, number=11)
    for _ in range(10):
        ResponsibilityFactory(activity=ActivityFactory(objective=objective), organization=icao)
    with django_assert_num_queries(queries):
        assert client.get(path).status_code == 200


def test_the_plan_page_lists_objectives_and_activities_with_their_status(viewer, icao):
    activity = Activity.objects.get(plan__code="nairobi-2007", number="3.2")
    StatusEntryFactory(activity=activity, organization=icao, status="completed")
    html = signed_in(viewer).get("/plans/nairobi-2007/").content.decode()
    numbers = re.findall(r'data-label="No."><a href="/activities/\d+/">([\d.]+)</a>', html)
    assert (len(numbers) == 40 and numbers[8] == "1.9") or numbers[:3] == ["1.1", "1.2", "1.3"]
    assert numbers[-2:] == ["10.1", "10.2"]
    assert html.count('class="status-bar"') == 10
    assert "Completed: 1" in html  # the chart's text equivalent for objective 3


def test_the_plan_page_s_status_counts_are_kept_until_an_entry_changes_them(viewer, icao):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def completed_in_objective_3(response) -> int:
        return {o.number: counts for o, _, counts in response.context["objectives"]}[3].get("completed", 0)

    client = signed_in(viewer)
    first = client.get("/plans/nairobi-2007/")
    with CaptureQueriesContext(connection) as again:
        client.get("/plans/nairobi-2007/")
    assert not [q for q in again.captured_queries if '"counted_status"' in q["sql"]]
    StatusEntryFactory(activity=Activity.objects.get(plan__code="nairobi-2007", number="3.2"), organization=icao,
                       status="completed")  # fmt: skip
    assert completed_in_objective_3(client.get("/plans/nairobi-2007/")) == completed_in_objective_3(first) + 1


def test_an_organization_pages_count_is_kept_until_an_activity_opens_to_it(viewer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in(viewer)
    url = "/organizations/WCO/"
    first = client.get(url)
    with CaptureQueriesContext(connection) as again:
        client.get(url)
    counted = 'SELECT COUNT(*) AS "__count" FROM "actions_activity"'
    assert not [q for q in again.captured_queries if q["sql"].startswith(counted)]
    activity = ActivityFactory(objective=ObjectiveFactory(plan=PlanFactory(code="newly-named")))
    ResponsibilityFactory(activity=activity, organization=Organization.objects.get(acronym="WCO"))
    after = client.get(url)
    assert after.context["page"].paginator.count == first.context["page"].paginator.count + 1


def test_the_plan_page_rows_escape_what_people_typed_and_link_each_organization(viewer, staff):
    objective = ObjectiveFactory(number=1)
    plan = objective.plan
    acme = OrganizationFactory(acronym="A&B", name='Agency "A" & <B>')
    activity = ActivityFactory(
        objective=objective, text="<script>alert(1)</script> & more", responsible_text="<i>All</i>"
    )
    ResponsibilityFactory(activity=activity, organization=acme)
    Participation.objects.create(plan=plan, organization=acme, joined_on=datetime.date(2020, 3, 1))
    quiet = ActivityFactory(objective=objective)
    StatusEntryFactory(activity=activity, organization=acme, status="completed")
    for user in (viewer, staff):
        html = signed_in(user).get(f"/plans/{plan.code}/").content.decode()
        assert "<script>alert" not in html and "<i>All</i>" not in html
        assert (
            f'<td data-label="No."><a href="/activities/{activity.pk}/">{activity.number}</a></td>\n'
            f'<td data-label="Activity"><a class="plain" href="/activities/{activity.pk}/" lang="en">'
            "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more</a></td>\n"
            '<td data-label="Responsible"><span lang="en">&lt;i&gt;All&lt;/i&gt;</span><div class="orgs">'
            '<a href="/organizations/A&amp;B/">A&amp;B</a></div></td>\n'
            '<td data-label="Status"><span class="badge status-completed">Completed</span></td>\n'
            f'<td data-label="Last update">{formats.date_format(timezone.localdate(), "j M Y")}</td>'
        ) in html
        assert f'<a href="/activities/{quiet.pk}/">{quiet.number}</a>' in html
        assert '<td data-label="Last update">—</td>' in html
        assert (
            '<td data-label="Organization"><a href="/organizations/A&amp;B/" title="Agency &quot;A&quot; &amp; '
            '&lt;B&gt;">A&amp;B</a></td>'
        ) in html
        leave = f"/plans/{plan.code}/participants/{plan.participations.get().pk}/left/"
        assert (leave in html) == (user == staff)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("objective=3", [f"3.{n}" for n in range(1, 9)]),
        # Named in 8.2, 9.1 and 9.2; a UN body, so also on what is open to "relevant UN bodies".
        ("organization=UNHCR", ["3.4", "3.5", "4.2", "4.3", "7.1", "8.2", "9.1", "9.2", "10.1", "10.2"]),
        ("status=completed", ["3.2"]),
        ("theme=maritime-security", ["3.5"]),
        ("theme=standards&objective=3", ["3.4", "3.5", "3.6"]),
        ("q=asylum+refugee", ["9.1"]),
        ("objective=3&status=none", ["3.1", "3.3", "3.4", "3.5", "3.6", "3.7", "3.8"]),
    ],
)
def test_plan_page_filters_stay_in_the_address(viewer, icao, query, expected):
    StatusEntryFactory(
        activity=Activity.objects.get(plan__code="nairobi-2007", number="3.2"), organization=icao, status="completed"
    )
    html = signed_in(viewer).get(f"/plans/nairobi-2007/?{query}").content.decode()
    assert re.findall(r'data-label="No."><a href="/activities/\d+/">([\d.]+)</a>', html) == expected


def test_plan_page_filters_answer_htmx_with_the_activities_only(viewer):
    response = signed_in(viewer).get("/plans/nairobi-2007/?objective=9", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and 'name="objective"' not in html
    assert re.findall(r'data-label="No."><a href="/activities/\d+/">([\d.]+)</a>', html) == ["9.1", "9.2"]


def test_a_bad_plan_filter_is_a_clear_message(viewer):
    response = signed_in(viewer).get("/plans/nairobi-2007/?objective=99&status=finished")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert signed_in(viewer).get("/plans/no-such-plan/").status_code == 404


def options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S)[0]
    return re.findall(r'<option value="([^"]*)"', select)


def test_the_plan_page_offers_only_what_is_in_its_plan(viewer):
    cica = signed_in(viewer).get("/plans/cica-2008/").content.decode()
    assert options(cica, "objective") == ["", "1", "2", "3", "4"]
    assert options(cica, "organization") == ["", "CICA", "IOM"]
    assert options(cica, "theme") == [""]  # no CICA activity has a theme
    assert options(cica, "status") == ["", *Status.values, "none"]
    nairobi = signed_in(viewer).get("/plans/nairobi-2007/").content.decode()
    assert options(nairobi, "organization") == ["", "CTC", "CTED", "ICAO", "IMO", "INTERPOL", "OHCHR", "UNHCR", "WCO"]
    assert "maritime-security" in options(nairobi, "theme") and 'name="plan"' not in nairobi


@pytest.mark.parametrize("query", ["theme=maritime-security", "organization=ICAO", "objective=9"])
def test_a_filter_from_another_plan_is_an_error_on_the_plan_page_and_lists_nothing(viewer, query):
    html = signed_in(viewer).get(f"/plans/cica-2008/?{query}").content.decode()
    assert '<p class="error" role="alert">Select a valid choice.' in html
    assert re.findall(r'data-label="No."><a href="/activities/\d+/">([\d.]+)</a>', html) == []


def test_the_activity_page_shows_each_organizations_latest_status_and_the_history(viewer, icao):
    activity = Activity.objects.get(plan__code="nairobi-2007", number="3.3")
    StatusEntryFactory(activity=activity, organization=icao, status="planned", observations="First plans.")
    StatusEntryFactory(
        activity=activity, organization=icao, status="delayed", observations="Secret.", confidentiality="restricted"
    )
    html = signed_in(viewer).get(f"/activities/{activity.pk}/").content.decode()
    assert activity.text in html
    assert "First plans." in html and "Secret." not in html
    assert html.count('class="badge status-planned"') >= 2  # ICAO's latest, and the history
    assert "INTERPOL" in html and "No entry" in html
    assert "Log progress" not in html  # a viewer has no form


def test_forms_enforce_csrf(focal_point):
    activity = Activity.objects.get(plan__code="nairobi-2007", number="3.2")
    client = Client(enforce_csrf_checks=True)
    client.force_login(focal_point)
    data = {"organization": focal_point.focal_point.organization_id, "status": "planned", "observations": "x",
            "reported_on": "2026-01-05", "confidentiality": Confidentiality.PARTICIPANTS}  # fmt: skip
    assert client.post(f"/activities/{activity.pk}/", data).status_code == 403
    assert not StatusEntry.objects.exists()
    page = client.get(f"/activities/{activity.pk}/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    assert client.post(f"/activities/{activity.pk}/", {**data, "csrfmiddlewaretoken": token}).status_code == 302
    assert StatusEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("status", "finished", "Select a valid choice"),
        ("observations", "", "This field is required."),
        ("observations", "x" * 5001, "Ensure this value has at most 5000 characters"),
        ("evidence", "not a link", "“not a link” is not a web address"),
        ("reported_on", "2999-01-01", "An entry reports on a day that has come"),
        ("reported_on", "yesterday", "Give the day as 23 Nov 2026 (or 2026-11-23)."),
    ],
)
def test_bad_input_on_the_log_form_is_a_form_error_and_writes_nothing(focal_point, field, value, message):
    activity = Activity.objects.get(plan__code="nairobi-2007", number="3.2")
    data = {"organization": focal_point.focal_point.organization_id, "status": "planned", "observations": "Fine.",
            "reported_on": "2026-01-05", "confidentiality": "participants", "evidence": ""}  # fmt: skip
    response = signed_in(focal_point).post(f"/activities/{activity.pk}/", {**data, field: value})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not StatusEntry.objects.exists()


def test_every_page_but_sign_in_and_reset_requires_login(client):
    activity = Activity.objects.get(plan__code="nairobi-2007", number="3.2")
    for path in ["/", "/plans/nairobi-2007/", f"/activities/{activity.pk}/", "/organizations/",
                 "/organizations/ICAO/", "/review/", "/accounts/password_change/"]:  # fmt: skip
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/?next="), path
    assert client.post(f"/activities/{activity.pk}/", {"status": "planned"}).status_code == 302
    assert not StatusEntry.objects.exists()
    for path in ["/accounts/login/", "/accounts/password_reset/", "/accounts/password_reset/done/"]:
        assert client.get(path).status_code == 200, path


def test_sign_in_sign_out_and_password_reset_by_email(client, viewer):
    response = client.post("/accounts/login/", {"username": "victor", "password": "wrong"})
    assert "Please enter a correct username and password" in response.content.decode()
    response = client.post("/accounts/login/", {"username": "victor", "password": "a-long-test-password"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302

    client.post("/accounts/password_reset/", {"email": viewer.email})
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [viewer.email]
    link = re.search(r"https?://\S+/accounts/reset/\S+/", mail.outbox[0].body)[0]
    path = link.split("testserver", 1)[1]
    form_page = client.get(path, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "another-long-pass-phrase", "new_password2": "another-long-pass-phrase"},
    )
    assert done.status_code == 302
    viewer.refresh_from_db()
    assert viewer.check_password("another-long-pass-phrase")


def test_password_change(viewer):
    client = signed_in(viewer)
    response = client.post(
        "/accounts/password_change/",
        {"old_password": "a-long-test-password", "new_password1": "x", "new_password2": "x"},
    )
    assert "This password is too short" in response.content.decode()
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": "a-long-test-password",
            "new_password1": "n3w-long-phrase!",
            "new_password2": "n3w-long-phrase!",
        },
    )
    assert response.status_code == 302


def test_review_states_and_confidentiality_are_badges(staff, focal_point, icao):
    plan_activity = {a.number: a for a in Activity.objects.filter(plan__code="nairobi-2007", number__in=["3.2", "3.3"])}
    submitted = StatusEntryFactory(
        activity=plan_activity["3.2"],
        organization=icao,
        review_state=ReviewState.SUBMITTED,
        confidentiality=Confidentiality.RESTRICTED,
    )
    StatusEntryFactory(activity=plan_activity["3.3"], organization=icao, confidentiality=Confidentiality.PUBLIC)
    queue = signed_in(staff).get("/review/").content.decode()
    assert '<span class="badge review-submitted">Submitted</span>' in queue
    assert '<span class="badge conf-restricted">Restricted to CTED and the reporting organization</span>' in queue
    assert 'name="decision" value="accept"' in queue  # only a submitted entry offers the review

    returned = signed_in(staff).post(
        f"/review/{submitted.pk}/", {"decision": "return", "comment": "Add the dates."}, HTTP_HX_REQUEST="true"
    )
    assert '<span class="badge review-returned">Returned</span>' in returned.content.decode()
    assert 'name="decision"' not in returned.content.decode()
    home = signed_in(focal_point).get("/").content.decode()
    # Returned: the reason, and the way to correct it.
    assert "Add the dates." in home and f"?correct={submitted.pk}#log" in home

    page = signed_in(staff).get(plan_activity["3.3"].get_absolute_url()).content.decode()
    assert '<span class="badge review-accepted">Accepted</span>' in page
    assert '<span class="badge conf-public">Public</span>' in page
    participants = StatusEntryFactory(activity=plan_activity["3.3"], organization=icao, observations="For all of us.")
    page = signed_in(staff).get(plan_activity["3.3"].get_absolute_url()).content.decode()
    item = page[page.index(f'id="entry-{participants.pk}"') :]
    item = item[: item.index("</li>")]
    assert "For all of us." in item and "conf-" not in item  # the usual level needs no badge


def test_the_log_form_shows_an_error_on_its_hidden_correction_field(focal_point, icao):
    activity = Activity.objects.get(plan__code="nairobi-2007", number="3.2")
    data = {"organization": icao.pk, "status": "planned", "observations": "Fine.", "reported_on": "2026-01-05",
            "confidentiality": "participants", "evidence": "", "supersedes": "999999"}  # fmt: skip
    response = signed_in(focal_point).post(activity.get_absolute_url(), data)
    assert response.status_code == 400
    assert re.search(r'<p class="error" role="alert">Supersedes: Select a valid choice', response.content.decode())
    assert not StatusEntry.objects.exists()


def organization_options(html: str) -> list[tuple[str, bool, str]]:
    """The log form's choice of organization: (value, selected, label) of each option."""
    select = re.search(r'<select name="organization"[^>]*>(.*?)</select>', html, re.S)
    assert select, "no choice of organization"
    return [
        (value, bool(selected), label)
        for value, selected, label in re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select[1])
    ]


def test_staff_choose_the_organization_leads_first_then_partners_then_the_others(staff):
    """3.3 names ICAO (lead) and INTERPOL (partner) and is open to regional and sub-regional
    organizations, some of whose acronyms come before ICAO's."""
    activity = Activity.objects.get(plan__code="nairobi-2007", number="3.3")
    options = organization_options(signed_in(staff).get(activity.get_absolute_url()).content.decode())
    others = sorted(
        Organization.objects.filter(kind__in=[OrganizationKind.REGIONAL, OrganizationKind.SUBREGIONAL])
        .exclude(acronym__in=["ICAO", "INTERPOL"])
        .values_list("acronym", flat=True)
    )
    assert others and others[0] < "ICAO", "the order is not the alphabet's alone"
    assert [label for _, _, label in options] == ["Choose the organization", "ICAO", "INTERPOL", *others]
    assert [value for value, selected, _ in options if selected] == [""], "nothing is chosen for them"


def test_partners_come_before_the_lead_only_if_named_so(staff):
    """5.4 names IMO as lead, then CTC, CTED and INTERPOL as partners, and is open to no kind."""
    activity = Activity.objects.get(plan__code="nairobi-2007", number="5.4")
    options = organization_options(signed_in(staff).get(activity.get_absolute_url()).content.decode())
    assert [label for _, _, label in options] == ["Choose the organization", "IMO", "CTC", "CTED", "INTERPOL"]


def test_staff_who_do_not_choose_an_organization_are_told_and_nothing_is_logged(staff):
    activity = Activity.objects.get(plan__code="nairobi-2007", number="3.3")
    data = {"organization": "", "status": "planned", "observations": "Fine.", "reported_on": "2026-01-05",
            "confidentiality": "participants", "evidence": ""}  # fmt: skip
    response = signed_in(staff).post(activity.get_absolute_url(), data)
    assert response.status_code == 400
    assert response.context["form"].errors == {"organization": ["This field is required."]}
    assert not StatusEntry.objects.exists()


def test_a_focal_point_logs_for_their_organization_without_choosing_it(focal_point, icao):
    activity = Activity.objects.get(plan__code="nairobi-2007", number="3.3")
    html = signed_in(focal_point).get(activity.get_absolute_url()).content.decode()
    assert '<select name="organization"' not in html
    assert f'<input type="hidden" name="organization" value="{icao.pk}"' in html


def test_an_entry_corrected_while_awaiting_review_leaves_the_queue_and_says_so(staff, focal_point, icao):
    activity = Activity.objects.get(plan__code="nairobi-2007", number="3.2")
    data = {"organization": icao.pk, "status": "planned", "observations": "First.", "reported_on": "2026-01-05",
            "confidentiality": "participants", "evidence": ""}  # fmt: skip
    bob = signed_in(focal_point)
    assert bob.post(activity.get_absolute_url(), data).status_code == 302
    original = StatusEntry.objects.get()
    corrected = {**data, "observations": "Corrected.", "supersedes": original.pk}
    assert bob.post(activity.get_absolute_url(), corrected).status_code == 302
    correction = StatusEntry.objects.get(supersedes=original)

    alice = signed_in(staff)
    queue = alice.get("/review/")
    assert [entry.pk for entry in queue.context["entries"]] == [correction.pk]
    page = alice.get(activity.get_absolute_url()).content.decode()
    item = page[page.index(f'id="entry-{original.pk}"') :]
    assert '<span class="badge review-superseded">Superseded by a correction</span>' in item[: item.index("</li>")]
    refused = alice.post(f"/review/{original.pk}/", {"decision": "accept"}, HTTP_HX_REQUEST="true")
    assert "This entry was corrected; review the correction." in refused.content.decode()
    assert 'name="decision"' not in refused.content.decode()
    assert not StatusEntryReview.objects.exists()


def css_rules(css: str) -> dict[str, str]:
    return {selector.strip(): body.strip() for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css)}


def test_the_status_colours_are_one_stylesheet_that_every_page_links(client, viewer):
    response = client.get("/status-colours.css")  # no sign-in: the sign-in page links it too
    assert response.status_code == 200 and response["Content-Type"] == "text/css; charset=utf-8"
    assert "max-age=3600" in response["Cache-Control"]
    rules = css_rules(response.content.decode())
    for status, colour in STATUS_COLOURS.items():
        name = status or "none"
        text = " color: #fff;" if status in LIGHT_TEXT else ""
        assert rules[f".status-{name}"] == f"background: #{colour};{text}", name
        assert rules[f".fill-{name}"] == f"background: #{colour};", name
        assert f"--{name}: #{colour};" in rules[":root"]
    for page in [client.get("/accounts/login/"), signed_in(viewer).get("/plans/nairobi-2007/")]:
        html = page.content.decode()
        assert '<link rel="stylesheet" href="/status-colours.css">' in html and "<style" not in html


def test_no_stylesheet_repeats_a_status_colour_and_each_variable_used_is_defined():
    generated = css_rules(Client().get("/status-colours.css").content.decode())[":root"]
    for name in ["tracker/tracker.css", "reports/report.css"]:
        css = (settings.BASE_DIR / "static" / name).read_text().lower()
        assert not [c for c in STATUS_COLOURS.values() if f"#{c.lower()}" in css], name
        for variable in re.findall(r"var\((--[\w-]+)\)", css):
            assert f"{variable}:" in css or f"{variable}:" in generated, (name, variable)


def test_an_activity_s_history_comes_a_page_at_a_time_newest_first(staff, icao):
    activity = Activity.objects.get(plan__code="nairobi-2007", number="3.2")
    entries = [StatusEntryFactory(activity=activity, organization=icao, review_state="accepted") for _ in range(30)]
    newest_first = sorted(entries, key=lambda e: (e.reported_on, e.created_at, e.pk), reverse=True)
    client = signed_in(staff)
    first = client.get(f"/activities/{activity.pk}/").content.decode()
    ids = [int(pk) for pk in re.findall(r'<li class="entry[^"]*" id="entry-(\d+)"', first)]
    assert ids == [e.pk for e in newest_first[:25]]
    assert "(30 entries, newest first)" in first and "Page 1 of 2" in first
    second = client.get(f"/activities/{activity.pk}/", {"page": 2}).content.decode()
    ids = [int(pk) for pk in re.findall(r'<li class="entry[^"]*" id="entry-(\d+)"', second)]
    assert ids == [e.pk for e in newest_first[25:]]
    # A page past the end, or no number at all, shows a page rather than an error.
    assert client.get(f"/activities/{activity.pk}/", {"page": 99}).status_code == 200
    assert "Page 1 of 2" in client.get(f"/activities/{activity.pk}/", {"page": "x"}).content.decode()


def test_the_review_queue_comes_a_page_at_a_time_oldest_first(staff, icao):
    activity = Activity.objects.get(plan__code="nairobi-2007", number="3.2")
    entries = [StatusEntryFactory(activity=activity, organization=icao, review_state="submitted") for _ in range(27)]
    client = signed_in(staff)
    first = client.get("/review/").content.decode()
    ids = [int(pk) for pk in re.findall(r'id="review-(\d+)"', first)]
    assert ids == [e.pk for e in entries[:25]]
    assert "27 entries waiting." in first
    second = client.get("/review/", {"page": 2}).content.decode()
    assert [int(pk) for pk in re.findall(r'id="review-(\d+)"', second)] == [e.pk for e in entries[25:]]


def test_an_organization_s_activities_come_a_hundred_at_a_time(viewer, icao):
    objective = ObjectiveFactory(plan=Activity.objects.get(plan__code="nairobi-2007", number="3.2").plan, number=11)
    for _ in range(100):
        ResponsibilityFactory(activity=ActivityFactory(objective=objective), organization=icao)
    total = Activity.objects.open_to(icao).count()
    assert total > 100
    client = signed_in(viewer)
    first = client.get("/organizations/ICAO/").content.decode()
    second = client.get("/organizations/ICAO/", {"page": 2}).content.decode()
    rows = re.compile(r'<td data-label="No\."><a href="/activities/(\d+)/">')
    assert len(rows.findall(first)) == 100 and len(rows.findall(second)) == total - 100
    assert not set(rows.findall(first)) & set(rows.findall(second))
    assert f"({total})" in first and "Page 2 of 2" in second


def test_the_review_queue_narrows_to_a_plan_an_organization_or_both(staff, icao, wco):
    nairobi = Activity.objects.get(plan__code="nairobi-2007", number="3.2")
    cica = Activity.objects.filter(plan__code="cica-2008").first()
    made = {
        ("nairobi-2007", "ICAO"): StatusEntryFactory(activity=nairobi, organization=icao, review_state="submitted"),
        ("nairobi-2007", "WCO"): StatusEntryFactory(activity=nairobi, organization=wco, review_state="submitted"),
        ("cica-2008", "ICAO"): StatusEntryFactory(activity=cica, organization=icao, review_state="submitted"),
    }
    client = signed_in(staff)

    def shown(**query) -> set[int]:
        return {int(pk) for pk in re.findall(r'id="review-(\d+)"', client.get("/review/", query).content.decode())}

    assert shown() == {e.pk for e in made.values()}
    assert shown(plan="nairobi-2007") == {made["nairobi-2007", "ICAO"].pk, made["nairobi-2007", "WCO"].pk}
    assert shown(organization="ICAO") == {made["nairobi-2007", "ICAO"].pk, made["cica-2008", "ICAO"].pk}
    assert shown(plan="cica-2008", organization="ICAO") == {made["cica-2008", "ICAO"].pk}
    assert shown(plan="cica-2008", organization="WCO") == set()
    assert (
        "Nothing is waiting for review among those chosen."
        in client.get("/review/", {"plan": "cica-2008", "organization": "WCO"}).content.decode()
    )
    refused = client.get("/review/", {"organization": "NOPE"})
    assert refused.status_code == 400 and "Select a valid choice" in refused.content.decode()
    # Reviewing without htmx comes back to the queue as it was filtered.
    back = client.post(f"/review/{made['cica-2008', 'ICAO'].pk}/?plan=cica-2008&page=2", {"decision": "accept"})
    assert back.status_code == 302 and back.url == "/review/?plan=cica-2008&page=2"


def test_a_card_in_the_queue_shows_the_activity_the_evidence_and_what_a_correction_changed(staff, focal_point, icao):
    activity = Activity.objects.get(plan__code="nairobi-2007", number="3.2")
    data = {"organization": icao.pk, "status": "planned", "observations": "Workshop planned.",
            "reported_on": "2026-01-05", "confidentiality": "participants", "evidence": ""}  # fmt: skip
    bob = signed_in(focal_point)
    assert bob.post(activity.get_absolute_url(), data).status_code == 302
    original = StatusEntry.objects.get()
    corrected = {**data, "status": "in_progress", "observations": "Workshop held in Nairobi.",
                 "evidence": "https://example.org/workshop-report.pdf", "supersedes": original.pk}  # fmt: skip
    assert bob.post(activity.get_absolute_url(), corrected).status_code == 302

    card = signed_in(staff).get("/review/").content.decode()
    assert " ".join(activity.text.split()[:10]) in card
    assert '<a href="https://example.org/workshop-report.pdf" rel="noopener noreferrer">' in card
    assert "A correction of the entry of" in card
    assert "Planned</span> → " in card and "In progress</span>" in card
    assert "Workshop planned." in card and "Workshop held in Nairobi." in card


def test_staff_accept_several_entries_at_once_and_go_back_to_the_queue_as_it_was(staff, icao, wco):
    first, second, other = (
        StatusEntryFactory(
            activity=Activity.objects.get(plan__code="nairobi-2007", number=n), organization=o, review_state="submitted"
        )
        for n, o in [("3.2", icao), ("3.3", icao), ("1.2", wco)]
    )
    client = signed_in(staff)
    queue = client.get("/review/").content.decode()
    assert queue.count('form="accept-several"') == 3
    response = client.post("/review/accept/?organization=ICAO&page=1", {"entries": [first.pk, second.pk]}, follow=False)
    assert response.status_code == 302 and response["Location"] == "/review/?organization=ICAO&page=1"
    assert [e.review_state for e in StatusEntry.objects.filter(pk__in=[first.pk, second.pk])] == ["accepted"] * 2
    assert StatusEntry.objects.get(pk=other.pk).review_state == "submitted"
    assert set(StatusEntryReview.objects.values_list("entry_id", "reviewer__username")) == {
        (first.pk, "alice"),
        (second.pk, "alice"),
    }
    page = client.get(response["Location"]).content.decode()
    assert "2 entries accepted: 3.2 (ICAO), 3.3 (ICAO)." in page


def test_accepting_several_accepts_none_when_one_was_reviewed_meanwhile(staff, icao):
    waiting, reviewed = (
        StatusEntryFactory(activity=activity, organization=icao, review_state="submitted")
        for activity in Activity.objects.filter(plan__code="nairobi-2007", number__in=["3.2", "3.3"]).order_by("pk")
    )
    # Reviewed by someone else since the queue was read.
    StatusEntryReview.objects.create(entry=reviewed, reviewer=staff, decision="accept")
    StatusEntry.objects.filter(pk=reviewed.pk).update(review_state="accepted")
    page = signed_in(staff).post("/review/accept/", {"entries": [waiting.pk, reviewed.pk]}, follow=True)
    html = page.content.decode()
    assert "Nothing was accepted. 3.3 (ICAO): This entry has already been reviewed." in html
    assert StatusEntry.objects.get(pk=waiting.pk).review_state == "submitted"
    assert not StatusEntryReview.objects.filter(entry=waiting).exists()


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ({}, "Choose the entries to accept: tick them in the queue."),
        ({"entries": ["999999"]}, "One of the chosen entries is not in the queue any more."),
        ({"entries": ["x"]}, "“x” is not an entry."),
    ],
)
def test_accepting_several_says_what_was_wrong_with_the_choice(staff, posted, message):
    html = signed_in(staff).post("/review/accept/", posted, follow=True).content.decode()
    assert f"Nothing was accepted. {message}" in html


def test_accepting_several_takes_a_page_of_the_queue_at_most(staff, icao, monkeypatch):
    monkeypatch.setattr("actions.views.REVIEW_PAGE_SIZE", 2)
    entries = [
        StatusEntryFactory(activity=activity, organization=icao, review_state="submitted")
        for activity in Activity.objects.open_to(icao).filter(plan__code="nairobi-2007")[:3]
    ]
    html = signed_in(staff).post("/review/accept/", {"entries": [e.pk for e in entries]}, follow=True).content.decode()
    assert "Accept at most 2 entries at once (a page of the queue)." in html
    assert not StatusEntryReview.objects.exists()


def test_only_reviewers_accept_several(focal_point, icao):
    activity = Activity.objects.get(plan__code="nairobi-2007", number="3.2")
    entry = StatusEntryFactory(activity=activity, organization=icao, review_state="submitted")
    assert signed_in(focal_point).post("/review/accept/", {"entries": [entry.pk]}).status_code == 403
    assert StatusEntry.objects.get(pk=entry.pk).review_state == "submitted"
