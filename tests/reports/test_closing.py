"""Closing a cycle cannot be undone: the page and the API ask to confirm it and say what it will do,
with the same numbers; a closed cycle's page links the report as it was sent.
"""

import re

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from actions import permissions
from organizations.models import FocalPoint
from reports.models import CycleState, StocktakingCycle
from reports.services import cycle_close, cycle_closing_preview, cycle_report_sent, cycle_report_store
from tests.conftest import token_client
from tests.helpers import organization
from tests.reports.scenario import REPORTED_PAIRS, accept, log, new_cycle, populate, responsible_pairs, signed_in

pytestmark = pytest.mark.django_db

CYCLES = "/api/v1/cycles/"


@pytest.fixture
def cycle(staff, focal_point, other_focal_point, secretariat):
    """The scenario's cycle, open, with focal points that do and do not receive the report.

    bob (ICAO) and charlie (WCO) come with the cast; Mia (IMO) is added, and so is Mia again for
    IMO's sister body under the same address (one e-mail); an inactive focal point, one without an
    address, and one of an organization not expected to report receive nothing.
    """
    cycle = new_cycle(secretariat)
    populate(staff, focal_point, other_focal_point)
    expected = {acronym for _, acronym in responsible_pairs()}
    imo = organization("IMO")
    assert "IMO" in expected and "ICAO" in expected and "WCO" in expected
    FocalPoint.objects.create(organization=imo, name="Mia", email="mia@imo.example.org")
    FocalPoint.objects.create(organization=imo, name="Ivan", email="ivan@imo.example.org", is_active=False)
    FocalPoint.objects.create(organization=imo, name="Nobody", email="")
    twin = next(a for a in sorted(expected) if a not in {"ICAO", "WCO", "IMO"})
    FocalPoint.objects.create(organization=organization(twin), name="Mia", email="mia@imo.example.org")
    return cycle


def expected_numbers() -> tuple[int, int, int]:
    """(organizations, people, unreported pairs), worked out here on their own."""
    expected = {acronym for _, acronym in responsible_pairs()}
    people = set(
        FocalPoint.objects.filter(organization__acronym__in=expected, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    return len(expected), len(people), len(responsible_pairs() - REPORTED_PAIRS)


def numbers_in(message: str) -> tuple[int, int, int]:
    found = re.search(
        r"e-mailed to (\d+) focal points? of (\d+) organizations?; (\d+) expected activity-organization pairs?", message
    )
    assert found, message
    people, organizations, unreported = (int(n) for n in found.groups())
    return organizations, people, unreported


# --- The preview and the service ---


def test_the_preview_counts_organizations_people_and_pairs_not_reported(cycle):
    organizations, people, unreported = expected_numbers()
    assert people >= 3, "bob, charlie and Mia at least"
    preview = cycle_closing_preview(cycle)
    assert (preview.organizations, preview.recipients, preview.unreported_pairs) == (organizations, people, unreported)
    assert numbers_in(preview.summary) == (organizations, people, unreported)


def test_the_preview_follows_what_is_reported(cycle, staff, other_focal_point):
    before = cycle_closing_preview(cycle).unreported_pairs
    missing = sorted(responsible_pairs() - REPORTED_PAIRS)
    number = next(n for n, acronym in missing if acronym == "WCO")
    accept(log(other_focal_point, number, "WCO", "planned", "Scheduled."), staff)
    assert cycle_closing_preview(cycle).unreported_pairs == before - 1


def test_closing_without_confirming_is_refused_on_confirm_and_says_what_closing_will_do(cycle, secretariat):
    with pytest.raises(ValidationError) as refused:
        cycle_close(cycle=cycle, actor=secretariat, confirm=False)
    assert set(refused.value.message_dict) == {"confirm"}
    [message] = refused.value.message_dict["confirm"]
    assert numbers_in(message) == expected_numbers()
    assert "cannot be undone" in message
    cycle.refresh_from_db()
    assert (cycle.state, cycle.closed_at) == (CycleState.OPEN, None)

    cycle_close(cycle=cycle, actor=secretariat, confirm=True)
    cycle.refresh_from_db()
    assert cycle.state == CycleState.CLOSED


def test_a_closed_cycle_is_refused_on_state_confirmed_or_not(cycle, secretariat):
    cycle_close(cycle=cycle, actor=secretariat, confirm=True)
    for confirm in (False, True):
        with pytest.raises(ValidationError) as refused:
            cycle_close(cycle=cycle, actor=secretariat, confirm=confirm)
        assert refused.value.message_dict == {"state": ["Only an open cycle can be closed."]}


# --- The API ---


def test_the_api_closes_only_with_confirm_true_and_otherwise_says_what_closing_will_do(cycle, secretariat):
    client = token_client(secretariat)
    url = f"{CYCLES}{cycle.pk}/close/"
    with pytest.raises(ValidationError) as refused:
        cycle_close(cycle=cycle, actor=secretariat, confirm=False)
    for body in (None, {}, {"confirm": False}):
        response = client.post(url, body, format="json")
        assert response.status_code == 400, (body, response.content)
        assert response.json() == refused.value.message_dict, "the API answers as the service (and the page)"
        assert StocktakingCycle.objects.get(pk=cycle.pk).state == CycleState.OPEN

    response = client.post(url, {"confirm": "perhaps"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["confirm"]
    assert StocktakingCycle.objects.get(pk=cycle.pk).state == CycleState.OPEN

    response = client.post(url, {"confirm": True}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "closed"
    assert StocktakingCycle.objects.get(pk=cycle.pk).state == CycleState.CLOSED


@pytest.mark.parametrize("role", ["viewer", "focal_point"])
def test_others_get_a_403_on_close_confirmed_or_not(request, cycle, role):
    client = token_client(request.getfixturevalue(role))
    for body in ({}, {"confirm": True}):
        assert client.post(f"{CYCLES}{cycle.pk}/close/", body, format="json").status_code == 403
    assert StocktakingCycle.objects.get(pk=cycle.pk).state == CycleState.OPEN


def test_the_schema_documents_the_confirm_body(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    schema = (tmp_path / "schema.yaml").read_text()
    close = schema.split("/api/v1/cycles/{id}/close/:")[1].split("\n  /api/")[0]
    assert "requestBody:" in close
    assert "CycleClose" in close
    component = schema.split("    CycleCloseRequest:")[1].split("\n    Cycle")[0]
    assert "confirm:" in component and "type: boolean" in component
    assert "'400':" in close


# --- The pages ---


def test_the_close_button_leads_to_a_page_that_says_what_closing_will_do(cycle, secretariat):
    client = signed_in(secretariat)
    page = client.get(f"/cycles/{cycle.pk}/").content.decode()
    # The button on the cycle page only asks: it is a GET to the confirmation page.
    assert re.search(rf'<form method="get" action="/cycles/{cycle.pk}/close/"><button[^>]*>Close the cycle', page)

    response = client.get(f"/cycles/{cycle.pk}/close/")
    assert response.status_code == 200
    html = response.content.decode()
    shown = tuple(
        int(re.search(rf'data-count="{name}">(\d+)<', html).group(1))  # type: ignore[union-attr]
        for name in ("organizations", "recipients", "unreported")
    )
    assert shown == expected_numbers()
    form = re.search(rf'<form method="post" action="/cycles/{cycle.pk}/close/"[^>]*>(.*?)</form>', html, re.DOTALL)
    assert form, html
    assert 'name="csrfmiddlewaretoken"' in form.group(1)
    assert 'name="confirm" value="1"' in form.group(1)
    assert StocktakingCycle.objects.get(pk=cycle.pk).state == CycleState.OPEN, "looking closes nothing"


def test_posting_without_confirm_on_the_page_is_a_400_with_the_services_message(cycle, secretariat):
    with pytest.raises(ValidationError) as refused:
        cycle_close(cycle=cycle, actor=secretariat, confirm=False)
    [message] = refused.value.messages
    response = signed_in(secretariat).post(f"/cycles/{cycle.pk}/close/", {"confirm": "0"})
    assert response.status_code == 400
    assert escape(message) in response.content.decode()
    assert StocktakingCycle.objects.get(pk=cycle.pk).state == CycleState.OPEN

    response = signed_in(secretariat).post(f"/cycles/{cycle.pk}/close/", {"confirm": "1"})
    assert response.status_code == 302
    assert StocktakingCycle.objects.get(pk=cycle.pk).state == CycleState.CLOSED


def test_the_page_checks_csrf_on_closing(cycle, secretariat):
    client = Client(enforce_csrf_checks=True)
    client.force_login(secretariat)
    assert client.post(f"/cycles/{cycle.pk}/close/", {"confirm": "1"}).status_code == 403
    assert StocktakingCycle.objects.get(pk=cycle.pk).state == CycleState.OPEN


def test_the_confirmation_page_of_a_closed_cycle_goes_back_to_the_cycle(cycle, secretariat):
    cycle_close(cycle=cycle, actor=secretariat, confirm=True)
    response = signed_in(secretariat).get(f"/cycles/{cycle.pk}/close/", follow=True)
    assert response.redirect_chain == [(f"/cycles/{cycle.pk}/", 302)]
    assert [str(m) for m in response.context["messages"]] == ["Only an open cycle can be closed."]


@pytest.mark.parametrize("role", ["viewer", "focal_point"])
def test_others_may_not_see_the_confirmation_page(request, cycle, role):
    assert signed_in(request.getfixturevalue(role)).get(f"/cycles/{cycle.pk}/close/").status_code == 403


def test_the_confirmation_page_costs_a_fixed_number_of_queries(django_assert_num_queries, cycle, secretariat):
    client = signed_in(secretariat)
    # the session; the user; the cycle with its plan; the user's role (groups); the plan's expected
    # reporters for the organizations (activities, responsibilities, open kinds, participants, their
    # organizations, not-applicable declarations: 6); the focal points' distinct addresses; the pairs
    # reported in the cycle; the expected reporters again for who has not reported (6)
    with django_assert_num_queries(18):
        assert client.get(f"/cycles/{cycle.pk}/close/").status_code == 200


# --- The report as it was sent, on the cycle's page ---


def test_a_closed_cycles_page_links_the_report_as_it_was_sent(cycle, secretariat, viewer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cycle_close(cycle=cycle, actor=secretariat, confirm=True)
    html = signed_in(viewer).get(f"/cycles/{cycle.pk}/").content.decode()
    assert "As sent to the participants" not in html, "nothing stored yet, nothing to link"

    stored = cycle_report_store(cycle=cycle, actor=permissions.SYSTEM)
    cycle_report_sent(cycle=cycle, actor=permissions.SYSTEM)
    cycle.refresh_from_db()
    html = signed_in(viewer).get(f"/cycles/{cycle.pk}/").content.decode()
    sent_on = timezone.localtime(cycle.report_sent_at).strftime("%-d %B %Y")
    line = re.search(r'<p class="sent-files">(.*?)</p>', html)
    assert line, html
    assert line.group(1).startswith(f"As sent to the participants on {sent_on}: ")
    assert re.findall(r'<a href="([^"]+)" hreflang="en">([A-Z]+)</a>', line.group(1)) == [
        (f"/cycles/{cycle.pk}/sent/pdf?lang=en", "PDF"),
        (f"/cycles/{cycle.pk}/sent/xlsx?lang=en", "XLSX"),
    ]
    pdf = signed_in(viewer).get(f"/cycles/{cycle.pk}/sent/pdf")
    assert b"".join(pdf.streaming_content) == stored["pdf"].file.open("rb").read()


def test_an_open_cycles_page_links_no_sent_report(cycle, viewer):
    assert 'class="sent-files"' not in signed_in(viewer).get(f"/cycles/{cycle.pk}/").content.decode()
