"""Participants of a plan in stocktaking: expected, reminded, counted and sent the report.

IOM takes part in the Nairobi plan and is an international organization; activity 1.2
does not name it but is open to "all relevant IROs", so IOM is expected to report on it,
unless it declares that 1.2 does not apply to it.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from actions.models import NotApplicable, Participation
from actions.services import not_applicable_declare, not_applicable_withdraw
from organizations.roles import Role
from reports.services import cycle_close
from tests.factories import UserFactory
from tests.helpers import counts, nairobi, organization, page_client
from tests.notifications.mailbox import one_to, run_job, settle
from tests.reports.scenario import DEADLINE, fetch, new_cycle, read_json, report_url

pytestmark = pytest.mark.django_db

IOM_FOCAL_POINT = "ida@iom.example.org"


@pytest.fixture
def iom_focal_point():
    user = UserFactory(username="ida", email=IOM_FOCAL_POINT, role=Role.FOCAL_POINT, organization=organization("IOM"))
    return user


@pytest.fixture
def cycle(secretariat):
    return new_cycle(secretariat)


def report(user, cycle) -> dict:
    return read_json(fetch(page_client(user), report_url(cycle, "json")))


def missing_of(report: dict, acronym: str) -> list[str]:
    return next((m["activities"] for m in report["not_reported"] if m["acronym"] == acronym), [])


def test_an_unnamed_participant_is_expected_reminded_listed_and_sent_the_report(
    cycle, secretariat, staff, iom_focal_point
):
    assert "1.2" in missing_of(report(staff, cycle), "IOM")

    settle()
    sent = run_job("reminders", DEADLINE - datetime.timedelta(days=14))
    reminder = one_to(sent, IOM_FOCAL_POINT)
    assert "1.2" in reminder.body

    cycle_close(cycle=cycle, actor=secretariat, confirm=True)
    settle()
    # The closing's own sending waits for its transaction to commit; the nightly job sends what is unsent.
    sent = run_job("close-cycles", DEADLINE + datetime.timedelta(days=1))
    closing = one_to(sent, IOM_FOCAL_POINT)
    assert cycle.title in closing.subject + closing.body


def test_a_participant_that_left_before_the_period_is_not_expected(cycle, staff):
    Participation.objects.filter(plan__code="nairobi-2007", organization__acronym="IOM").update(
        left_on=datetime.date(2024, 12, 31)
    )
    assert missing_of(report(staff, cycle), "IOM") == []


def test_not_applicable_removes_the_pair_from_missing_and_shows_in_completeness(cycle, staff, viewer, iom_focal_point):
    before = report(viewer, cycle)
    declaration = not_applicable_declare(
        activity=nairobi("1.2"),
        organization=organization("IOM"),
        reason="IOM runs no watch lists.",
        author=iom_focal_point,
    )
    after = report(viewer, cycle)
    assert "1.2" not in missing_of(after, "IOM")
    assert after["completeness"]["expected"] == before["completeness"]["expected"] - 1
    assert after["completeness"]["not_applicable"] == before["completeness"]["not_applicable"] + 1 == 1
    assert after["completeness"]["reported"] == before["completeness"]["reported"]

    # Withdrawn by CTED staff: IOM is expected again; both stay in the history.
    not_applicable_withdraw(declaration=declaration, actor=staff)
    assert "1.2" in missing_of(report(viewer, cycle), "IOM")
    declaration.refresh_from_db()
    assert declaration.withdrawn_by == staff and declaration.reason == "IOM runs no watch lists."


def test_a_closed_cycle_counts_the_declarations_as_they_stood_when_it_closed(
    cycle, secretariat, staff, iom_focal_point
):
    cycle_close(cycle=cycle, actor=secretariat, confirm=True)
    not_applicable_declare(
        activity=nairobi("1.2"), organization=organization("IOM"), reason="Made after the closing.", author=staff
    )
    assert "1.2" in missing_of(report(staff, cycle), "IOM")


def test_only_an_organization_the_activity_is_open_to_by_kind_declares_it_not_applicable(
    focal_point, other_focal_point, viewer, staff
):
    before = NotApplicable.objects.count()
    with pytest.raises(ValidationError) as named:  # 3.2 names ICAO: it reports on it
        not_applicable_declare(
            activity=nairobi("3.2"), organization=organization("ICAO"), reason="No.", author=focal_point
        )
    assert list(named.value.message_dict) == ["organization"]
    with pytest.raises(PermissionDenied):  # not their organization
        not_applicable_declare(
            activity=nairobi("1.2"), organization=organization("IOM"), reason="No.", author=focal_point
        )
    with pytest.raises(PermissionDenied):
        not_applicable_declare(activity=nairobi("1.2"), organization=organization("WCO"), reason="No.", author=viewer)
    with pytest.raises(ValidationError) as no_reason:
        not_applicable_declare(
            activity=nairobi("1.2"), organization=organization("WCO"), reason=" ", author=other_focal_point
        )
    assert list(no_reason.value.message_dict) == ["reason"]
    assert NotApplicable.objects.count() == before

    not_applicable_declare(
        activity=nairobi("1.2"), organization=organization("WCO"), reason="No.", author=other_focal_point
    )
    with pytest.raises(ValidationError) as twice:
        not_applicable_declare(activity=nairobi("1.2"), organization=organization("WCO"), reason="Again.", author=staff)
    assert "already declared" in twice.value.message_dict["organization"][0]


def test_only_cted_staff_withdraw_a_declaration(other_focal_point, secretariat):
    declaration = not_applicable_declare(
        activity=nairobi("1.2"), organization=organization("WCO"), reason="No.", author=other_focal_point
    )
    for user in (other_focal_point, secretariat):
        with pytest.raises(PermissionDenied):
            not_applicable_withdraw(declaration=declaration, actor=user)
    assert NotApplicable.objects.in_force().filter(pk=declaration.pk).exists()


def test_the_activity_page_declares_and_withdraws_in_one_click_each(other_focal_point, staff):
    activity = nairobi("1.2")
    bob = page_client(other_focal_point)
    page = bob.get(activity.get_absolute_url()).content.decode()
    assert "Declare not applicable" in page
    entries = counts()
    response = bob.post(
        f"/activities/{activity.pk}/not-applicable/", {"organization": organization("WCO").pk, "reason": ""}
    )
    assert response.status_code == 302 and not NotApplicable.objects.exists()
    response = bob.post(
        f"/activities/{activity.pk}/not-applicable/",
        {"organization": organization("WCO").pk, "reason": "No border posts."},
    )
    assert response.status_code == 302
    [declaration] = NotApplicable.objects.all()
    page = bob.get(activity.get_absolute_url()).content.decode()
    assert "No border posts." in page and "Declare not applicable" not in page
    assert bob.post(f"/not-applicable/{declaration.pk}/withdraw/").status_code == 403

    alice = page_client(staff)
    assert "Withdraw: expect WCO to report again" in alice.get(activity.get_absolute_url()).content.decode()
    assert alice.post(f"/not-applicable/{declaration.pk}/withdraw/").status_code == 302
    declaration.refresh_from_db()
    assert declaration.withdrawn_at is not None
    assert counts() == entries  # declaring logs no progress


def test_the_page_refuses_a_declaration_for_another_organization(focal_point):
    activity = nairobi("1.2")
    response = page_client(focal_point).post(
        f"/activities/{activity.pk}/not-applicable/", {"organization": organization("WCO").pk, "reason": "No."}
    )
    assert response.status_code == 403
    assert not NotApplicable.objects.exists()
