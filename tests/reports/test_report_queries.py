"""What building a report costs: a fixed number of queries, however long the plan's history."""

import datetime
import itertools

import pytest

from actions.models import Responsibility, ReviewDecision, ReviewState, StatusEntryReview
from reports.builder import build_report
from reports.models import StocktakingCycle
from reports.services import cycle_close
from tests.factories import StatusEntryFactory
from tests.reports.scenario import fetch, new_cycle, populate, read_json, report_url, signed_in

pytestmark = pytest.mark.django_db


def add_history(count: int, reviewer) -> None:
    """``count`` entries on named pairs across the plan, inside the period, most of them reviewed."""
    pairs = itertools.cycle(
        Responsibility.objects.filter(activity__plan__code="nairobi-2007").select_related("activity", "organization")
    )
    for n in range(count):
        pair = next(pairs)
        entry = StatusEntryFactory(
            activity=pair.activity,
            organization=pair.organization,
            author=reviewer,
            review_state=ReviewState.SUBMITTED,
            reported_on=datetime.date(2025, 1, 1) + datetime.timedelta(days=n % 180),
        )
        if n % 3 == 0:
            continue  # still waiting for review
        decision = ReviewDecision.ACCEPT if n % 3 == 1 else ReviewDecision.RETURN
        StatusEntryReview.objects.create(entry=entry, reviewer=reviewer, decision=decision, comment="Checked.")
        entry.review_state = ReviewState.ACCEPTED if decision == ReviewDecision.ACCEPT else ReviewState.RETURNED
        entry.save(update_fields=["review_state"])


@pytest.fixture
def cycle(staff, focal_point, other_focal_point, secretariat):
    earlier = new_cycle(
        secretariat,
        title="2024",
        start=datetime.date(2024, 1, 1),
        end=datetime.date(2024, 12, 31),
        deadline=datetime.date(2025, 1, 15),
    )
    cycle_close(cycle=earlier, actor=secretariat, confirm=True)  # so there is a previous cycle to compare with
    cycle = new_cycle(secretariat)
    populate(staff, focal_point, other_focal_point)
    return cycle


@pytest.mark.parametrize("edition", ["participants", "internal"])
def test_building_a_report_does_not_grow_with_the_entries(django_assert_num_queries, cycle, staff, edition):
    cycle = StocktakingCycle.objects.select_related("plan").get(pk=cycle.pk)

    def build():
        # the previous cycle; the activities with their objectives and both overall statuses; the
        # expected reporters (activities, responsibilities, open kinds, participants, their
        # organizations, not-applicable declarations); each organization's latest entry in the
        # cycle; the objectives; the pairs that reported (who has not); the earlier cycles' completeness
        with django_assert_num_queries(12):
            return build_report(cycle=cycle, edition=edition)

    before = build()
    add_history(60, staff)
    after = build()
    assert after.reported_pairs > before.reported_pairs, "the new entries are in the report"
    assert [point.title for point in after.history] == ["2024", cycle.title]  # the earlier cycle, then its own


def test_the_report_download_does_not_grow_with_the_entries(django_assert_num_queries, cycle, staff):
    client = signed_in(staff)
    # the session; the user; the cycle with its plan; the reader's role; then the 12 queries of
    # building the report
    with django_assert_num_queries(16):
        before = read_json(fetch(client, report_url(cycle, "json")))
    add_history(60, staff)
    with django_assert_num_queries(16):
        after = read_json(fetch(client, report_url(cycle, "json")))
    assert after["completeness"]["reported"] > before["completeness"]["reported"]
