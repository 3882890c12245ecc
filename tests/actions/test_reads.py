"""The read rules that pages, API, reports and jobs share: each asked directly.

"Most recent", an entry that stands, the latest entry per activity and organization, the
overall status (now and as of a moment), and the actors the jobs read as.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from actions import permissions
from actions.models import (
    Activity,
    Confidentiality,
    ReviewState,
    Status,
    StatusEntry,
    StatusEntryReview,
    review_state_as_of,
)
from actions.services import status_entry_log, status_entry_review
from tests.factories import StatusEntryFactory, UserFactory
from tests.helpers import nairobi, organization

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 6, 30)


def entry(number="3.2", acronym="ICAO", **fields) -> StatusEntry:
    return StatusEntryFactory(activity=nairobi(number), organization=organization(acronym), **fields)


def latest(reader, number="3.2") -> dict[str, str]:
    rows = (
        StatusEntry.objects.filter(activity=nairobi(number))
        .standing(reader)
        .latest_per_activity_and_organization()
        .values_list("organization__acronym", "observations")
    )
    return dict(rows)


def test_the_latest_entry_per_organization_is_the_one_reporting_on_the_later_day_then_logged_later(staff):
    entry(observations="old", reported_on=DAY - datetime.timedelta(days=3))
    entry(observations="new", reported_on=DAY)
    entry(observations="same day, logged later", reported_on=DAY)
    entry(acronym="UNODC", observations="UNODC's", reported_on=DAY - datetime.timedelta(days=9))
    assert latest(staff) == {"ICAO": "same day, logged later", "UNODC": "UNODC's"}


def test_an_accepted_correction_replaces_its_entry_and_a_hidden_one_does_not(staff, viewer, focal_point):
    first = entry(observations="first", reported_on=DAY)
    entry(
        observations="correction in confidence",
        reported_on=DAY - datetime.timedelta(days=1),  # reports on an earlier day, yet it replaces
        supersedes=first,
        confidentiality=Confidentiality.RESTRICTED,
    )
    assert latest(staff) == {"ICAO": "correction in confidence"}
    assert latest(focal_point) == {"ICAO": "correction in confidence"}  # ICAO's own
    assert latest(viewer) == {"ICAO": "first"}  # the viewer cannot read the correction


def test_a_correction_awaiting_review_does_not_replace_yet(staff):
    first = entry(observations="first", reported_on=DAY - datetime.timedelta(days=1))
    entry(observations="waiting", reported_on=DAY - datetime.timedelta(days=2), supersedes=first,
          review_state=ReviewState.SUBMITTED)  # fmt: skip
    assert latest(staff) == {"ICAO": "first"}


def test_the_overall_status_now_and_as_of_a_moment_before_the_review(staff):
    entry(status=Status.PLANNED, reported_on=DAY - datetime.timedelta(days=5))
    submitted = entry(status=Status.COMPLETED, reported_on=DAY, review_state=ReviewState.SUBMITTED)
    before_review = timezone.now()
    StatusEntryReview.objects.create(entry=submitted, reviewer=staff, decision="accept")
    StatusEntry.objects.filter(pk=submitted.pk).update(review_state=ReviewState.ACCEPTED)

    def overall(**as_of) -> str | None:
        return Activity.objects.with_overall_status(staff, **as_of).get(pk=nairobi("3.2").pk).status

    assert overall() == Status.COMPLETED
    assert overall(as_of=before_review) == Status.PLANNED
    assert overall(as_of=timezone.now(), reported_until=DAY - datetime.timedelta(days=1)) == Status.PLANNED


def test_a_superseded_entry_read_as_of_a_moment_before_its_correction_was_submitted(staff, focal_point):
    """A stocktaking report as of a moment reads each entry's review state then: an entry
    corrected while it awaited review was submitted until the correction was logged."""
    icao = organization("ICAO")
    fields = {"activity": nairobi("3.2"), "organization": icao, "author": focal_point, "reported_on": DAY}
    original = status_entry_log(status=Status.PLANNED, observations="Planned.", **fields)
    before_correction = timezone.now()
    correction = status_entry_log(status=Status.DELAYED, observations="Delayed.", supersedes=original, **fields)
    after_correction = timezone.now()
    status_entry_review(entry=correction, reviewer=staff, decision="return", comment="Say why.")

    def state_of(entry: StatusEntry, as_of: datetime.datetime | None) -> str:
        return StatusEntry.objects.annotate(then=review_state_as_of(as_of)).get(pk=entry.pk).then

    assert state_of(original, None) == ReviewState.SUPERSEDED
    assert state_of(original, before_correction) == ReviewState.SUBMITTED
    assert state_of(original, after_correction) == ReviewState.SUPERSEDED
    assert state_of(correction, after_correction) == ReviewState.SUBMITTED
    assert state_of(correction, None) == ReviewState.RETURNED


def test_the_participants_reader_reads_what_a_viewer_reads_and_the_system_reads_everything(viewer):
    entry(observations="open", confidentiality=Confidentiality.PARTICIPANTS)
    entry(acronym="UNODC", observations="in confidence", confidentiality=Confidentiality.RESTRICTED)
    assert latest(permissions.PARTICIPANTS) == latest(viewer) == {"ICAO": "open"}
    assert latest(permissions.SYSTEM) == {"ICAO": "open", "UNODC": "in confidence"}


def test_an_actor_is_read_once_per_user_object(focal_point, django_assert_num_queries):
    with django_assert_num_queries(2):  # the role (groups), the focal point's organization
        actor = permissions.actor_of(focal_point)
        assert permissions.actor_of(focal_point) is actor
    assert actor.organization.acronym == "ICAO"


def test_decisions_say_why_and_raise_the_answer_every_surface_gives(focal_point, viewer):
    not_open = permissions.may_log(focal_point, organization=organization("ICAO"), activity=nairobi("3.6"))
    assert not not_open and not not_open.forbidden
    assert not_open.field_errors == {"organization": ["ICAO is not responsible for activity 3.6."]}
    with pytest.raises(ValidationError):
        not_open.require()
    not_yours = permissions.may_log(focal_point, organization=organization("WCO"))
    assert not_yours.forbidden and not_yours.reason == "You may not log progress on behalf of WCO."
    with pytest.raises(PermissionDenied):
        not_yours.require()
    assert permissions.may_log(focal_point, organization=organization("ICAO"), activity=nairobi("3.2"))
    assert not permissions.may_log(viewer)


def test_the_system_runs_stocktaking_but_never_logs_or_reviews():
    assert permissions.may_run_stocktaking(permissions.SYSTEM)
    assert permissions.may_log(permissions.SYSTEM).forbidden
    assert permissions.may_review(permissions.SYSTEM).forbidden
    assert not permissions.may_run_stocktaking(permissions.PARTICIPANTS)
    assert not permissions.may_run_stocktaking(UserFactory())  # an account with no role
