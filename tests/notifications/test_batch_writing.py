"""E-mails written in batches: one query for those written before, one insert for the rest, so
the cost of logging an entry or of a reminder run does not grow by queries with the recipients."""

from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from actions.services import status_entry_log
from notifications.mailing import Mail, reminders_write
from notifications.models import Reminder
from organizations.models import FocalPoint
from tests.helpers import nairobi


def mails(n: int, key: str = "test:batch") -> list[Mail]:
    return [
        Mail(recipient=f"person{i}@example.org", key=key, step="logged", template="entry_logged", context={})
        for i in range(n)
    ]


def test_a_batch_writes_each_e_mail_once(db):
    assert reminders_write(mails(5)) == 5
    assert reminders_write(mails(7)) == 2  # five of the seven were written before
    twice = [*mails(1, key="test:twice"), *mails(1, key="test:twice")]
    assert reminders_write(twice) == 1
    assert Reminder.objects.filter(key="test:batch").count() == 7


def test_a_batch_that_meets_another_run_s_rows_writes_one_by_one(db, monkeypatch):
    def conflict(*args, **kwargs):
        raise IntegrityError("another run wrote one of them meanwhile")

    monkeypatch.setattr(Reminder.objects, "bulk_create", conflict)
    assert reminders_write(mails(3)) == 3
    assert Reminder.objects.filter(key="test:batch").count() == 3


def queries_to_log(staff, icao) -> int:
    with CaptureQueriesContext(connection) as captured:
        status_entry_log(
            activity=nairobi("3.2"), organization=icao, author=staff, status="ongoing", observations="Progress."
        )
    return len(captured)


def test_logging_an_entry_costs_as_many_queries_for_many_focal_points_as_for_two(staff, icao):
    for i in range(2):
        FocalPoint.objects.create(organization=icao, name=f"Focal point {i}", email=f"fp{i}@icao.int")
    queries_to_log(staff, icao)  # the author's role is read once, then kept on the user
    two = queries_to_log(staff, icao)
    for i in range(2, 30):
        FocalPoint.objects.create(organization=icao, name=f"Focal point {i}", email=f"fp{i}@icao.int")
    thirty = queries_to_log(staff, icao)
    assert thirty == two
    assert Reminder.objects.filter(recipient="fp29@icao.int").count() == 1
    print(f"logging an entry: {two} queries with 2 focal points, {thirty} with 30")
