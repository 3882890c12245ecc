"""Append-only in the database as well as in the code: on PostgreSQL a trigger refuses to change
an entry's content, to delete an entry or a review, and to delete a closed cycle.

SQLite, the embedded first-run database, has no such trigger: there the tests state that the
same SQL goes through, so a change of that is seen too. CI runs the suite on both.
"""

import pytest
from django.contrib.admin.sites import site
from django.db import IntegrityError, connection, transaction
from django.test import RequestFactory

from actions.models import ReviewState, StatusEntry, StatusEntryReview
from reports.models import StocktakingCycle
from reports.services import cycle_close
from tests.factories import StatusEntryFactory
from tests.helpers import nairobi, organization
from tests.reports.scenario import new_cycle

pytestmark = pytest.mark.django_db

POSTGRESQL = connection.vendor == "postgresql"


def refused(sql: str, params: list) -> bool:
    """Whether the database refuses ``sql``; what it did is rolled back either way."""
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
            raise _Undo
    except IntegrityError:
        return True
    except _Undo:
        return False


class _Undo(Exception):
    pass


@pytest.fixture
def entry(staff):
    entry = StatusEntryFactory(activity=nairobi("3.2"), organization=organization("ICAO"), author=staff)
    StatusEntryReview.objects.create(entry=entry, reviewer=staff, decision="accept")
    return entry


@pytest.mark.parametrize(
    ("what", "sql"),
    [
        ("the observations", "UPDATE actions_statusentry SET observations = 'rewritten' WHERE id = %s"),
        ("the status", "UPDATE actions_statusentry SET status = 'completed' WHERE id = %s"),
        ("the day reported on", "UPDATE actions_statusentry SET reported_on = '2001-01-01' WHERE id = %s"),
        ("when it was logged", "UPDATE actions_statusentry SET created_at = '2001-01-01' WHERE id = %s"),
        ("the entry", "DELETE FROM actions_statusentry WHERE id = %s"),
        ("its review", "UPDATE actions_statusentryreview SET comment = 'rewritten' WHERE entry_id = %s"),
        ("its review, deleted", "DELETE FROM actions_statusentryreview WHERE entry_id = %s"),
    ],
)
def test_an_entrys_content_and_its_reviews_cannot_be_changed_in_sql(entry, what, sql):
    assert refused(sql, [entry.pk]) is POSTGRESQL, what
    entry.refresh_from_db()
    assert entry.observations != "rewritten"


def test_the_review_state_still_moves(entry):
    """What the application changes in place, the review state, the trigger lets through."""
    assert not refused(
        "UPDATE actions_statusentry SET review_state = %s WHERE id = %s", [ReviewState.RETURNED, entry.pk]
    )
    StatusEntry.objects.filter(pk=entry.pk).update(review_state=ReviewState.RETURNED)
    entry.refresh_from_db()
    assert entry.review_state == ReviewState.RETURNED


def test_a_closed_cycle_cannot_be_deleted_but_a_planned_one_can(secretariat, staff):
    planned = new_cycle(secretariat, title="Planned, then dropped")
    StocktakingCycle.objects.filter(pk=planned.pk).update(state="planned", opened_at=None)
    assert not refused("DELETE FROM reports_stocktakingcycle WHERE id = %s", [planned.pk])

    cycle = new_cycle(secretariat, title="Closed and kept")
    cycle_close(cycle=cycle, actor=secretariat, confirm=True)
    assert refused("DELETE FROM reports_stocktakingcycle WHERE id = %s", [cycle.pk]) is POSTGRESQL

    # The admin does not offer it, on either database.
    request = RequestFactory().get("/admin/")
    request.user = staff
    cycle_admin = site._registry[StocktakingCycle]
    assert cycle_admin.has_delete_permission(request, cycle) is False
