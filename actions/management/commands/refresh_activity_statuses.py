from django.core.management.base import BaseCommand
from django.db import transaction

from actions.models import ActivityStatus, OrganizationProgress


class Command(BaseCommand):
    help = (
        "Recompute every activity's kept overall status and each organization's kept standing entry on it "
        "from the entries: once after upgrading to the release that keeps them, and after writing entries "
        "in bulk outside the application."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        count = ActivityStatus.objects.refresh_all()
        standing = OrganizationProgress.objects.refresh_all()
        self.stdout.write(f"Kept statuses of {count} activities and {standing} standing entries recomputed.")
