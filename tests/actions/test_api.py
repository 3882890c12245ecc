import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from actions.models import Activity, Confidentiality, ReviewState, Status
from tests.conftest import token_client
from tests.factories import ActivityFactory, ObjectiveFactory, PlanFactory, ResponsibilityFactory, StatusEntryFactory

pytestmark = pytest.mark.django_db

NAIROBI = [
    *[f"1.{n}" for n in range(1, 6)], *[f"2.{n}" for n in range(1, 6)], *[f"3.{n}" for n in range(1, 9)],
    "4.1", "4.2", "4.3", *[f"5.{n}" for n in range(1, 6)], *[f"6.{n}" for n in range(1, 5)],
    "7.1", "7.2", "7.3", "8.1", "8.2", "8.3", "9.1", "9.2", "10.1", "10.2",
]  # fmt: skip
# What ICAO may report on: the four activities that name it, and those open to all IROs.
ICAO_MAY_REPORT_ON = [
    "1.1", "1.2", "1.3", "1.4", "1.5", "2.1", "2.2", "2.3", "2.4", "2.5",
    "3.2", "3.3", "3.4", "4.1", "4.2", "4.3", "5.2", "5.5", "6.2", "6.4",
    "7.1", "7.2", "7.3", "8.1", "8.3", "10.1", "10.2",
]  # fmt: skip


def numbers(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["number"] for item in response.json()["results"]]


def test_the_nairobi_plan_lists_its_forty_activities_in_natural_order(api):
    response = api.get("/api/v1/activities/", {"plan": "nairobi-2007"})
    assert numbers(response) == NAIROBI
    body = response.json()
    assert body["count"] == 40 and body["next"] is None and body["previous"] is None


def test_an_activity_carries_what_integrations_rely_on(api):
    item = next(
        i for i in api.get("/api/v1/activities/", {"plan": "nairobi-2007"}).json()["results"] if i["number"] == "3.3"
    )
    assert item["plan"] == "nairobi-2007"
    assert item["objective"] == 3
    assert item["responsible_text"] == "ICAO, INTERPOL, regional police or immigration bodies"
    assert item["organizations"] == ["ICAO", "INTERPOL"]
    assert item["status"] is None and item["last_update"] is None
    assert set(item) >= {"id", "text", "status", "last_update"}
    detail = api.get(f"/api/v1/activities/{item['id']}/")
    assert detail.status_code == 200
    assert detail.json() == item


def test_organization_filter_lists_what_it_may_report_on(api):
    assert numbers(api.get("/api/v1/activities/", {"plan": "nairobi-2007", "organization": "ICAO"})) == (
        ICAO_MAY_REPORT_ON
    )


def test_objective_filter_lists_that_objectives_activities(api):
    assert numbers(api.get("/api/v1/activities/", {"plan": "nairobi-2007", "objective": 3})) == [
        f"3.{n}" for n in range(1, 9)
    ]


def test_theme_filter_lists_the_activities_tagged_with_it(api):
    assert numbers(api.get("/api/v1/activities/", {"theme": "standards"})) == ["3.4", "3.5", "3.6", "7.1", "7.2", "7.3"]
    assert numbers(api.get("/api/v1/activities/", {"theme": "standards", "objective": 7})) == ["7.1", "7.2", "7.3"]
    assert numbers(api.get("/api/v1/activities/", {"plan": "cica-2008", "theme": "standards"})) == []


def test_text_search_finds_words_anywhere_in_the_activity(api):
    assert numbers(api.get("/api/v1/activities/", {"plan": "nairobi-2007", "q": "asylum refugee"})) == ["9.1"]
    assert numbers(api.get("/api/v1/activities/", {"plan": "nairobi-2007", "q": "3.2"})) == ["3.2"]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"plan": "no-such-plan"}, "plan", "No plan has the code “no-such-plan”."),
        ({"objective": "three"}, "objective", "An objective is given by its number, e.g. 3."),
        ({"objective": "3.5"}, "objective", "An objective is given by its number, e.g. 3."),
        ({"organization": "NOPE"}, "organization", "No organization has the acronym “NOPE”."),
        ({"updated_since": "2026-13-45"}, "updated_since", "Give a date as YYYY-MM-DD."),
        ({"updated_since": "yesterday"}, "updated_since", "Give a date as YYYY-MM-DD."),
        ({"status": "finished"}, "status", "Select a valid choice. finished is not one of the available choices."),
        ({"theme": "no-such-theme"}, "theme", "No theme has the slug “no-such-theme”."),
    ],
)
def test_bad_query_parameters_are_a_400_that_says_what_is_wrong(api, params, field, message):
    response = api.get("/api/v1/activities/", params)
    assert response.status_code == 400
    assert response.json() == {field: [message]}


def test_status_is_that_of_the_most_recent_accepted_entry(api, icao):
    activity = Activity.objects.get(plan__code="nairobi-2007", number="3.2")
    StatusEntryFactory(
        activity=activity, organization=icao, status=Status.PLANNED, reported_on=datetime.date(2026, 1, 1)
    )
    StatusEntryFactory(
        activity=activity, organization=icao, status=Status.IN_PROGRESS, reported_on=datetime.date(2026, 3, 1)
    )
    StatusEntryFactory(
        activity=activity,
        organization=icao,
        status=Status.COMPLETED,
        reported_on=datetime.date(2026, 5, 1),
        review_state=ReviewState.SUBMITTED,
    )
    item = api.get(f"/api/v1/activities/{activity.pk}/").json()
    assert item["status"] == Status.IN_PROGRESS
    assert item["last_update"] is not None
    in_progress = numbers(api.get("/api/v1/activities/", {"plan": "nairobi-2007", "status": "in_progress"}))
    assert in_progress == ["3.2"]
    assert len(numbers(api.get("/api/v1/activities/", {"plan": "nairobi-2007", "status": "none"}))) == 39


def test_restricted_entries_do_not_show_through_a_viewers_status(api, staff, icao):
    activity = Activity.objects.get(plan__code="nairobi-2007", number="3.2")
    StatusEntryFactory(
        activity=activity, organization=icao, status=Status.DELAYED, confidentiality=Confidentiality.RESTRICTED
    )
    assert api.get(f"/api/v1/activities/{activity.pk}/").json()["status"] is None
    assert numbers(api.get("/api/v1/activities/", {"plan": "nairobi-2007", "updated_since": "2000-01-01"})) == []
    assert token_client(staff).get(f"/api/v1/activities/{activity.pk}/").json()["status"] == Status.DELAYED


def test_updated_since_keeps_activities_with_an_entry_logged_that_day_or_later(api, icao):
    activity = Activity.objects.get(plan__code="nairobi-2007", number="5.2")
    StatusEntryFactory(activity=activity, organization=icao)
    today = timezone.localdate()
    assert numbers(api.get("/api/v1/activities/", {"updated_since": today.isoformat()})) == ["5.2"]
    tomorrow = today + datetime.timedelta(days=1)
    assert numbers(api.get("/api/v1/activities/", {"updated_since": tomorrow.isoformat()})) == []


def test_unknown_activity_is_a_404(api):
    assert api.get("/api/v1/activities/999999/").status_code == 404


def test_the_api_requires_credentials():
    client = APIClient()
    for path in ["/api/v1/plans/", "/api/v1/activities/", "/api/v1/organizations/ICAO/", "/api/v1/schema/"]:
        response = client.get(path)
        assert response.status_code == 401, path
        assert response["WWW-Authenticate"] == "Token"


def test_a_token_is_given_for_a_username_and_password(viewer):
    client = APIClient()
    response = client.post("/api/v1/auth/token/", {"username": "victor", "password": "a-long-test-password"})
    assert response.status_code == 200
    token = response.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/plans/").status_code == 200
    refused = APIClient().post("/api/v1/auth/token/", {"username": "victor", "password": "wrong"})
    assert refused.status_code == 400
    assert "non_field_errors" in refused.json()


def test_plans_list_and_detail(api):
    plans = api.get("/api/v1/plans/").json()["results"]
    by_code = {p["code"]: p for p in plans}
    assert by_code["nairobi-2007"]["objective_count"] == 10
    assert by_code["nairobi-2007"]["activity_count"] == 40
    assert by_code["cica-2008"]["activity_count"] == 14
    detail = api.get("/api/v1/plans/nairobi-2007/").json()
    assert [o["number"] for o in detail["objectives"]] == list(range(1, 11))
    assert [o["activity_count"] for o in detail["objectives"]] == [5, 5, 8, 3, 5, 4, 3, 3, 2, 2]
    assert api.get("/api/v1/plans/no-such-plan/").status_code == 404


def grow_plan(plan_code: str, count: int) -> None:
    """Add activities, responsibilities and entries to a plan, to show a count does not grow."""
    from actions.models import Plan

    plan = Plan.objects.get(code=plan_code)
    objective = ObjectiveFactory(plan=plan, number=plan.objectives.count() + 1)
    for _ in range(count):
        responsibility = ResponsibilityFactory(activity=ActivityFactory(objective=objective))
        StatusEntryFactory.create_batch(2, activity=responsibility.activity, organization=responsibility.organization)


def test_activity_list_query_count_does_not_grow(api, django_assert_num_queries):
    def fetch():
        # 1 token with its user and the viewer's role, 1 the plan named by ?plan=, 1 count,
        # 1 page of activities with plan, objective, status and last update,
        # 1 responsibilities with organizations, 1 open kinds, 1 themes.
        with django_assert_num_queries(7):
            return api.get("/api/v1/activities/", {"plan": "nairobi-2007"})

    assert fetch().json()["count"] == 40
    grow_plan("nairobi-2007", 30)
    assert fetch().json()["count"] == 70


def test_activity_detail_query_count(api, django_assert_num_queries):
    activity = Activity.objects.get(plan__code="nairobi-2007", number="1.1")
    StatusEntryFactory.create_batch(5, activity=activity)
    # 1 token with its user and role, 1 activity, 1 responsibilities, 1 open kinds, 1 themes.
    with django_assert_num_queries(5):
        assert api.get(f"/api/v1/activities/{activity.pk}/").status_code == 200


def test_a_detail_is_found_by_its_address_whatever_the_lists_parameters_say(api):
    activity = Activity.objects.get(plan__code="nairobi-2007", number="1.1")
    for parameters in ({"plan": "cica-2008"}, {"updated_since": "not a date"}, {"organization": "NOBODY"}):
        response = api.get(f"/api/v1/activities/{activity.pk}/", parameters)
        assert response.status_code == 200 and response.json()["number"] == "1.1", parameters
    assert api.get("/api/v1/activities/", {"updated_since": "not a date"}).status_code == 400  # lists still check


def test_plan_list_and_detail_query_counts_do_not_grow(api, django_assert_num_queries):
    # 1 token and user, 1 count, 1 plans with their counts.
    with django_assert_num_queries(3):
        assert api.get("/api/v1/plans/").status_code == 200
    # 1 token and user, 1 plan with counts, 1 objectives with activity counts.
    with django_assert_num_queries(3):
        assert api.get("/api/v1/plans/nairobi-2007/").status_code == 200
    PlanFactory.create_batch(5)
    grow_plan("nairobi-2007", 10)
    with django_assert_num_queries(3):
        assert len(api.get("/api/v1/plans/").json()["results"]) == 7
    with django_assert_num_queries(3):
        assert len(api.get("/api/v1/plans/nairobi-2007/").json()["objectives"]) == 11
