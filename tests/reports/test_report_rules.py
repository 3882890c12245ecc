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


def report_for(user, cycle) -> dict:
    return read_json(fetch(signed_in(user), report_url(cycle, "json")))


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
    cycle_close(cycle=cycle, actor=secretariat)
    staff_client, viewer_client = signed_in(staff), signed_in(viewer)
    before = {
        (client, format_): fetch(client, report_url(cycle, format_))
        for client in (staff_client, viewer_client)
        for format_ in ("json", "csv", "html")
    }
    report = read_json(before[staff_client, "json"])
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

    for (client, format_), content in before.items():
        assert fetch(client, report_url(cycle, format_)) == content, format_
    assert token_client(staff).get(api_report_url(cycle, "json")).content == before[staff_client, "json"]

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


def test_completeness_is_the_share_of_named_pairs_that_reported_in_the_cycle(cycle, staff):
    report = report_for(staff, cycle)
    expected = len(responsible_pairs())
    # ICAO reported twice on 3.2 and corrected 3.4: still one pair each. WCO on 1.2 is not named there,
    # WCO's returned entry on 3.7 and its entry on 3.8 reporting on 2024 do not count.
    assert report["completeness"] == {
        "reported": len(REPORTED_PAIRS),
        "expected": expected,
        "share": round(len(REPORTED_PAIRS) / expected, 4),
    }
    assert {m["acronym"]: m["activities"] for m in report["not_reported"]} == expected_missing(REPORTED_PAIRS)
    assert [m["acronym"] for m in report["not_reported"]] == sorted(expected_missing(REPORTED_PAIRS))
    wco = next(m for m in report["not_reported"] if m["acronym"] == "WCO")
    assert wco == {"acronym": "WCO", "name": "World Customs Organization", "activities": ["3.7", "3.8", "5.3"]}
    assert "ICAO" not in {m["acronym"] for m in report["not_reported"]}
    assert report["silent_activities"] == [n for n in nairobi_numbers() if n not in UPDATED_IN_CYCLE]


def test_a_cycle_with_no_entries_is_zero_complete_and_all_silent(staff, secretariat):
    cycle = new_cycle(secretariat, title="Nothing yet")
    report = report_for(staff, cycle)
    assert report["completeness"]["reported"] == 0
    assert report["completeness"]["expected"] == len(responsible_pairs())
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
    cycle_close(cycle=earlier, actor=secretariat)
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


# --- Confidentiality in every format, for every role ---


@pytest.mark.parametrize("format_", FORMATS)
@pytest.mark.parametrize("role", ROLES_WHO_READ_RESTRICTED + ROLES_WHO_DO_NOT)
def test_restricted_observations_are_in_every_format_only_for_cted_and_the_organization(request, cycle, role, format_):
    user = request.getfixturevalue(role)
    text = text_of(format_, fetch(signed_in(user), report_url(cycle, format_)))
    assert (RESTRICTED_WORD in text) == (role in ROLES_WHO_READ_RESTRICTED)
    assert "screening gaps" in text or role in ROLES_WHO_DO_NOT


@pytest.mark.parametrize("format_", ["json", "csv"])
@pytest.mark.parametrize("role", ROLES_WHO_READ_RESTRICTED + ROLES_WHO_DO_NOT)
def test_restricted_observations_through_the_api_only_for_cted_and_the_organization(request, cycle, role, format_):
    user = request.getfixturevalue(role)
    content = fetch(token_client(user), api_report_url(cycle, format_))
    assert (RESTRICTED_WORD in content.decode("utf-8-sig")) == (role in ROLES_WHO_READ_RESTRICTED)


@pytest.mark.parametrize("role", ROLES_WHO_READ_RESTRICTED + ROLES_WHO_DO_NOT)
def test_a_restricted_entry_counts_only_for_those_who_may_read_it(request, cycle, role):
    sees = role in ROLES_WHO_READ_RESTRICTED
    report = report_for(request.getfixturevalue(role), cycle)
    assert json_statuses(report) == expected_statuses(sees_restricted=sees)
    reported = REPORTED_PAIRS if sees else REPORTED_PAIRS - {("5.2", "ICAO")}
    assert report["completeness"]["reported"] == len(reported)
    assert {m["acronym"]: m["activities"] for m in report["not_reported"]} == expected_missing(reported)
    assert ("5.2" in report["silent_activities"]) is not sees
    assert report["distribution"].get("delayed", 0) == (1 if sees else 0)
    row = organization_row(report, "5.2", "ICAO")
    assert (row["status"], row["confidentiality"]) == (("delayed", "restricted") if sees else (None, None))


def test_a_restricted_correction_changes_nothing_for_those_who_may_not_read_it(secretariat, staff, focal_point, viewer):
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
    for user, status, observations in [
        (staff, "discontinued", f"{RESTRICTED_WORD}: funding withdrawn."),
        (focal_point, "discontinued", f"{RESTRICTED_WORD}: funding withdrawn."),
        (viewer, "in_progress", "Workshops held in two regions."),
    ]:
        report = report_for(user, cycle)
        assert json_statuses(report)["3.2"] == status, user
        assert organization_row(report, "3.2", "ICAO")["observations"] == observations, user
