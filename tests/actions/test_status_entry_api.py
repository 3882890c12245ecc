"""The status-entry API: logging progress, listing and filtering entries, and what it costs."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from actions.models import Activity, Confidentiality, ReviewState, Status, StatusEntry, StatusEntryReview
from actions.services import status_entry_review
from organizations.models import Organization
from reports.models import StocktakingCycle
from tests.conftest import token_client
from tests.factories import StatusEntryFactory, UserFactory
from tests.helpers import backdate, counts, nairobi

pytestmark = pytest.mark.django_db

ENTRIES = "/api/v1/status-entries/"
REPORTED_ON = datetime.date(2026, 6, 30)


def payload(**changes) -> dict:
    """A valid entry for ICAO on activity 3.2, which names it."""
    body = {
        "activity": nairobi("3.2").pk,
        "organization": "ICAO",
        "status": Status.IN_PROGRESS,
        "observations": "Model legislation on travel document security circulated to member states.",
        "confidentiality": Confidentiality.PARTICIPANTS,
        "reported_on": REPORTED_ON.isoformat(),
        "evidence": ["https://example.org/icao/report.pdf"],
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not ...}


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


# --- Logging ---


def test_logging_progress_answers_201_with_the_entry(focal_point):
    response = token_client(focal_point).post(ENTRIES, payload(), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    entry = StatusEntry.objects.get()
    assert body["id"] == entry.pk
    assert body["url"] == f"http://testserver/api/v1/status-entries/{entry.pk}/"
    assert body["plan"] == "nairobi-2007"
    assert body["activity"] == nairobi("3.2").pk
    assert body["activity_number"] == "3.2"
    assert body["organization"] == "ICAO"
    assert body["status"] == Status.IN_PROGRESS
    assert body["observations"] == payload()["observations"]
    assert body["evidence"] == ["https://example.org/icao/report.pdf"]
    assert body["reported_on"] == "2026-06-30"
    assert body["confidentiality"] == Confidentiality.PARTICIPANTS
    assert body["review_state"] == ReviewState.SUBMITTED
    assert body["author"] == "bob"
    assert body["supersedes"] is None and body["superseded_by"] is None
    assert body["reviews"] == []
    assert body["created_at"]
    # What the POST answered is what a GET reads.
    assert token_client(focal_point).get(body["url"]).json() == body


def test_optional_fields_take_their_defaults(focal_point):
    response = token_client(focal_point).post(
        ENTRIES, payload(confidentiality=..., reported_on=..., evidence=...), format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["confidentiality"] == Confidentiality.PARTICIPANTS
    assert body["reported_on"] == timezone.localdate().isoformat()
    assert body["evidence"] == []


def test_a_correction_names_the_entry_it_supersedes(focal_point):
    client = token_client(focal_point)
    first = client.post(ENTRIES, payload(), format="json").json()
    second = client.post(ENTRIES, payload(status=Status.DELAYED, supersedes=first["id"]), format="json")
    assert second.status_code == 201, second.content
    assert second.json()["supersedes"] == first["id"]
    assert client.get(first["url"]).json()["superseded_by"] == second.json()["id"]
    again = client.post(ENTRIES, payload(status=Status.COMPLETED, supersedes=first["id"]), format="json")
    assert again.status_code == 400
    assert again.json() == {"supersedes": ["That entry has already been corrected; correct the latest one."]}
    assert StatusEntry.objects.count() == 2


def test_staff_entries_are_accepted_at_once(staff):
    response = token_client(staff).post(ENTRIES, payload(), format="json")
    assert response.status_code == 201
    assert response.json()["review_state"] == ReviewState.ACCEPTED
    assert response.json()["author"] == "alice"


TOMORROW = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"status": "finished"}, "status"),
        ({"status": ...}, "status"),
        ({"activity": 999999}, "activity"),
        ({"activity": "three point two"}, "activity"),
        ({"activity": 10**20}, "activity"),
        ({"activity": ...}, "activity"),
        ({"organization": "NOPE"}, "organization"),
        ({"organization": ...}, "organization"),
        ({"observations": ...}, "observations"),
        ({"observations": ""}, "observations"),
        ({"observations": "x" * 5001}, "observations"),
        ({"evidence": ["not a url"]}, "evidence"),
        ({"evidence": ["ftp://x"]}, "evidence"),
        ({"evidence": ["ftp://example.org/report.pdf"]}, "evidence"),
        ({"evidence": [f"https://example.org/{n}" for n in range(11)]}, "evidence"),
        ({"evidence": "https://example.org/one-link"}, "evidence"),
        ({"reported_on": "2026-02-30"}, "reported_on"),
        ({"reported_on": "30/06/2026"}, "reported_on"),
        ({"reported_on": TOMORROW}, "reported_on"),
        ({"confidentiality": "secret"}, "confidentiality"),
        ({"supersedes": 999999}, "supersedes"),
        # Staff log for any organization, but only where it is responsible: 3.2 names ICAO only.
        ({"organization": "WCO"}, "organization"),
    ],
    ids=[
        "unknown-status", "missing-status", "unknown-activity", "activity-not-a-number", "activity-too-large",
        "missing-activity", "unknown-organization", "missing-organization", "missing-observations",
        "empty-observations", "observations-over-5000", "evidence-not-a-url", "evidence-ftp-short",
        "evidence-ftp", "evidence-eleven-links", "evidence-not-a-list", "reported-on-no-such-day",
        "reported-on-not-iso", "reported-on-future", "unknown-confidentiality", "unknown-superseded-entry",
        "activity-not-open-to-organization",
    ],
)  # fmt: skip
def test_bad_input_is_a_400_with_field_errors_and_writes_nothing(staff, changes, field):
    before = counts()
    response = token_client(staff).post(ENTRIES, payload(**changes), format="json")
    assert response.status_code == 400, response.content
    body = response.json()
    assert list(body) == [field], body
    assert all(isinstance(message, str) and message for message in body[field]), body
    assert counts() == before


def test_an_entry_of_5000_characters_and_ten_links_is_accepted(staff):
    links = [f"https://example.org/{n}" for n in range(10)]
    response = token_client(staff).post(ENTRIES, payload(observations="x" * 5000, evidence=links), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["evidence"] == links


@pytest.mark.parametrize("role", ["viewer", "secretariat"])
def test_who_never_logs_progress_is_refused_before_their_input_is_read(request, role):
    """A viewer's token may not log at all: 403, as for valid input, not field errors to fix."""
    client = token_client(request.getfixturevalue(role))
    assert client.post(ENTRIES, payload(), format="json").status_code == 403
    for bad in [{}, payload(status="finished"), payload(organization="NOPE")]:
        response = client.post(ENTRIES, bad, format="json")
        assert response.status_code == 403, (bad, response.content)
    assert StatusEntry.objects.count() == 0


def test_logging_needs_credentials():
    response = APIClient().post(ENTRIES, payload(), format="json")
    assert response.status_code == 401
    assert StatusEntry.objects.count() == 0


# --- Session authentication and CSRF ---


def test_a_session_authenticated_write_needs_the_csrf_token(focal_point):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(focal_point)
    refused = client.post(ENTRIES, payload(), format="json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert StatusEntry.objects.count() == 0

    # A page the user has open carries the token, as htmx and the browsable API send it.
    assert client.get("/").status_code == 200
    token = client.cookies["csrftoken"].value
    wrong = client.post(ENTRIES, payload(), format="json", HTTP_X_CSRFTOKEN="x" * len(token))
    assert wrong.status_code == 403
    assert StatusEntry.objects.count() == 0
    accepted = client.post(ENTRIES, payload(), format="json", HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 201, accepted.content
    assert StatusEntry.objects.get().author == focal_point


def test_a_session_authenticated_review_needs_the_csrf_token(staff, icao):
    entry = StatusEntryFactory(activity=nairobi("3.2"), organization=icao, review_state=ReviewState.SUBMITTED)
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(staff)
    path = f"{ENTRIES}{entry.pk}/review/"
    assert client.post(path, {"decision": "accept"}, format="json").status_code == 403
    entry.refresh_from_db()
    assert entry.review_state == ReviewState.SUBMITTED and StatusEntryReview.objects.count() == 0
    client.get("/")
    response = client.post(
        path, {"decision": "accept"}, format="json", HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value
    )
    assert response.status_code == 200, response.content
    assert response.json()["review_state"] == ReviewState.ACCEPTED


def test_a_token_authenticated_write_needs_no_csrf_token(focal_point):
    client = token_client(focal_point)
    client.handler.enforce_csrf_checks = True
    assert client.post(ENTRIES, payload(), format="json").status_code == 201


# --- Listing and filtering ---


@pytest.fixture
def entries(icao, wco, staff):
    """Entries across activities, organizations, statuses, review states and days."""
    e = {
        "icao_32": StatusEntryFactory(
            activity=nairobi("3.2"), organization=icao, status=Status.COMPLETED, reported_on=datetime.date(2026, 2, 1)
        ),
        "icao_11": StatusEntryFactory(
            activity=nairobi("1.1"),
            organization=icao,
            status=Status.IN_PROGRESS,
            review_state=ReviewState.SUBMITTED,
            reported_on=datetime.date(2026, 3, 31),
        ),
        "wco_11": StatusEntryFactory(
            activity=nairobi("1.1"),
            organization=wco,
            status=Status.DELAYED,
            review_state=ReviewState.RETURNED,
            reported_on=datetime.date(2026, 4, 1),
        ),
        "wco_36": StatusEntryFactory(
            activity=nairobi("3.6"), organization=wco, status=Status.COMPLETED, reported_on=datetime.date(2025, 12, 31)
        ),
        "wco_36_first_day": StatusEntryFactory(
            activity=nairobi("3.6"), organization=wco, status=Status.ONGOING, reported_on=datetime.date(2026, 1, 1)
        ),
        "cica": StatusEntryFactory(
            activity=Activity.objects.filter(plan__code="cica-2008").first(),
            organization=icao,
            status=Status.PLANNED,
            reported_on=datetime.date(2026, 2, 15),
        ),
    }
    return {name: entry.pk for name, entry in e.items()}


def named(entries, *names) -> set[int]:
    return {entries[name] for name in names}


def test_the_list_is_newest_report_first(api, entries):
    assert ids(api.get(ENTRIES)) == [
        entries["wco_11"],
        entries["icao_11"],
        entries["cica"],
        entries["icao_32"],
        entries["wco_36_first_day"],
        entries["wco_36"],
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"organization": "ICAO"}, ["icao_32", "icao_11", "cica"]),
        ({"organization": "WCO"}, ["wco_11", "wco_36", "wco_36_first_day"]),
        ({"organization": "INTERPOL"}, []),
        ({"status": "completed"}, ["icao_32", "wco_36"]),
        ({"status": "ongoing"}, ["wco_36_first_day"]),
        ({"review_state": "submitted"}, ["icao_11"]),
        ({"review_state": "returned"}, ["wco_11"]),
        ({"review_state": "accepted"}, ["icao_32", "wco_36", "wco_36_first_day", "cica"]),
        ({"organization": "WCO", "status": "completed"}, ["wco_36"]),
    ],
)
def test_filters(api, entries, params, expected):
    assert set(ids(api.get(ENTRIES, params))) == named(entries, *expected)


def test_an_entry_corrected_while_awaiting_review_is_found_by_its_review_state(api, staff, focal_point):
    bob = token_client(focal_point)
    first = bob.post(ENTRIES, payload(observations="First."), format="json").json()
    correction = bob.post(ENTRIES, payload(observations="Corrected.", supersedes=first["id"]), format="json").json()
    assert api.get(f"{ENTRIES}{first['id']}/").json()["review_state"] == ReviewState.SUPERSEDED
    assert ids(api.get(ENTRIES, {"review_state": "superseded"})) == [first["id"]]
    assert ids(api.get(ENTRIES, {"review_state": "submitted"})) == [correction["id"]]
    refused = token_client(staff).post(f"{ENTRIES}{first['id']}/review/", {"decision": "accept"}, format="json")
    assert (refused.status_code, refused.json()) == (
        400,
        {"decision": ["This entry was corrected; review the correction."]},
    )


def test_activity_filter(api, entries):
    assert set(ids(api.get(ENTRIES, {"activity": nairobi("1.1").pk}))) == named(entries, "icao_11", "wco_11")
    assert set(ids(api.get(ENTRIES, {"activity": nairobi("3.6").pk}))) == named(entries, "wco_36", "wco_36_first_day")
    assert ids(api.get(ENTRIES, {"activity": nairobi("10.2").pk})) == []


def test_cycle_filter_keeps_entries_of_its_plan_reporting_within_its_period(api, entries):
    cycle = StocktakingCycle.objects.create(
        plan=nairobi("1.1").plan,
        title="First quarter 2026",
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 3, 31),
        deadline=datetime.date(2026, 4, 15),
    )
    # In: 1 January and 31 March (both ends count), 1 February.
    # Out: 31 December 2025, 1 April 2026, and the CICA plan's entry of 15 February.
    assert set(ids(api.get(ENTRIES, {"cycle": cycle.pk}))) == named(entries, "wco_36_first_day", "icao_32", "icao_11")
    assert set(ids(api.get(ENTRIES, {"cycle": cycle.pk, "organization": "WCO"}))) == named(entries, "wco_36_first_day")


def test_since_keeps_entries_logged_on_or_after_that_day(api, entries):
    # created_at is set when an entry is logged; back-date two of them.
    backdate(
        StatusEntry.objects.filter(pk__in=named(entries, "wco_36", "wco_36_first_day")),
        timezone.make_aware(datetime.datetime(2026, 1, 10, 12, 0)),
    )
    today = timezone.localdate()
    assert set(ids(api.get(ENTRIES, {"since": today.isoformat()}))) == named(
        entries, "icao_32", "icao_11", "wco_11", "cica"
    )
    assert set(ids(api.get(ENTRIES, {"since": "2026-01-10"}))) == set(entries.values())
    assert ids(api.get(ENTRIES, {"since": "2026-01-11", "organization": "WCO"})) == [entries["wco_11"]]
    tomorrow = today + datetime.timedelta(days=1)
    assert ids(api.get(ENTRIES, {"since": tomorrow.isoformat()})) == []


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"activity": "abc"}, "activity", "No activity has the id “abc”."),
        ({"activity": "999999"}, "activity", "No activity has the id “999999”."),
        ({"activity": str(10**20)}, "activity", f"No activity has the id “{10**20}”."),
        ({"organization": "NOPE"}, "organization", "No organization has the acronym “NOPE”."),
        ({"cycle": "abc"}, "cycle", "No stocktaking cycle has the id “abc”."),
        ({"cycle": "999999"}, "cycle", "No stocktaking cycle has the id “999999”."),
        ({"since": "2026-13-45"}, "since", "Give a date as YYYY-MM-DD."),
        ({"since": "yesterday"}, "since", "Give a date as YYYY-MM-DD."),
        ({"status": "finished"}, "status", "Select a valid choice. finished is not one of the available choices."),
        ({"review_state": "maybe"}, "review_state",
         "Select a valid choice. maybe is not one of the available choices."),
    ],
)  # fmt: skip
def test_bad_filter_values_are_a_400_that_says_what_is_wrong(api, params, field, message):
    response = api.get(ENTRIES, params)
    assert response.status_code == 400
    assert response.json() == {field: [message]}


@pytest.mark.parametrize("pk", ["999999", str(10**20), "abc"])
def test_an_entry_that_does_not_exist_is_a_404(api, pk):
    assert api.get(f"{ENTRIES}{pk}/").status_code == 404


def test_the_list_is_paginated(api, icao):
    StatusEntryFactory.create_batch(3, activity=nairobi("3.2"), organization=icao)
    body = api.get(ENTRIES).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert (body["count"], body["next"], body["previous"], len(body["results"])) == (3, None, None, 3)
    first = api.get(ENTRIES, {"page_size": 2}).json()
    assert (first["count"], len(first["results"]), first["previous"]) == (3, 2, None)
    assert first["next"] == "http://testserver/api/v1/status-entries/?page=2&page_size=2"
    second = api.get(first["next"]).json()
    assert (len(second["results"]), second["next"]) == (1, None)
    assert second["previous"] is not None
    assert {e["id"] for e in first["results"] + second["results"]} == set(
        StatusEntry.objects.values_list("pk", flat=True)
    )
    assert api.get(ENTRIES, {"page": 99}).status_code == 404


# --- What a list and a detail cost ---


def log_history(count: int) -> None:
    """Entries by several organizations and authors, each reviewed once or twice, some corrected."""
    activity_numbers = ["1.1", "1.2", "3.2", "5.2", "10.1"]
    reviewers = [UserFactory() for _ in range(3)]
    organizations = list(Organization.objects.filter(acronym__in=["ICAO", "WCO", "INTERPOL"]))
    previous = None
    for n in range(count):
        organization = organizations[n % len(organizations)]
        activity = nairobi(activity_numbers[n % len(activity_numbers)])
        supersedes = (
            previous if previous and (previous.activity, previous.organization) == (activity, organization) else None
        )
        entry = StatusEntryFactory(activity=activity, organization=organization, supersedes=supersedes)
        StatusEntryReview.objects.create(entry=entry, reviewer=reviewers[n % 3], decision="return", comment="More?")
        if n % 2:
            StatusEntryReview.objects.create(entry=entry, reviewer=reviewers[(n + 1) % 3], decision="accept")
        previous = entry


def test_the_count_is_counted_again_once_a_review_or_an_entry_changes_what_the_list_holds(staff, icao):
    api = token_client(staff)
    submitted = [
        StatusEntryFactory(activity=nairobi(number), organization=icao, review_state=ReviewState.SUBMITTED)
        for number in ("1.1", "1.2", "1.3")
    ]
    waiting = {"review_state": "submitted"}
    assert api.get(ENTRIES, waiting).json()["count"] == 3
    status_entry_review(entry=submitted[0], reviewer=staff, decision="accept")
    assert api.get(ENTRIES, waiting).json()["count"] == 2
    StatusEntryFactory(activity=nairobi("1.4"), organization=icao, review_state=ReviewState.SUBMITTED)
    assert api.get(ENTRIES, waiting).json()["count"] == 3
    assert api.get(ENTRIES).json()["count"] == 4


def test_status_entry_list_query_count_does_not_grow(api, django_assert_num_queries):
    log_history(3)

    def fetch(counted: bool):
        # 1 token with its user and the viewer's role, 1 the latest entry and review (what the
        # count depends on), 1 count when they changed since the last count,
        # 1 page of entries with activity, plan, organization, author and the correcting entry,
        # 1 reviews with their reviewers.
        with django_assert_num_queries(4 + counted):
            return api.get(ENTRIES)

    assert fetch(counted=True).json()["count"] == 3
    assert fetch(counted=False).json()["count"] == 3
    log_history(30)
    assert fetch(counted=True).json()["count"] == 33
    assert fetch(counted=False).json()["count"] == 33


def test_a_focal_points_status_entry_list_query_count_does_not_grow(focal_point, django_assert_num_queries):
    client = token_client(focal_point)
    log_history(3)

    def fetch():
        # 1 token with its user and role, 1 the focal point's organization (for restricted entries),
        # 1 the organization named by ?organization=, 1 the latest entry and review, 1 count (a new
        # latest entry each time), 1 page of entries, 1 reviews with reviewers.
        with django_assert_num_queries(7):
            return client.get(ENTRIES, {"organization": "ICAO"})

    first = fetch().json()["count"]
    log_history(30)
    assert fetch().json()["count"] > first


def test_filtered_list_query_count(api, entries, django_assert_num_queries):
    cycle = StocktakingCycle.objects.create(
        plan=nairobi("1.1").plan,
        title="2026",
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 12, 31),
        deadline=datetime.date(2027, 1, 15),
    )
    params = {"activity": nairobi("1.1").pk, "organization": "WCO", "cycle": cycle.pk}
    # 1 token with its user and role, 1 the activity named, 1 the organization named, 1 the cycle named,
    # 1 the latest entry and review, 1 count, 1 page of entries, 1 reviews.
    with django_assert_num_queries(8):
        response = api.get(ENTRIES, params)
    assert ids(response) == [entries["wco_11"]]


def test_status_entry_detail_query_count(api, django_assert_num_queries):
    log_history(6)
    entry = StatusEntry.objects.filter(reviews__decision="accept").first()
    # 1 token with its user and role, 1 entry with activity, plan, organization, author and the correcting
    # entry, 1 reviews with their reviewers.
    with django_assert_num_queries(3):
        response = api.get(f"{ENTRIES}{entry.pk}/")
    assert len(response.json()["reviews"]) == 2


def test_logging_an_entry_costs_the_same_queries_whatever_the_history(focal_point):
    """Logging by the API asks the database as often with a long history as with a short one, and
    no more than it needs: the activity, organization and author it has read are not looked up
    again to check that they exist."""
    client = token_client(focal_point)

    def queries() -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            response = client.post(ENTRIES, payload(), format="json")
        assert response.status_code == 201, response.content
        return [query["sql"] for query in captured.captured_queries]

    queries()  # the first entry of ICAO on 3.2 makes its kept rows; the next ones update them
    short = queries()
    log_history(30)
    long = queries()
    assert len(long) == len(short)
    assert not [sql for sql in long if sql.startswith('SELECT 1 AS "a" FROM') or '"_check"' in sql]
