"""How fast the reminder and digest jobs write their e-mails at scale (issue 11).

    python benchmarks/jobs.py --database-url postgres://postgres@127.0.0.1:5432/tracker_scale

Against a database that holds the scale data (``python manage.py generate_scale_data``), it
opens a cycle on every generated plan that has none (deadline a week after ``--today``, so each
focal point with something left to report is reminded), has every user with an address choose
the digest, then runs ``send_cycle_reminders`` and ``send_digests`` once each, each from that
same state (as they run at different hours), and prints the e-mails written, the seconds, the
e-mails per second and the queries. Everything it writes is rolled back after each job: the
database is left as it was. It measures writing, which is what the
jobs do: sending is queued (notifications/delivery.py) and is not counted.
"""

import argparse
import datetime
import os
import sys
import time
from pathlib import Path


class RolledBack(Exception):
    """Raised to undo everything the benchmark wrote."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--today", type=datetime.date.fromisoformat, default=datetime.date(2026, 12, 8))
    options = parser.parse_args()
    os.environ.update(DATABASE_URL=options.database_url, LOG_LEVEL="WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings_test")
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

    import django

    django.setup()
    from django.db import transaction

    from notifications import jobs

    # Each job from the same state, as they run at different hours (the reminders daily, the
    # digest weekly): the digest measured after 150,000 reminders written in the same open
    # transaction read pages those writes had pushed out of the cache.
    for name, job in (("reminders", jobs.send_cycle_reminders), ("digests", jobs.send_digests)):
        try:
            with transaction.atomic():
                prepare(options.today, say=name == "reminders")
                run(name, job, options.today)
                raise RolledBack
        except RolledBack:
            pass


def prepare(today: datetime.date, *, say: bool) -> None:
    """A cycle open on every generated plan, and every user with an address choosing the digest."""
    from django.contrib.auth.models import User

    from actions.models import Plan
    from notifications import mailing
    from notifications.models import Reminder
    from organizations.models import FocalPoint, MailPreference, Profile
    from organizations.roles import Role
    from organizations.services import user_create
    from reports.models import CycleState, StocktakingCycle
    from reports.services import cycle_create

    mailing._enqueue_all = lambda ids: None  # writing is measured; the sending is queued, not timed
    author = User.objects.filter(is_superuser=False, groups__name="CTED staff").first() or user_create(
        username="bench-jobs-staff", role=Role.STAFF, password="bench", check_password=False
    )
    for plan in Plan.objects.filter(code__startswith="scale-"):
        if not StocktakingCycle.objects.filter(plan=plan, state=CycleState.OPEN).exists():
            cycle_create(
                plan=plan,
                title="Benchmark of the jobs",
                period_start=datetime.date(today.year, 1, 1),
                period_end=datetime.date(today.year, 12, 31),
                deadline=today + datetime.timedelta(days=7),
                author=author,
                open_now=True,
            )
    users = User.objects.filter(is_active=True).exclude(email="")
    Profile.objects.filter(user__in=users).update(mail=MailPreference.REMINDERS_AND_DIGESTS)
    Profile.objects.bulk_create(
        [Profile(user=user, mail=MailPreference.REMINDERS_AND_DIGESTS) for user in users.filter(profile__isnull=True)]
    )
    Reminder.objects.all().delete()
    if say:
        cycles = StocktakingCycle.objects.filter(state=CycleState.OPEN).count()
        print(
            f"{cycles} open cycles, {FocalPoint.objects.filter(is_active=True).count():,} focal points, "
            f"{users.count():,} users with an address, as on {today}",
            flush=True,
        )
        print(f"{'job':<12} {'e-mails':>10} {'seconds':>9} {'per second':>11} {'queries':>9}")


def run(name: str, job, today: datetime.date) -> None:
    """Run ``job`` once; print the e-mails it wrote, its seconds and its queries."""
    from django.db import connection

    from notifications.models import Reminder

    queries = 0

    def count(execute, sql, params, many, context):
        # Counted, not captured: capturing writes out each query with its parameters, which for the
        # UNION of a hundred cycles' entries took a tenth of a digest run.
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    before = Reminder.objects.count()
    with connection.execute_wrapper(count):
        started = time.perf_counter()
        job(today)
        took = time.perf_counter() - started
    written = Reminder.objects.count() - before
    print(f"{name:<12} {written:>10,} {took:>9.1f} {written / took:>11,.0f} {queries:>9,}", flush=True)


if __name__ == "__main__":
    main()
