"""With a worker, logging or returning an entry queues its focal points' e-mails: the request
does not write one e-mail per focal point."""

import pytest
from celery import current_app
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from notifications.models import Reminder
from notifications.tasks import write_entry_receipts
from tests.notifications.mailbox import add_focal_point
from tests.reports.scenario import give_back, log

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(monkeypatch):
    """A broker whose worker has not run yet; what waits for the commit runs at once, as in a request."""
    queue: list[dict] = []
    monkeypatch.setitem(current_app.conf, "task_always_eager", False)
    monkeypatch.setattr(write_entry_receipts, "apply_async", lambda kwargs, **options: queue.append(kwargs))
    monkeypatch.setattr(transaction, "on_commit", lambda callback, using=None, robust=False: callback())
    return queue


def logging_queries(focal_point, number: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        log(focal_point, number, "ICAO", "in_progress", "Model legislation circulated.")
    return len(queries)


def test_logging_costs_the_same_queries_whatever_the_number_of_focal_points(focal_point, worker):
    logging_queries(focal_point, "3.4")  # the first request of a process reads what it then keeps
    few = logging_queries(focal_point, "3.2")
    for n in range(25):
        add_focal_point("ICAO", f"Person{n}")
    many = logging_queries(focal_point, "3.3")
    assert few == many
    assert Reminder.objects.count() == 0  # nothing written in the request
    assert [call["step"] for call in worker] == ["logged"] * 3

    for call in worker:
        write_entry_receipts(**call)
    assert Reminder.objects.filter(key__endswith=":logged").count() == 3 * 25  # the 25 others, not Bob who logged
    # Asked twice (a worker that died after writing), each e-mail is written once.
    write_entry_receipts(**worker[-1])
    assert Reminder.objects.filter(key__endswith=":logged").count() == 3 * 25


def test_a_returned_entrys_notice_is_written_by_the_worker_with_the_reason(staff, other_focal_point, worker):
    entry = log(other_focal_point, "3.6", "WCO", "planned", "Workshop scheduled.")
    give_back(entry, staff, comment="Say which ports took part.")
    assert worker[-1]["step"] == "returned" and worker[-1]["review_id"] is not None
    write_entry_receipts(**worker[-1])
    notice = Reminder.objects.get(key=f"entry:{entry.pk}:returned")
    assert "Say which ports took part." in notice.body.text


def test_with_the_broker_down_the_receipts_are_written_in_the_request(focal_point, monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setitem(current_app.conf, "task_always_eager", False)
    monkeypatch.setattr(write_entry_receipts, "apply_async", refuse)
    monkeypatch.setattr(transaction, "on_commit", lambda callback, using=None, robust=False: callback())
    add_focal_point("ICAO", "Ines")
    entry = log(focal_point, "3.2", "ICAO", "in_progress", "Model legislation circulated.")
    assert list(Reminder.objects.filter(key=f"entry:{entry.pk}:logged").values_list("recipient", flat=True)) == [
        "ines@icao.example.org"
    ]
