from django.core.management.base import BaseCommand
from django.db import transaction

from actions.models import ActivityStatus


class Command(BaseCommand):
    help = (
        "Recompute every activity's kept overall status from its entries: once after upgrading to the "
        "release that keeps them, and after writing entries in bulk outside the application."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        count = ActivityStatus.objects.refresh_all()
        self.stdout.write(f"Kept statuses of {count} activities recomputed.")
