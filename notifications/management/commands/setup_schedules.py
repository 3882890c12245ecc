import json

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from notifications.schedules import PREFIX, SCHEDULES, TASK


class Command(BaseCommand):
    help = "Write the schedules of notifications/schedules.py into django-celery-beat, and remove old ones."

    @transaction.atomic
    def handle(self, *args, **options):
        for name, fields in SCHEDULES.items():
            crontab = {"minute": "*", "hour": "*", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*"}
            crontab.update(fields)
            schedule, _ = CrontabSchedule.objects.get_or_create(**crontab, timezone=settings.TIME_ZONE)
            PeriodicTask.objects.update_or_create(
                name=PREFIX + name,
                defaults={
                    "task": TASK,
                    "args": json.dumps([name]),
                    "crontab": schedule,
                    "interval": None,
                    "enabled": True,
                },
            )
        stale = PeriodicTask.objects.filter(name__startswith=PREFIX).exclude(
            name__in=[PREFIX + name for name in SCHEDULES]
        )
        removed = stale.count()
        stale.delete()
        self.stdout.write(f"{len(SCHEDULES)} schedule(s) written, {removed} removed.")
