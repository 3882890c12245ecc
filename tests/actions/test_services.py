"""Logging and reviewing progress through the services every view, API call and command uses."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from actions.models import (
    Activity,
    Confidentiality,
    ReviewDecision,
    ReviewState,
    Status,
    StatusEntry,
    StatusEntryReview,
)
from actions.services import status_entry_log, status_entry_review
from tests.factories import StatusEntryFactory
from tests.helpers import counts, nairobi

pytestmark = pytest.mark.django_db

MAY = datetime.date(2026, 5, 1)
APRIL = datetime.date(2026, 4, 1)
MARCH = datetime.date(2026, 3, 1)


def log(author, organization, number="3.2", **kwargs) -> StatusEntry:
    """Log an entry with sensible defaults; a test names what it is about."""
    fields = {
        "activity": nairobi(number),
        "organization": organization,
        "author": author,
        "status": Status.IN_PROGRESS,
        "observations": "Two regional workshops on travel document security held.",
        "reported_on": MAY,
        **kwargs,
    }
    return status_entry_log(**fields)


def refused(error_class, call) -> dict:
    """Run ``call``, which must raise ``error_class`` and write nothing; the field errors, if any."""
    before = counts()
    with pytest.raises(error_class) as raised:
        call()
    assert counts() == before, "a refused call wrote something"
    return getattr(raised.value, "message_dict", {})


def overall_status(number: str, user) -> str | None:
    return Activity.objects.with_progress(user).get(pk=nairobi(number).pk).status


# --- Logging ---


def test_a_focal_points_entry_waits_for_review_and_a_staff_entry_is_accepted_at_once(staff, focal_point, icao):
    by_focal_point = log(focal_point, icao)
    by_staff = log(staff, icao, status=Status.COMPLETED)
    assert by_focal_point.review_state == ReviewState.SUBMITTED
    assert by_staff.review_state == ReviewState.ACCEPTED
    assert StatusEntry.objects.get(pk=by_staff.pk).review_state == ReviewState.ACCEPTED
    # Staff's entries are accepted without a review of their own.
    assert StatusEntryReview.objects.count() == 0


def test_an_entry_records_what_was_given(focal_point, icao):
    entry = log(
        focal_point,
        icao,
        status=Status.ONGOING,
        confidentiality=Confidentiality.RESTRICTED,
        evidence=["https://example.org/report.pdf", "http://example.org/annex"],
    )
    entry = StatusEntry.objects.get(pk=entry.pk)
    assert (entry.activity.number, entry.organization, entry.author) == ("3.2", icao, focal_point)
    assert entry.status == Status.ONGOING
    assert entry.reported_on == MAY
    assert entry.confidentiality == Confidentiality.RESTRICTED
    assert entry.evidence == ["https://example.org/report.pdf", "http://example.org/annex"]
    assert entry.supersedes is None


def test_an_entry_without_a_date_reports_on_today(focal_point, icao):
    entry = log(focal_point, icao, reported_on=None)
    assert entry.reported_on == timezone.localdate()


def test_a_correction_is_a_new_entry_and_the_history_keeps_both(focal_point, icao):
    original = log(focal_point, icao, status=Status.IN_PROGRESS, observations="First report.")
    correction = log(focal_point, icao, status=Status.DELAYED, observations="Corrected report.", supersedes=original)
    assert correction.pk != original.pk
    original.refresh_from_db()
    # Nothing is edited in place: the corrected entry still says what it said.
    assert (original.status, original.observations) == (Status.IN_PROGRESS, "First report.")
    assert original.superseded_by == correction
    assert correction.supersedes == original
    assert list(StatusEntry.objects.filter(activity=nairobi("3.2")).order_by("pk")) == [original, correction]


def test_an_entry_is_corrected_once_then_the_correction_is_corrected(focal_point, icao):
    original = log(focal_point, icao)
    correction = log(focal_point, icao, status=Status.DELAYED, supersedes=original)
    errors = refused(ValidationError, lambda: log(focal_point, icao, status=Status.COMPLETED, supersedes=original))
    assert errors == {"supersedes": ["That entry has already been corrected; correct the latest one."]}
    assert StatusEntry.objects.filter(supersedes=original).get() == correction
    # Correcting the latest one is the way.
    second = log(focal_point, icao, status=Status.COMPLETED, supersedes=correction)
    assert second.supersedes == correction


def test_a_correction_is_for_the_same_organization(staff, icao, wco):
    original = log(staff, icao, number="1.1")
    errors = refused(ValidationError, lambda: log(staff, wco, number="1.1", supersedes=original))
    assert list(errors) == ["supersedes"]


def test_a_correction_is_for_the_same_activity(staff, icao):
    original = log(staff, icao, number="1.1")
    errors = refused(ValidationError, lambda: log(staff, icao, number="3.2", supersedes=original))
    assert list(errors) == ["supersedes"]


def test_an_entry_reports_on_today_or_earlier(focal_point, icao):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    errors = refused(ValidationError, lambda: log(focal_point, icao, reported_on=tomorrow))
    assert errors == {"reported_on": ["An entry reports on a day that has come: today or earlier."]}
    assert log(focal_point, icao, reported_on=timezone.localdate()).reported_on == timezone.localdate()


def test_observations_are_at_most_5000_characters(focal_point, icao):
    errors = refused(ValidationError, lambda: log(focal_point, icao, observations="x" * 5001))
    assert list(errors) == ["observations"]
    assert len(log(focal_point, icao, observations="x" * 5000).observations) == 5000


def test_observations_are_required(focal_point, icao):
    errors = refused(ValidationError, lambda: log(focal_point, icao, observations=""))
    assert list(errors) == ["observations"]


def test_observations_of_only_spaces_are_refused(focal_point, icao):
    """The form and the API strip spaces; the service, which commands and tasks call too, must not store blank text."""
    errors = refused(ValidationError, lambda: log(focal_point, icao, observations="   \n  "))
    assert list(errors) == ["observations"]


@pytest.mark.parametrize(
    "evidence",
    [
        ["not a url"],
        ["ftp://x"],
        ["ftp://example.org/report.pdf"],
        ["https://example.org/ok", "javascript:alert(1)"],
        ["https://example.org/" + "a" * 500],
        [42],
        "https://example.org/not-a-list",
        [f"https://example.org/{n}" for n in range(11)],
    ],
    ids=["not-a-url", "ftp-short", "ftp", "javascript", "over-500", "not-text", "not-a-list", "eleven-links"],
)
def test_evidence_is_at_most_ten_web_addresses(focal_point, icao, evidence):
    errors = refused(ValidationError, lambda: log(focal_point, icao, evidence=evidence))
    assert list(errors) == ["evidence"]


def test_ten_evidence_links_are_accepted(focal_point, icao):
    links = [f"https://example.org/{n}" for n in range(10)]
    assert log(focal_point, icao, evidence=links).evidence == links


@pytest.mark.parametrize(
    ("field", "value"),
    [("status", "finished"), ("status", ""), ("confidentiality", "secret")],
)
def test_unknown_choices_are_refused(focal_point, icao, field, value):
    errors = refused(ValidationError, lambda: log(focal_point, icao, **{field: value}))
    assert list(errors) == [field]


def test_several_mistakes_are_reported_together(focal_point, icao):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    errors = refused(
        ValidationError,
        lambda: log(focal_point, icao, status="finished", reported_on=tomorrow, evidence=["not a url"]),
    )
    assert set(errors) == {"status", "reported_on", "evidence"}


def test_an_organization_logs_only_on_activities_open_to_it(staff, focal_point, icao, wco):
    # 3.6 names WCO and is open to regional bodies; ICAO is international.
    errors = refused(ValidationError, lambda: log(focal_point, icao, number="3.6"))
    assert errors == {"organization": ["ICAO is not responsible for activity 3.6."]}
    # Staff may log for anyone, but only where the organization is responsible.
    errors = refused(ValidationError, lambda: log(staff, wco, number="3.2"))
    assert errors == {"organization": ["WCO is not responsible for activity 3.2."]}
    # "All relevant IROs": 1.1 is open to ICAO without naming it.
    assert log(focal_point, icao, number="1.1").activity.number == "1.1"


def test_a_focal_point_logs_only_for_their_own_organization(focal_point, wco):
    refused(PermissionDenied, lambda: log(focal_point, wco, number="1.1"))
    refused(PermissionDenied, lambda: log(focal_point, wco, number="3.6"))


@pytest.mark.parametrize("role", ["viewer", "secretariat"])
def test_viewers_and_the_secretariat_do_not_log(request, role, icao):
    refused(PermissionDenied, lambda: log(request.getfixturevalue(role), icao))


def test_a_focal_point_cannot_correct_another_organizations_entry(focal_point, staff, wco):
    theirs = log(staff, wco, number="1.1")
    refused(PermissionDenied, lambda: log(focal_point, wco, number="1.1", supersedes=theirs))


# --- Reviewing ---


def test_accepting_a_submitted_entry(staff, focal_point, icao):
    entry = log(focal_point, icao)
    review = status_entry_review(entry=entry, reviewer=staff, decision=ReviewDecision.ACCEPT, comment="")
    entry.refresh_from_db()
    assert entry.review_state == ReviewState.ACCEPTED
    assert (review.entry, review.reviewer, review.decision) == (entry, staff, ReviewDecision.ACCEPT)
    assert StatusEntryReview.objects.get() == review


def test_returning_an_entry_needs_a_comment(staff, focal_point, icao):
    entry = log(focal_point, icao)
    for blank in ["", "   "]:
        errors = refused(
            ValidationError,
            lambda blank=blank: status_entry_review(
                entry=entry, reviewer=staff, decision=ReviewDecision.RETURN, comment=blank
            ),
        )
        assert list(errors) == ["comment"]
    entry.refresh_from_db()
    assert entry.review_state == ReviewState.SUBMITTED
    status_entry_review(entry=entry, reviewer=staff, decision=ReviewDecision.RETURN, comment="Which workshops?")
    entry.refresh_from_db()
    assert entry.review_state == ReviewState.RETURNED
    assert StatusEntryReview.objects.get().comment == "Which workshops?"


def test_an_unknown_decision_is_refused(staff, focal_point, icao):
    entry = log(focal_point, icao)
    errors = refused(
        ValidationError, lambda: status_entry_review(entry=entry, reviewer=staff, decision="maybe", comment="")
    )
    assert list(errors) == ["decision"]


@pytest.mark.parametrize("second", [ReviewDecision.ACCEPT, ReviewDecision.RETURN])
def test_an_entry_is_reviewed_once(staff, focal_point, icao, second):
    entry = log(focal_point, icao)
    status_entry_review(entry=entry, reviewer=staff, decision=ReviewDecision.ACCEPT, comment="")
    errors = refused(
        ValidationError,
        lambda: status_entry_review(entry=entry, reviewer=staff, decision=second, comment="On second thoughts."),
    )
    assert errors == {"decision": ["This entry has already been reviewed."]}
    assert StatusEntryReview.objects.filter(entry=entry).count() == 1
    entry.refresh_from_db()
    assert entry.review_state == ReviewState.ACCEPTED


def test_a_stale_copy_of_an_entry_cannot_be_reviewed_twice(staff, focal_point, icao):
    """Two reviewers with the same page open: the second decision is refused, not recorded."""
    entry = log(focal_point, icao)
    stale = StatusEntry.objects.get(pk=entry.pk)
    status_entry_review(entry=entry, reviewer=staff, decision=ReviewDecision.RETURN, comment="Say more.")
    refused(ValidationError, lambda: status_entry_review(entry=stale, reviewer=staff, decision=ReviewDecision.ACCEPT))
    assert StatusEntryReview.objects.filter(entry=entry).count() == 1
    entry.refresh_from_db()
    assert entry.review_state == ReviewState.RETURNED


def test_a_staff_entry_accepted_at_once_is_not_reviewed_again(staff, icao):
    entry = log(staff, icao)
    refused(ValidationError, lambda: status_entry_review(entry=entry, reviewer=staff, decision=ReviewDecision.ACCEPT))


@pytest.mark.parametrize("role", ["focal_point", "other_focal_point", "viewer", "secretariat"])
def test_only_staff_review(request, role, focal_point, icao):
    entry = log(focal_point, icao)
    reviewer = request.getfixturevalue(role)
    refused(
        PermissionDenied,
        lambda: status_entry_review(entry=entry, reviewer=reviewer, decision=ReviewDecision.ACCEPT),
    )
    entry.refresh_from_db()
    assert entry.review_state == ReviewState.SUBMITTED


# --- A correction of an entry awaiting review takes its place in the review queue ---


def test_an_entry_corrected_while_awaiting_review_is_superseded_and_leaves_the_queue(staff, focal_point, icao):
    original = log(focal_point, icao, observations="First report.")
    correction = log(focal_point, icao, observations="Corrected report.", supersedes=original)
    original.refresh_from_db()
    assert original.review_state == ReviewState.SUPERSEDED
    assert correction.review_state == ReviewState.SUBMITTED
    assert correction.supersedes.review_state == ReviewState.SUPERSEDED
    assert list(StatusEntry.objects.for_review_queue(staff)) == [correction]
    for decision, comment in [(ReviewDecision.ACCEPT, ""), (ReviewDecision.RETURN, "Say more.")]:
        errors = refused(
            ValidationError,
            lambda decision=decision, comment=comment: status_entry_review(
                entry=original, reviewer=staff, decision=decision, comment=comment
            ),
        )
        assert errors == {"decision": ["This entry was corrected; review the correction."]}
    original.refresh_from_db()
    assert original.review_state == ReviewState.SUPERSEDED
    # The correction is the one reviewed.
    status_entry_review(entry=correction, reviewer=staff, decision=ReviewDecision.ACCEPT)
    assert not StatusEntry.objects.for_review_queue(staff).exists()


def test_a_staff_correction_of_an_entry_awaiting_review_supersedes_it_too(staff, focal_point, icao):
    original = log(focal_point, icao)
    correction = log(staff, icao, status=Status.DELAYED, supersedes=original)
    original.refresh_from_db()
    assert (original.review_state, correction.review_state) == (ReviewState.SUPERSEDED, ReviewState.ACCEPTED)
    assert not StatusEntry.objects.for_review_queue(staff).exists()


@pytest.mark.parametrize(
    ("decision", "state"),
    [(ReviewDecision.ACCEPT, ReviewState.ACCEPTED), (ReviewDecision.RETURN, ReviewState.RETURNED)],
)
def test_a_reviewed_entry_keeps_its_review_state_when_corrected(staff, focal_point, icao, decision, state):
    original = log(focal_point, icao)
    status_entry_review(entry=original, reviewer=staff, decision=decision, comment="Say which workshops.")
    log(focal_point, icao, status=Status.DELAYED, supersedes=original)
    original.refresh_from_db()
    assert original.review_state == state


def test_a_refused_correction_leaves_the_entry_awaiting_review(focal_point, icao):
    original = log(focal_point, icao)
    refused(ValidationError, lambda: log(focal_point, icao, observations=" ", supersedes=original))
    original.refresh_from_db()
    assert original.review_state == ReviewState.SUBMITTED


def test_a_reviewer_with_a_stale_copy_of_an_entry_corrected_since_is_told_to_review_the_correction(
    staff, focal_point, icao
):
    """The queue was open while the organization corrected the entry: the decision is refused, and says why."""
    original = log(focal_point, icao)
    stale = StatusEntry.objects.get(pk=original.pk)
    log(focal_point, icao, status=Status.DELAYED, supersedes=original)
    errors = refused(
        ValidationError, lambda: status_entry_review(entry=stale, reviewer=staff, decision=ReviewDecision.ACCEPT)
    )
    assert errors == {"decision": ["This entry was corrected; review the correction."]}
    assert not StatusEntryReview.objects.exists()


# --- The overall status that follows from the entries ---


def test_the_overall_status_is_that_of_the_most_recent_accepted_entry(staff, focal_point, viewer, icao):
    assert overall_status("3.2", viewer) is None
    log(staff, icao, status=Status.IN_PROGRESS, reported_on=MAY)
    # Logged later but reporting on an earlier day: it does not make the status older.
    log(staff, icao, status=Status.PLANNED, reported_on=MARCH)
    assert overall_status("3.2", viewer) == Status.IN_PROGRESS
    # Submitted and returned entries do not count until accepted.
    submitted = log(focal_point, icao, status=Status.COMPLETED, reported_on=timezone.localdate())
    returned = log(focal_point, icao, status=Status.DELAYED, reported_on=timezone.localdate())
    status_entry_review(entry=returned, reviewer=staff, decision=ReviewDecision.RETURN, comment="Delayed by what?")
    assert overall_status("3.2", viewer) == Status.IN_PROGRESS
    status_entry_review(entry=submitted, reviewer=staff, decision=ReviewDecision.ACCEPT)
    assert overall_status("3.2", viewer) == Status.COMPLETED


def test_an_accepted_correction_replaces_the_entry_it_corrects_even_when_it_reports_on_an_earlier_day(
    staff, focal_point, viewer, icao
):
    original = log(staff, icao, status=Status.COMPLETED, reported_on=MAY)
    assert overall_status("3.2", viewer) == Status.COMPLETED
    # "Completed" was a mistake: on 1 April the work was delayed, and nothing since.
    correction = log(focal_point, icao, status=Status.DELAYED, reported_on=APRIL, supersedes=original)
    # Until CTED accepts the correction, the accepted entry stands.
    assert overall_status("3.2", viewer) == Status.COMPLETED
    status_entry_review(entry=correction, reviewer=staff, decision=ReviewDecision.ACCEPT)
    assert overall_status("3.2", viewer) == Status.DELAYED
    assert overall_status("3.2", staff) == Status.DELAYED
    # The corrected entry is still in the history, unchanged.
    original.refresh_from_db()
    assert (original.status, original.review_state) == (Status.COMPLETED, ReviewState.ACCEPTED)


def test_a_returned_correction_leaves_the_corrected_entry_standing(staff, focal_point, viewer, icao):
    original = log(staff, icao, status=Status.COMPLETED, reported_on=MAY)
    correction = log(focal_point, icao, status=Status.DELAYED, reported_on=APRIL, supersedes=original)
    status_entry_review(entry=correction, reviewer=staff, decision=ReviewDecision.RETURN, comment="Why delayed?")
    assert overall_status("3.2", viewer) == Status.COMPLETED


def test_the_overall_status_reads_only_entries_the_user_may_read(staff, focal_point, other_focal_point, viewer, icao):
    StatusEntryFactory(
        activity=nairobi("3.2"), organization=icao, status=Status.PLANNED, reported_on=MARCH, author=staff
    )
    log(staff, icao, status=Status.DELAYED, reported_on=MAY, confidentiality=Confidentiality.RESTRICTED)
    assert overall_status("3.2", staff) == Status.DELAYED
    assert overall_status("3.2", focal_point) == Status.DELAYED
    assert overall_status("3.2", other_focal_point) == Status.PLANNED
    assert overall_status("3.2", viewer) == Status.PLANNED
