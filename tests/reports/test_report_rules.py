"""What a stocktaking report says: the plan as it stood at a moment, completeness, changes, confidentiality."""

import datetime

import pytest

from actions.models import Confidentiality
from reports.services import cycle_close
from tests.conftest import token_client
from tests.reports.scenario import (
    REPORTED_PAIRS,
    RESTRICTED_WORD,
    UPDATED_IN_CYCLE,
    accept,
    api_report_url,
    expected_missing,
    expected_statuses,
    fetch,
    give_back,
    json_statuses,
    log,
    nairobi_numbers,
    new_cycle,
    populate,
    read_csv,
    read_json,
    report_url,
    responsible_pairs,
    signed_in,
    text_of,
)

pytestmark = pytest.mark.django_db

FORMATS = ["html", "csv", "xlsx", "pdf", "json"]
ROLES_WHO_READ_RESTRICTED = ["staff", "focal_point"]
ROLES_WHO_DO_NOT = ["other_focal_point", "viewer", "secretariat"]


@pytest.fixture
def cycle(staff, focal_point, other_focal_point, secretariat):
    cycle = new_cycle(secretariat)
    populate(staff, focal_point, other_focal_point)
    return cycle


def report_for(user, cycle, edition: str | None = None) -> dict:
    return read_json(fetch(signed_in(user), report_url(cycle, "json", edition)))


def organization_row(report: dict, number: str, acronym: str) -> dict:
    [activity] = [a for o in report["objectives"] for a in o["activities"] if a["number"] == number]
    [row] = [r for r in activity["organizations"] if r["acronym"] == acronym]
    return row


# --- A closed cycle's report is the plan as it stood when the cycle closed ---


def test_a_closed_cycles_report_does_not_change_when_entries_come_later(
    cycle, staff, focal_point, other_focal_point, secretariat, viewer
):
    waiting_to_be_accepted = log(
        focal_point, "3.2", "ICAO", "completed", "Legislation adopted.", reported_on=datetime.date(2025, 6, 1)
    )
    waiting_to_be_returned = log(
        other_focal_point, "3.6", "WCO", "delayed", "Workshop moved.", reported_on=datetime.date(2025, 6, 2)
    )
    cycle_close(cycle=cycle, actor=secretariat, confirm=True)
    staff_client, viewer_client = signed_in(staff), signed_in(viewer)
    before = {
        (client, format_, edition): fetch(client, report_url(cycle, format_, edition))
        for client, editions in ((staff_client, ("participants", "internal")), (viewer_client, ("participants",)))
        for edition in editions
        for format_ in ("json", "csv", "html")
    }
    report = read_json(before[staff_client, "json", "internal"])
    assert report["cycle"]["state"] == "closed"
    assert json_statuses(report)["3.2"] == "in_progress"
    assert organization_row(report, "3.2", "ICAO")["review_state"] == "submitted"
    assert json_statuses(report)["3.5"] is None

    # After the closing: reviews of what was waiting, new entries reporting on days inside the period,
    # a correction, and entries for organizations and activities that had not reported.
    accept(waiting_to_be_accepted, staff)
    give_back(waiting_to_be_returned, staff)
    log(staff, "3.5", "IMO", "completed", "Late but done.", reported_on=datetime.date(2025, 6, 15))
    accept(log(focal_point, "3.3", "ICAO", "delayed", "Reprint needed.", reported_on=datetime.date(2025, 6, 20)), staff)
    accept(log(other_focal_point, "3.8", "WCO", "completed", "Done in spring."), staff)
    accept(
        log(
            focal_point,
            "5.2",
            "ICAO",
            "completed",
            f"{RESTRICTED_WORD} gaps closed.",
            confidentiality=Confidentiality.RESTRICTED,
            reported_on=datetime.date(2025, 6, 25),
        ),
        staff,
    )

    for (client, format_, edition), content in before.items():
        assert fetch(client, report_url(cycle, format_, edition)) == content, (format_, edition)
    api = token_client(staff).get(api_report_url(cycle, "json", "internal")).content
    assert api == before[staff_client, "json", "internal"]

    # The same entries do count in a cycle still open over the same period: the data above matters.
    again = new_cycle(secretariat, title="First half 2025, reopened")
    statuses = json_statuses(report_for(staff, again))
    assert (statuses["3.2"], statuses["3.5"], statuses["3.3"]) == ("completed", "completed", "delayed")


def test_an_open_cycles_report_changes_when_an_entry_is_logged(cycle, staff):
    before = report_for(staff, cycle)
    log(staff, "3.5", "IMO", "ongoing", "Maritime security seminar series continues.")
    after = report_for(staff, cycle)
    assert json_statuses(before)["3.5"] is None
    assert json_statuses(after)["3.5"] == "ongoing"
    assert after["completeness"]["reported"] == before["completeness"]["reported"] + 1
    assert "3.5" in before["silent_activities"] and "3.5" not in after["silent_activities"]


def test_a_review_decided_in_an_open_cycle_shows_at_once(cycle, staff, other_focal_point):
    entry = log(other_focal_point, "3.7", "WCO", "in_progress", "Second attempt, with the airports named.")
    waiting = report_for(staff, cycle)
    assert json_statuses(waiting)["3.7"] is None
    assert organization_row(waiting, "3.7", "WCO")["review_state"] == "submitted"
    accept(entry, staff)
    assert json_statuses(report_for(staff, cycle))["3.7"] == "in_progress"


# --- Completeness, who did not report, silent activities ---


def test_completeness_is_the_share_of_expected_pairs_that_reported_in_the_cycle(cycle, staff):
    report = report_for(staff, cycle)
    expected = len(responsible_pairs())
    # ICAO reported twice on 3.2 and corrected 3.4: still one pair each. WCO on 1.2 is a participant of
    # a kind the activity is open to; its returned entry on 3.7 and its entry on 3.8 reporting on 2024
    # do not count.
    assert report["completeness"] == {
        "reported": len(REPORTED_PAIRS),
        "expected": expected,
        "not_applicable": 0,
        "share": round(len(REPORTED_PAIRS) / expected, 4),
    }
    assert {m["acronym"]: m["activities"] for m in report["not_reported"]} == expected_missing(REPORTED_PAIRS)
    assert [m["acronym"] for m in report["not_reported"]] == sorted(expected_missing(REPORTED_PAIRS))
    wco = next(m for m in report["not_reported"] if m["acronym"] == "WCO")
    assert wco["name"] == "World Customs Organization"
    assert {"3.7", "3.8", "5.3"} <= set(wco["activities"]) and not {"1.2", "3.6"} & set(wco["activities"])
    icao = next(m for m in report["not_reported"] if m["acronym"] == "ICAO")
    assert not {"3.2", "3.3", "3.4", "5.2"} & set(icao["activities"])
    assert report["silent_activities"] == [n for n in nairobi_numbers() if n not in UPDATED_IN_CYCLE]


def test_a_cycle_with_no_entries_is_zero_complete_and_all_silent(staff, secretariat):
    cycle = new_cycle(secretariat, title="Nothing yet")
    report = report_for(staff, cycle)
    assert report["completeness"]["reported"] == 0
    assert report["completeness"]["expected"] == len(responsible_pairs())
    assert report["completeness"]["not_applicable"] == 0
    assert report["silent_activities"] == nairobi_numbers()
    assert set(json_statuses(report).values()) == {None}
    assert report["distribution"] == {"none": 40}


# --- What changed since the previous cycle ---


def test_the_report_says_what_changed_since_the_previous_cycle(staff, secretariat):
    earlier = new_cycle(
        secretariat,
        title="Second half 2024",
        start=datetime.date(2024, 7, 1),
        end=datetime.date(2024, 12, 31),
        deadline=datetime.date(2025, 1, 15),
    )
    log(staff, "3.2", "ICAO", "in_progress", "Drafting model legislation.", reported_on=datetime.date(2024, 10, 1))
    log(staff, "3.6", "WCO", "planned", "Workshop planned.", reported_on=datetime.date(2024, 10, 1))
    cycle_close(cycle=earlier, actor=secretariat, confirm=True)
    # Logged for the earlier period after it closed: it is not part of what the earlier cycle said.
    log(staff, "3.5", "IMO", "delayed", "Seminar postponed.", reported_on=datetime.date(2024, 12, 1))

    later = new_cycle(secretariat)
    log(staff, "3.2", "ICAO", "completed", "Model legislation adopted.", reported_on=datetime.date(2025, 3, 1))
    log(staff, "3.6", "WCO", "planned", "Workshop still planned.", reported_on=datetime.date(2025, 3, 1))
    log(staff, "3.5", "IMO", "ongoing", "Seminar series running.", reported_on=datetime.date(2025, 3, 1))

    report = report_for(staff, later)
    assert report["previous_cycle"] == "Second half 2024"
    assert report["changes"] == [
        {"activity": "3.2", "from": "in_progress", "to": "completed"},
        {"activity": "3.5", "from": None, "to": "ongoing"},
    ]
    activities = {a["number"]: a for o in report["objectives"] for a in o["activities"]}
    assert (activities["3.6"]["previous_status"], activities["3.6"]["changed"]) == ("planned", False)
    assert (activities["3.2"]["previous_status"], activities["3.2"]["changed"]) == ("in_progress", True)

    _, rows = read_csv(fetch(signed_in(staff), report_url(later, "csv")))
    first_row = {row["Activity"]: row for row in rows}
    assert (first_row["3.2"]["Status at previous cycle"], first_row["3.2"]["Changed"]) == ("In progress", "yes")
    assert (first_row["3.6"]["Status at previous cycle"], first_row["3.6"]["Changed"]) == ("Planned", "no")
    html = fetch(signed_in(staff), report_url(later, "html")).decode()
    assert "What changed since Second half 2024" in html
    assert "was In progress" in html

    # The earlier cycle has nothing to compare with.
    first = report_for(staff, earlier)
    assert (first["previous_cycle"], first["changes"]) == (None, [])
    assert json_statuses(first)["3.5"] is None


# --- Editions: the participants edition for everyone, the internal edition for CTED staff ---

EVERYONE = ["staff", "focal_point", "other_focal_point", "viewer", "secretariat"]


@pytest.mark.parametrize("format_", FORMATS)
@pytest.mark.parametrize("role", EVERYONE)
def test_the_participants_edition_has_no_trace_of_a_restricted_entry_and_says_it_was_reported(
    request, cycle, role, format_
):
    content = fetch(signed_in(request.getfixturevalue(role)), report_url(cycle, format_))
    text = text_of(format_, content)
    assert RESTRICTED_WORD not in text
    assert "screening gaps" not in text  # the rest of the restricted observations
    assert ("reported in confidence" in text.lower()) or format_ == "json"
    assert "Participants edition" in text or format_ in {"json", "csv"}
    if format_ == "json":
        assert organization_row(read_json(content), "5.2", "ICAO")["in_confidence"] is True


@pytest.mark.parametrize("format_", FORMATS)
def test_the_internal_edition_holds_the_restricted_entry_and_marks_it(cycle, staff, format_):
    text = text_of(format_, fetch(signed_in(staff), report_url(cycle, format_, "internal")))
    assert RESTRICTED_WORD in text
    if format_ in {"html", "pdf"}:
        assert "Internal edition" in text and "Restricted to CTED" in text
    if format_ == "csv":  # codes, for programs
        assert "restricted" in text and "internal" in text
    if format_ == "xlsx":  # words, for people
        assert "Restricted to CTED" in text and "Internal edition" in text


@pytest.mark.parametrize("role", ["focal_point", "other_focal_point", "viewer", "secretariat"])
def test_only_cted_staff_get_the_internal_edition(request, cycle, role):
    user = request.getfixturevalue(role)
    assert signed_in(user).get(report_url(cycle, "pdf", "internal")).status_code == 403
    assert token_client(user).get(api_report_url(cycle, "json", "internal")).status_code == 403


def test_an_unknown_edition_is_a_400_with_the_choice(cycle, staff):
    response = signed_in(staff).get(report_url(cycle, "csv", "everything"))
    assert response.status_code == 400 and b"participants" in response.content
    api = token_client(staff).get(api_report_url(cycle, "json", "everything"))
    assert api.status_code == 400 and list(api.json()) == ["edition"]


@pytest.mark.parametrize("format_", ["json", "csv"])
def test_the_edition_is_in_the_file_name_and_the_json(cycle, staff, format_):
    for edition in ("participants", "internal"):
        response = token_client(staff).get(api_report_url(cycle, format_, edition))
        assert f"-{edition}.{format_}" in response["Content-Disposition"]
        if format_ == "json":
            assert response.json()["edition"] == edition


@pytest.mark.parametrize("role", EVERYONE)
def test_a_restricted_filing_counts_as_reported_for_every_reader(request, cycle, role):
    report = report_for(request.getfixturevalue(role), cycle)
    assert report["completeness"]["reported"] == len(REPORTED_PAIRS)
    assert {m["acronym"]: m["activities"] for m in report["not_reported"]} == expected_missing(REPORTED_PAIRS)
    assert "5.2" not in report["silent_activities"]
    # Its content is not for the participants edition: no status, no date, no observations.
    row = organization_row(report, "5.2", "ICAO")
    assert (row["status"], row["observations"], row["reported_on"], row["in_confidence"]) == (None, "", None, True)
    assert json_statuses(report) == expected_statuses(sees_restricted=False)
    internal = report_for(staff_of(request), cycle, "internal")
    assert json_statuses(internal) == expected_statuses(sees_restricted=True)
    assert internal["completeness"] == report["completeness"]


def staff_of(request):
    return request.getfixturevalue("staff")


def test_a_restricted_correction_shows_as_reported_in_confidence_in_the_participants_edition(
    secretariat, staff, focal_point, viewer
):
    cycle = new_cycle(secretariat)
    original = accept(log(focal_point, "3.2", "ICAO", "in_progress", "Workshops held in two regions."), staff)
    correction = log(
        focal_point,
        "3.2",
        "ICAO",
        "discontinued",
        f"{RESTRICTED_WORD}: funding withdrawn.",
        confidentiality=Confidentiality.RESTRICTED,
        supersedes=original,
    )
    accept(correction, staff)
    internal = report_for(staff, cycle, "internal")
    assert json_statuses(internal)["3.2"] == "discontinued"
    assert organization_row(internal, "3.2", "ICAO")["observations"] == f"{RESTRICTED_WORD}: funding withdrawn."
    for user in (staff, focal_point, viewer):
        report = report_for(user, cycle)
        # The overall status is what every participant may read; the latest filing stands, in confidence.
        assert json_statuses(report)["3.2"] == "in_progress", user
        row = organization_row(report, "3.2", "ICAO")
        assert (row["in_confidence"], row["observations"]) == (True, ""), user


# --- Closed means frozen ---


def test_a_closed_cycles_report_is_byte_identical_after_the_plan_participants_and_names_change(
    cycle, secretariat, staff, viewer
):
    from actions.models import Participation, Plan, Responsibility
    from organizations.models import Organization

    cycle_close(cycle=cycle, actor=secretariat, confirm=True)
    readings = [(staff, "internal"), (staff, None), (viewer, None)]
    before = {
        (user.username, edition, format_): fetch(signed_in(user), report_url(cycle, format_, edition))
        for user, edition in readings
        for format_ in FORMATS
    }
    plan = Plan.objects.get(code="nairobi-2007")
    Plan.objects.filter(pk=plan.pk).update(title="A plan renamed after the closing")
    plan.activities.filter(number="3.2").update(text="Reworded after the closing.")
    Responsibility.objects.filter(
        activity__plan=plan, activity__number="3.3", organization__acronym="INTERPOL"
    ).delete()
    Participation.objects.filter(plan=plan, organization__acronym="IOM").delete()
    Organization.objects.filter(acronym="ICAO").update(name="Renamed Civil Aviation Body")

    for (username, edition, format_), content in before.items():
        user = staff if username == staff.username else viewer
        assert fetch(signed_in(user), report_url(cycle, format_, edition)) == content, (username, edition, format_)
    # While an open cycle over the same period does read the plan as it is now.
    again = new_cycle(secretariat, title="First half 2025, reopened")
    assert "A plan renamed after the closing" in fetch(signed_in(staff), report_url(again, "html")).decode()
