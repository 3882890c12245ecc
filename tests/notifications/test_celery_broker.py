"""Celery against a real broker: a worker delivers a reminder through Redis, and logging
progress with the broker down still succeeds, the e-mail going out with the next run."""

import datetime
import os
import time

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from actions.models import Activity, StatusEntry
from notifications.models import Reminder, ReminderState
from organizations.models import FocalPoint, Organization
from organizations.roles import Role
from reports.services import cycle_create
from tests.factories import UserFactory
from tracker.celery import app

BROKER = os.environ.get("CELERY_TEST_BROKER", "redis://127.0.0.1:6379/15")
UNREACHABLE = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def broker(request):
    """Point the Celery app at a broker for one test, and back to in-process tasks after it."""
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}

    def reset_connections() -> None:
        # Celery keeps a connection pool and a producer pool made for the previous broker.
        if app._pool is not None:
            app._pool.force_close_all()
            app._pool = None
        app.amqp._producer_pool = None

    def use(url: str) -> None:
        app.conf.broker_url = url
        app.conf.task_always_eager = False
        reset_connections()

    yield use
    app.conf.update(saved)
    reset_connections()


def redis_or_skip(url: str) -> None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        message = f"No Redis at {url}"
        if os.environ.get("REQUIRE_BROWSER") or os.environ.get("REQUIRE_REDIS"):
            pytest.fail(message)
        pytest.skip(message)


def open_cycle_due_in(days: int, author):
    from actions.models import Plan

    today = timezone.localdate()
    return cycle_create(
        plan=Plan.objects.get(code="nairobi-2007"),
        title="Worker test",
        period_start=today - datetime.timedelta(days=60),
        period_end=today + datetime.timedelta(days=days + 10),
        deadline=today + datetime.timedelta(days=days),
        author=author,
        open_now=True,
    )


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_a_reminder_through_redis(broker):
    from celery.contrib.testing.worker import start_worker

    from notifications.tasks import run_job

    redis_or_skip(BROKER)
    call_command("loaddata", "organizations", "nairobi-2007", verbosity=0)
    staff = UserFactory(username="alice", role=Role.STAFF)
    icao = Organization.objects.get(acronym="ICAO")
    FocalPoint.objects.create(organization=icao, name="Ada", email="ada@icao.example")
    cycle = open_cycle_due_in(7, staff)
    left = len(cycle.unreported()[icao])

    broker(BROKER)
    with app.connection_for_write() as connection:
        connection.default_channel.client.flushdb()  # nothing left over from an earlier run
    mail.outbox.clear()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        run_job.apply_async(args=["reminders"])
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any(m.to == ["ada@icao.example"] for m in mail.outbox):
            time.sleep(0.2)

    to_ada = [m for m in mail.outbox if m.to == ["ada@icao.example"]]
    assert len(to_ada) == 1
    assert to_ada[0].subject == f"ICAO has {left} activities to report on for Worker test"
    assert left > 4  # named in 3.2, 3.3, 3.4 and 5.2, and a participant of a kind many more are open to
    assert "/activities/" in to_ada[0].body
    reminder = Reminder.objects.get(recipient="ada@icao.example", step="before-7")
    assert reminder.state == ReminderState.SENT


@pytest.mark.django_db
@pytest.mark.usefixtures("named_only")
def test_logging_progress_with_the_broker_down_succeeds_and_the_mail_goes_with_the_next_run(
    broker, client, django_capture_on_commit_callbacks
):
    icao = Organization.objects.get(acronym="ICAO")
    bob = UserFactory(username="bob", role=Role.FOCAL_POINT, organization=icao)  # a focal point with an e-mail
    ines = FocalPoint.objects.create(organization=icao, name="Ines", email="ines@icao.example.org")
    staff = UserFactory(username="alice", role=Role.STAFF)
    open_cycle_due_in(7, staff)
    activity = Activity.objects.get(plan__code="nairobi-2007", number="3.2")
    client.force_login(bob)

    broker(UNREACHABLE)
    mail.outbox.clear()
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/activities/{activity.pk}/",
            {
                "organization": icao.pk,
                "status": "in_progress",
                "observations": "Two workshops held.",
                "reported_on": timezone.localdate().isoformat(),
                "confidentiality": "participants",
            },
        )
    elapsed = time.monotonic() - started

    assert response.status_code == 302
    assert elapsed < 5, f"logging progress took {elapsed:.1f} s with the broker down"
    assert StatusEntry.objects.filter(activity=activity, organization=icao).count() == 1
    receipt = Reminder.objects.get(recipient=ines.email, step="logged")  # not Bob, who logged it
    assert receipt.state == ReminderState.PENDING  # could not be queued: nothing lost
    assert mail.outbox == []

    call_command("run_job", "reminders")  # the next run, as cron or beat would start it
    receipt.refresh_from_db()
    assert receipt.state == ReminderState.SENT
    by_subject = {m.subject: m for m in mail.outbox}
    assert set(by_subject) == {
        "ICAO: progress logged on nairobi-2007 3.2",
        "ICAO has 3 activities to report on for Worker test",
    }
    # ICAO reported on 3.2: the cycle's reminder, sent by the same run, lists only what is left.
    reminder = by_subject["ICAO has 3 activities to report on for Worker test"].body
    assert "- 3.3" in reminder and "- 3.4" in reminder and "- 5.2" in reminder and "- 3.2" not in reminder
