"""Stocktaking cycles: creating, opening and closing them in the API and the pages, and the cycle page."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reports.models import CycleState, StocktakingCycle
from reports.services import cycle_close, cycle_report_read
from tests.conftest import token_client
from tests.reports.scenario import (
    REPORTED_PAIRS,
    UPDATED_IN_CYCLE,
    expected_missing,
    log,
    nairobi_numbers,
    new_cycle,
    populate,
    responsible_pairs,
    signed_in,
)

pytestmark = pytest.mark.django_db

CYCLES = "/api/v1/cycles/"


def payload(**changes) -> dict:
    body = {
        "plan": "nairobi-2007",
        "title": "First half 2025",
        "period_start": "2025-01-01",
        "period_end": "2025-06-30",
        "deadline": "2025-07-15",
        # The scenario's dates have passed: the page asks to confirm such a deadline (tested on its own).
        "past_deadline": "on",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not ...}


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- The API ---


@pytest.mark.parametrize("role", ["secretariat", "staff"])
def test_the_secretariat_and_staff_create_a_cycle(request, role):
    user = request.getfixturevalue(role)
    response = token_client(user).post(CYCLES, payload(), format="json")
    assert response.status_code == 201, response.content
    cycle = StocktakingCycle.objects.get()
    body = response.json()
    assert body["id"] == cycle.pk
    assert (body["plan"], body["title"], body["state"]) == ("nairobi-2007", "First half 2025", "planned")
    assert (body["period_start"], body["period_end"], body["deadline"]) == ("2025-01-01", "2025-06-30", "2025-07-15")
    assert cycle.created_by == user
    assert token_client(user).get(body["url"]).json()["id"] == cycle.pk


def test_a_cycle_created_with_open_now_is_open(secretariat):
    response = token_client(secretariat).post(CYCLES, payload(open_now=True), format="json")
    assert response.status_code == 201
    assert response.json()["state"] == "open"
    assert response.json()["opened_at"]


@pytest.mark.parametrize("role", ["viewer", "focal_point", "other_focal_point"])
def test_others_may_not_create_a_cycle(request, role):
    response = token_client(request.getfixturevalue(role)).post(CYCLES, payload(), format="json")
    assert response.status_code == 403
    assert not StocktakingCycle.objects.exists()


def test_creating_a_cycle_needs_credentials():
    from rest_framework.test import APIClient

    assert APIClient().post(CYCLES, payload(), format="json").status_code == 401
    assert not StocktakingCycle.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"period_end": "2024-12-31"}, "period_end"),
        ({"deadline": "2024-12-01"}, "deadline"),
        ({"plan": "nairobi-2099"}, "plan"),
        ({"title": "Second half 2024"}, "title"),  # taken by the cycle made before
        ({"title": ...}, "title"),
        ({"title": "  "}, "title"),
        ({"plan": ...}, "plan"),
        ({"period_start": ...}, "period_start"),
        ({"period_end": ...}, "period_end"),
        ({"deadline": ...}, "deadline"),
        ({"period_start": "2025-02-30"}, "period_start"),
        ({"period_end": "30/06/2025"}, "period_end"),
        ({"deadline": "soon"}, "deadline"),
    ],
    ids=[
        "end-before-start", "deadline-before-start", "unknown-plan", "duplicate-title", "missing-title",
        "blank-title", "missing-plan", "missing-start", "missing-end", "missing-deadline", "no-such-day",
        "not-iso", "not-a-date",
    ],
)  # fmt: skip
def test_bad_input_is_a_400_with_field_errors_and_writes_nothing(secretariat, changes, field):
    new_cycle(secretariat, title="Second half 2024", open_now=False)
    response = token_client(secretariat).post(CYCLES, payload(**changes), format="json")
    assert response.status_code == 400, response.content
    errors = response.json()
    assert field in errors, errors
    assert all(isinstance(m, str) and m for m in errors[field])
    assert StocktakingCycle.objects.count() == 1


def test_two_creations_of_one_cycle_at_once_give_a_400_not_a_500(secretariat, monkeypatch):
    checked = StocktakingCycle.full_clean

    def and_meanwhile_another_request_saves_it(self, *args, **kwargs):
        checked(self, *args, **kwargs)
        rival = StocktakingCycle(
            **{f.name: getattr(self, f.name) for f in self._meta.concrete_fields if not f.primary_key}
        )
        rival.title = "First half 2025"
        rival.save()

    monkeypatch.setattr(StocktakingCycle, "full_clean", and_meanwhile_another_request_saves_it)
    response = token_client(secretariat).post(CYCLES, payload(title="FIRST HALF 2025"), format="json")
    assert response.status_code == 400, response.content
    assert response.json()["title"] == ["nairobi-2007 already has a cycle called “FIRST HALF 2025”."]
    # The rival here was saved inside this request's transaction, so it is undone with it: nothing half-written.
    assert StocktakingCycle.objects.count() == 0


def test_a_second_open_cycle_of_a_plan_is_refused_with_a_clear_message(secretariat):
    client = token_client(secretariat)
    first = client.post(CYCLES, payload(open_now=True), format="json").json()
    second = client.post(CYCLES, payload(title="Second half 2025", open_now=True), format="json")
    assert second.status_code == 400
    assert second.json() == {"state": ["nairobi-2007 already has an open cycle: close it before opening another."]}
    assert StocktakingCycle.objects.count() == 1, "the refused cycle was written all the same"

    planned = client.post(CYCLES, payload(title="Second half 2025"), format="json").json()
    response = client.post(f"{CYCLES}{planned['id']}/open/")
    assert response.status_code == 400
    assert "already has an open cycle" in response.json()["state"][0]
    assert StocktakingCycle.objects.get(pk=planned["id"]).state == CycleState.PLANNED

    # Once the first is closed, the second opens.
    assert client.post(f"{CYCLES}{first['id']}/close/", {"confirm": True}, format="json").status_code == 200
    assert client.post(f"{CYCLES}{planned['id']}/open/").json()["state"] == "open"


def test_a_cycle_of_another_plan_may_be_open_at_the_same_time(secretariat):
    client = token_client(secretariat)
    assert client.post(CYCLES, payload(open_now=True), format="json").status_code == 201
    response = client.post(CYCLES, payload(plan="cica-2008", open_now=True), format="json")
    assert response.status_code == 201, response.content
    assert StocktakingCycle.objects.filter(state=CycleState.OPEN).count() == 2


def test_closing_twice_is_refused_and_keeps_the_first_closing(secretariat):
    client = token_client(secretariat)
    cycle = client.post(CYCLES, payload(open_now=True), format="json").json()
    closed = client.post(f"{CYCLES}{cycle['id']}/close/", {"confirm": True}, format="json")
    assert closed.status_code == 200
    assert closed.json()["state"] == "closed"
    closed_at = StocktakingCycle.objects.get().closed_at
    again = client.post(f"{CYCLES}{cycle['id']}/close/", {"confirm": True}, format="json")
    assert again.status_code == 400
    assert again.json() == {"state": ["Only an open cycle can be closed."]}
    assert StocktakingCycle.objects.get().closed_at == closed_at
    reopen = client.post(f"{CYCLES}{cycle['id']}/open/")
    assert reopen.status_code == 400
    assert StocktakingCycle.objects.get().state == CycleState.CLOSED


@pytest.mark.parametrize("role", ["viewer", "focal_point"])
def test_others_may_not_open_or_close_a_cycle_in_the_api(request, secretariat, role):
    planned = new_cycle(secretariat, open_now=False)
    opened = new_cycle(secretariat, title="Open one")
    client = token_client(request.getfixturevalue(role))
    assert client.post(f"{CYCLES}{planned.pk}/open/").status_code == 403
    assert client.post(f"{CYCLES}{opened.pk}/close/", {"confirm": True}, format="json").status_code == 403
    assert StocktakingCycle.objects.get(pk=planned.pk).state == CycleState.PLANNED
    assert StocktakingCycle.objects.get(pk=opened.pk).state == CycleState.OPEN


# --- The pages ---


@pytest.mark.parametrize("role", ["secretariat", "staff"])
def test_the_secretariat_and_staff_create_a_cycle_on_the_page(request, role):
    client = signed_in(request.getfixturevalue(role))
    assert client.get("/cycles/new/").status_code == 200
    response = client.post("/cycles/new/", payload(open_now="on"))
    cycle = StocktakingCycle.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/cycles/{cycle.pk}/"
    assert cycle.state == CycleState.OPEN
    assert cycle.title == "First half 2025"
    assert cycle.plan.code == "nairobi-2007"


@pytest.mark.parametrize("role", ["viewer", "focal_point", "other_focal_point"])
def test_others_may_not_create_a_cycle_on_the_page(request, role):
    client = signed_in(request.getfixturevalue(role))
    assert client.get("/cycles/new/").status_code == 403
    assert client.post("/cycles/new/", payload()).status_code == 403
    assert not StocktakingCycle.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"period_end": "2024-12-31"}, "The period cannot end before it starts."),
        ({"deadline": "2024-12-01"}, "The deadline cannot come before the period starts."),
        ({"plan": "nairobi-2099"}, "Select a valid choice."),
        ({"title": "Second half 2024"}, "already has a cycle"),
        ({"title": "SECOND HALF 2024"}, "already has a cycle"),
        ({"title": ...}, "This field is required."),
        ({"deadline": "soon"}, "Give the day as 23 Nov 2026 (or 2026-11-23)."),
    ],
    ids=[
        "end-before-start",
        "deadline-before-start",
        "unknown-plan",
        "duplicate-title",
        "duplicate-title-in-capitals",
        "missing-title",
        "bad-date",
    ],
)
def test_bad_input_on_the_page_is_shown_and_writes_nothing(secretariat, changes, message):
    new_cycle(secretariat, title="Second half 2024", open_now=False)
    response = signed_in(secretariat).post("/cycles/new/", payload(**changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert StocktakingCycle.objects.count() == 1


def test_a_second_open_cycle_is_refused_on_the_page(secretariat):
    new_cycle(secretariat)
    client = signed_in(secretariat)
    response = client.post("/cycles/new/", payload(title="Second half 2025", open_now="on"))
    assert response.status_code == 400
    assert "nairobi-2007 already has an open cycle: close it before opening another." in response.content.decode()
    assert StocktakingCycle.objects.count() == 1

    planned = new_cycle(secretariat, title="Second half 2025", open_now=False)
    response = client.post(f"/cycles/{planned.pk}/open/", follow=True)
    assert response.redirect_chain == [(f"/cycles/{planned.pk}/", 302)]
    assert messages_of(response) == ["nairobi-2007 already has an open cycle: close it before opening another."]
    assert StocktakingCycle.objects.get(pk=planned.pk).state == CycleState.PLANNED


def test_opening_and_closing_on_the_page_and_closing_twice(secretariat):
    cycle = new_cycle(secretariat, open_now=False)
    client = signed_in(secretariat)
    assert "Open the cycle" in client.get(f"/cycles/{cycle.pk}/").content.decode()
    response = client.post(f"/cycles/{cycle.pk}/open/", follow=True)
    assert messages_of(response) == ["Cycle “First half 2025” is open."]
    assert "Close the cycle" in response.content.decode()

    response = client.post(f"/cycles/{cycle.pk}/close/", {"confirm": "1"}, follow=True)
    assert messages_of(response) == ["Cycle “First half 2025” is closed."]
    closed_at = StocktakingCycle.objects.get().closed_at
    assert closed_at is not None
    assert "Close the cycle" not in response.content.decode()

    response = client.post(f"/cycles/{cycle.pk}/close/", {"confirm": "1"}, follow=True)
    assert messages_of(response) == ["Only an open cycle can be closed."]
    assert StocktakingCycle.objects.get().closed_at == closed_at


@pytest.mark.parametrize("role", ["viewer", "focal_point"])
def test_others_may_not_open_or_close_a_cycle_on_the_page(request, secretariat, role):
    planned = new_cycle(secretariat, open_now=False)
    opened = new_cycle(secretariat, title="Open one")
    client = signed_in(request.getfixturevalue(role))
    assert client.post(f"/cycles/{planned.pk}/open/").status_code == 403
    assert client.post(f"/cycles/{opened.pk}/close/", {"confirm": "1"}).status_code == 403
    assert StocktakingCycle.objects.get(pk=planned.pk).state == CycleState.PLANNED
    assert StocktakingCycle.objects.get(pk=opened.pk).state == CycleState.OPEN
    page = client.get(f"/cycles/{opened.pk}/").content.decode()
    assert "Close the cycle" not in page


def test_opening_and_closing_need_a_post(secretariat):
    planned = new_cycle(secretariat, title="Planned", open_now=False)
    cycle = new_cycle(secretariat)
    assert signed_in(secretariat).get(f"/cycles/{planned.pk}/open/").status_code == 405
    # GET on close only shows what closing will do (tests/reports/test_closing.py).
    assert signed_in(secretariat).get(f"/cycles/{cycle.pk}/close/").status_code == 200
    assert StocktakingCycle.objects.get(pk=planned.pk).state == CycleState.PLANNED
    assert StocktakingCycle.objects.get(pk=cycle.pk).state == CycleState.OPEN


# --- The cycle page ---


def test_the_cycle_page_shows_completeness_who_has_not_reported_and_silent_activities(
    staff, focal_point, other_focal_point, secretariat
):
    cycle = new_cycle(secretariat)
    populate(staff, focal_point, other_focal_point)
    html = signed_in(staff).get(f"/cycles/{cycle.pk}/").content.decode()
    reported, expected = len(REPORTED_PAIRS), len(responsible_pairs())
    assert f"Completeness: {round(100 * reported / expected)}%" in html
    assert f"<dt>Reported</dt><dd>{reported} of {expected} expected activity-organization pairs</dd>" in html
    assert f"<dt>Missing</dt><dd>{expected - reported}</dd>" in html
    assert "<dt>Not applicable</dt><dd>0 declared by the organization</dd>" in html
    # Staff are offered the internal edition too; nobody else is.
    assert "?edition=internal" in html
    assert "?edition=internal" not in signed_in(secretariat).get(f"/cycles/{cycle.pk}/").content.decode()

    not_reported = dict(
        re.findall(
            r'<td data-label="Organization"><a href="/organizations/[^/]+/">([^<]+)</a></td>'
            r'<td data-label="Activities">([^<]*)</td>',
            html,
        )
    )
    assert not_reported == {
        acronym: ", ".join(numbers) for acronym, numbers in expected_missing(REPORTED_PAIRS).items()
    }
    silent = [n for n in nairobi_numbers() if n not in UPDATED_IN_CYCLE]
    assert f'Silent activities <span class="count">{len(silent)}</span>' in html
    assert re.findall(r'<a href="/activities/\d+/">([\d.]+)</a>', html.split("Silent activities")[1]) == silent


def test_the_cycle_page_of_a_cycle_with_no_entries_is_zero_complete(staff, secretariat):
    cycle = new_cycle(secretariat)
    html = signed_in(staff).get(f"/cycles/{cycle.pk}/").content.decode()
    assert "Completeness: 0%" in html
    assert f"0 of {len(responsible_pairs())} expected" in html


@pytest.mark.parametrize(
    ("days", "countdown"),
    [
        (12, "12 days left"),
        (1, "1 day left"),
        (0, "due today"),
        (-1, "overdue by 1 day"),
        (-3, "overdue by 3 days"),
    ],
)
def test_the_cycle_page_counts_down_to_the_deadline(viewer, secretariat, days, countdown):
    today = timezone.localdate()
    cycle = new_cycle(
        secretariat,
        title="Current",
        start=today - datetime.timedelta(days=60),
        end=today - datetime.timedelta(days=10),
        deadline=today + datetime.timedelta(days=days),
    )
    html = signed_in(viewer).get(f"/cycles/{cycle.pk}/").content.decode()
    [shown] = re.findall(r'<strong class="countdown[^"]*">([^<]+)</strong>', html)
    assert shown == countdown


def test_a_closed_cycle_shows_no_countdown(viewer, secretariat):
    cycle = new_cycle(secretariat)
    cycle_close(cycle=cycle, actor=secretariat, confirm=True)
    html = signed_in(viewer).get(f"/cycles/{cycle.pk}/").content.decode()
    assert 'class="countdown"' not in html
    assert "closed " in html


def test_an_open_cycles_report_is_kept_until_an_entry_or_the_cycle_changes(staff, focal_point, secretariat, settings):
    cycle = new_cycle(secretariat)
    client = signed_in(staff)

    def page() -> tuple[str, int]:
        with CaptureQueriesContext(connection) as captured:
            html = client.get(f"/cycles/{cycle.pk}/").content.decode()
        return html, len(captured)

    reported = "<dt>Reported</dt><dd>{} of "
    html, built = page()
    assert reported.format(0) in html
    html, kept = page()
    assert reported.format(0) in html and kept < built
    # An entry (the generation moves on): built again, with it.
    log(focal_point, "3.2", "ICAO", "in_progress", "Circulated.")
    html, queries = page()
    assert reported.format(1) in html and queries == built
    # The cycle's own fields are not the generation's: a new deadline is a new report.
    StocktakingCycle.objects.filter(pk=cycle.pk).update(deadline=datetime.date(2025, 8, 31))
    cycle.refresh_from_db()
    assert cycle_report_read(cycle=cycle).deadline == datetime.date(2025, 8, 31)
    # Where nothing is kept, the report is built on every view.
    settings.API_ANSWERS_KEPT = False
    assert page()[1] == page()[1] == built


def test_the_cycle_form_puts_open_it_now_beside_its_box(secretariat, client):
    client.force_login(secretariat)
    page = client.get("/cycles/new/").content.decode()
    assert '<label for="id_open_now"><input type="checkbox" name="open_now"' in page


def test_a_deadline_that_has_passed_is_confirmed_before_the_cycle_is_created(secretariat):
    client = signed_in(secretariat)
    assert "past_deadline" not in client.get("/cycles/new/").content.decode()
    response = client.post("/cycles/new/", payload(past_deadline=..., open_now="on"))
    page = response.content.decode()
    assert response.status_code == 400 and not StocktakingCycle.objects.exists()
    assert "This deadline, 15 July 2025, has passed" in page
    assert "The deadline has passed: create the cycle anyway" in page
    response = client.post("/cycles/new/", payload(open_now="on"))
    assert response.status_code == 302 and StocktakingCycle.objects.get().deadline == datetime.date(2025, 7, 15)


def test_a_deadline_to_come_asks_nothing_more(secretariat):
    today = timezone.localdate()
    response = signed_in(secretariat).post(
        "/cycles/new/",
        payload(
            past_deadline=...,
            period_start=str(today.replace(day=1)),
            period_end=str(today + datetime.timedelta(days=60)),
            deadline=str(today),  # today has not passed
        ),
    )
    assert response.status_code == 302 and StocktakingCycle.objects.count() == 1


def test_a_field_s_help_and_error_are_read_with_it(secretariat):
    page = signed_in(secretariat).post("/cycles/new/", payload(deadline="soon")).content.decode()
    assert 'aria-describedby="id_deadline_helptext id_deadline_error"' in page
    assert '<small id="id_deadline_helptext">' in page
    error = "Give the day as 23 Nov 2026 (or 2026-11-23)."
    assert f'<div id="id_deadline_error"><p class="error" role="alert">{error}</p></div>' in page
