import datetime

from django.core.management.base import BaseCommand, CommandError

from notifications.jobs import JOBS, run


class Command(BaseCommand):
    help = "Run one background job once, without Celery (by hand or from cron)."

    def add_arguments(self, parser):
        parser.add_argument("name", choices=sorted(JOBS))
        parser.add_argument("--date", help="Run as on this day (YYYY-MM-DD), e.g. to catch up a missed run.")

    def handle(self, *args, name, date, **options):
        today = None
        if date:
            try:
                today = datetime.date.fromisoformat(date)
            except ValueError:
                raise CommandError(f"--date {date!r} is not a date: give YYYY-MM-DD.") from None
        self.stdout.write(run(name, today))
