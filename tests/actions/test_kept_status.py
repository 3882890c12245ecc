"""Each activity's overall status, kept as a row by every write of its entries (ActivityStatus),
stays equal to a full recount from the entries, and the counts read from it equal the live ones
for every kind of reader, focal points who filed in confidence included."""

import datetime
import random

import pytest

from actions import permissions
from actions.models import (
    Activity,
    ActivityStatus,
    Confidentiality,
    OrganizationProgress,
    ReviewState,
    Status,
    StatusEntry,
)
from actions.services import status_entry_log, status_entry_review
from actions.views import _latest_by_organization
from tests.factories import StatusEntryFactory
from tests.helpers import NAIROBI, nairobi, organization

pytestmark = pytest.mark.django_db

NUMBERS = ["3.2", "3.3", "3.4", "5.2"]  # ICAO is named in all four; WCO may log 3.6 only
DAY = datetime.date(2026, 6, 30)


def recount() -> dict[int, tuple[str | None, str | None]]:
    """Every activity's status from its entries, as the live reads give it, for staff and for participants."""
    rows = (
        Activity.objects.with_overall_status(permissions.SYSTEM, name="every")
        .with_overall_status(permissions.PARTICIPANTS, name="shared")
        .values_list("pk", "every", "shared")
    )
    return {pk: (every, shared) for pk, every, shared in rows}


def standing_recount() -> dict[tuple[int, int], tuple[int, str, str]]:
    """Each organization's standing entry on each activity, read live from the entries (as CTED staff)."""
    standing = {}
    for activity_id, organization_id in set(StatusEntry.objects.values_list("activity_id", "organization_id")):
        entry = (
            StatusEntry.objects.filter(activity_id=activity_id, organization_id=organization_id)
            .standing(permissions.SYSTEM)
            .first()
        )
        if entry is not None:
            standing[activity_id, organization_id] = (entry.pk, entry.status, entry.review_state)
    return standing


def kept_standing() -> dict[tuple[int, int], tuple[int, str, str]]:
    return {
        (row.activity_id, row.organization_id): (row.entry_id, row.status, row.review_state)
        for row in OrganizationProgress.objects.all()
    }


def kept() -> dict[int, tuple[str | None, str | None]]:
    stored = {row.activity_id: (row.status, row.shared_status) for row in ActivityStatus.objects.all()}
    # An activity without a kept row has no entry yet, or is read live: compare what is kept.
    return stored


def live_distribution(activities, who, by: str) -> dict:
    rows = activities.order_by().with_overall_status(who).values(by, "status")
    distribution: dict = {}
    for row in rows:
        counts = distribution.setdefault(row[by], {})
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    return distribution


def test_the_kept_statuses_equal_a_full_recount_after_a_random_history(staff, focal_point, icao):
    rng = random.Random(2007)
    activities = [nairobi(number) for number in NUMBERS]
    for step in range(150):
        activity = rng.choice(activities)
        latest = (
            StatusEntry.objects.filter(activity=activity, organization=icao, superseded_by__isnull=True)
            .exclude(review_state__in=[ReviewState.SUPERSEDED, ReviewState.RETURNED])
            .latest_first()
            .first()
        )
        action = rng.choice(["log", "review", "review", "correct", "staff"])
        confidentiality = rng.choice([Confidentiality.PARTICIPANTS, Confidentiality.RESTRICTED])
        fields = {
            "activity": activity,
            "organization": icao,
            "status": rng.choice(Status.values),
            "observations": f"Step {step}",
            "reported_on": DAY - datetime.timedelta(days=rng.randrange(400)),
            "confidentiality": confidentiality,
        }
        if action == "log":
            status_entry_log(author=focal_point, **fields)
        elif action == "staff":
            status_entry_log(author=staff, **fields)
        elif action == "correct" and latest is not None:
            status_entry_log(author=focal_point, supersedes=latest, **fields)
        else:
            submitted = list(StatusEntry.objects.filter(review_state=ReviewState.SUBMITTED).order_by("pk"))
            if submitted:
                waiting = rng.choice(submitted)
                decision = rng.choice(["accept", "accept", "return"])
                status_entry_review(entry=waiting, reviewer=staff, decision=decision, comment="Why: a test.")
        truth = recount()
        assert {pk: truth[pk] for pk in kept()} == kept(), f"after step {step} ({action})"
        assert kept_standing() == standing_recount(), f"after step {step} ({action})"
    assert set(kept()) == {a.pk for a in activities}
    # What an organization's page and a focal point's home show of its progress, read from what
    # is kept for CTED staff and its own focal points, is the live reading.
    for who in (staff, focal_point):
        shown = Activity.objects.filter(pk__in=[a.pk for a in activities]).with_organization_progress(icao, who)
        for activity in shown:
            live = StatusEntry.objects.filter(activity=activity, organization=icao).standing(who).first()
            expected = (live.status, live.review_state) if live else (None, None)
            assert (activity.organization_status, activity.organization_review_state) == expected
    # The activity page's latest entry per organization, read from what is kept for CTED staff,
    # is the live one.
    for activity in activities:
        live = StatusEntry.objects.filter(activity=activity).standing(staff).latest_per_activity_and_organization()
        shown = _latest_by_organization(activity, staff)
        assert {org.pk: entry.pk for org, _, entry in shown if entry} == {e.organization_id: e.pk for e in live}
    # The history had every kind of step the rule has to follow.
    entries = StatusEntry.objects.all()
    assert entries.filter(supersedes__isnull=False, review_state=ReviewState.ACCEPTED).exists()
    assert entries.filter(review_state=ReviewState.RETURNED).exists()
    assert entries.filter(confidentiality=Confidentiality.RESTRICTED, review_state=ReviewState.ACCEPTED).exists()
    assert len({status for status, _ in kept().values()}) > 1


@pytest.mark.parametrize("reader", ["staff", "viewer", "focal_point", "other_focal_point", "secretariat"])
def test_the_counts_read_from_the_kept_statuses_equal_the_live_counts(request, reader, icao, wco, staff):
    who = request.getfixturevalue(reader)
    # Shared and confidential entries, accepted and not, one confidential correction of a shared entry.
    shared = StatusEntryFactory(activity=nairobi("3.2"), organization=icao, status=Status.ONGOING)
    StatusEntryFactory(
        activity=nairobi("3.2"),
        organization=icao,
        status=Status.COMPLETED,
        confidentiality=Confidentiality.RESTRICTED,
        supersedes=shared,
        reported_on=DAY + datetime.timedelta(days=1),
    )
    StatusEntryFactory(activity=nairobi("3.3"), organization=icao, confidentiality=Confidentiality.RESTRICTED)
    StatusEntryFactory(activity=nairobi("3.6"), organization=wco, status=Status.DELAYED)
    StatusEntryFactory(activity=nairobi("3.6"), organization=wco, review_state=ReviewState.SUBMITTED)
    StatusEntryFactory(activity=nairobi("5.2"), organization=icao, review_state=ReviewState.RETURNED)
    plans = Activity.objects.all()
    nairobi_activities = Activity.objects.filter(plan__code=NAIROBI)
    assert plans.status_distribution(who, by="plan_id") == live_distribution(plans, who, "plan_id")
    assert nairobi_activities.status_distribution(who, by="objective_id") == live_distribution(
        nairobi_activities, who, "objective_id"
    )


def test_an_activity_without_a_kept_status_is_counted_live(viewer, icao):
    StatusEntryFactory(activity=nairobi("3.2"), organization=icao, status=Status.COMPLETED)
    ActivityStatus.objects.all().delete()
    activities = Activity.objects.filter(plan__code=NAIROBI)
    counts = activities.status_distribution(viewer, by="plan_id")
    assert counts == live_distribution(activities, viewer, "plan_id")
    assert sum(n for status, n in next(iter(counts.values())).items() if status == Status.COMPLETED) == 1


def test_refresh_all_repairs_what_a_bulk_write_left_behind(icao):
    StatusEntry.objects.bulk_create(
        [StatusEntryFactory.build(activity=nairobi("3.2"), organization=icao, author=icao_author())]
    )
    assert not ActivityStatus.objects.filter(activity=nairobi("3.2")).exists()  # bulk_create sends no signal
    assert not OrganizationProgress.objects.filter(activity=nairobi("3.2")).exists()
    assert ActivityStatus.objects.refresh_all() == Activity.objects.count()
    truth = recount()
    assert kept() == truth
    assert OrganizationProgress.objects.refresh_all() == 1
    assert kept_standing() == standing_recount()


def icao_author():
    from tests.factories import UserFactory

    return UserFactory(organization=organization("ICAO"), role="focal_point")


def test_the_command_recomputes_every_kept_status(icao):
    import io

    from django.core.management import call_command

    StatusEntryFactory(activity=nairobi("3.2"), organization=icao, status=Status.COMPLETED)
    ActivityStatus.objects.all().delete()
    OrganizationProgress.objects.all().delete()
    out = io.StringIO()
    call_command("refresh_activity_statuses", stdout=out)
    assert (
        f"Kept statuses of {Activity.objects.count()} activities and 1 standing entries recomputed." in out.getvalue()
    )
    assert ActivityStatus.objects.get(activity=nairobi("3.2")).status == Status.COMPLETED
    assert kept() == recount()
    assert kept_standing() == standing_recount()
