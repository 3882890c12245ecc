from django.core.management import call_command
from django.core.management.base import BaseCommand

from actions.models import Plan

SHIPPED = ["organizations", "nairobi-2007", "cica-2008"]


class Command(BaseCommand):
    help = (
        "Load the shipped organizations and plans into a database that has no plan yet. "
        "A database that already holds plans is left as it is, so edits made since are never overwritten."
    )

    def handle(self, *args, **options):
        if Plan.objects.exists():
            self.stdout.write("Plans are already loaded; nothing was overwritten.")
            return
        call_command("loaddata", *SHIPPED, verbosity=0)
        self.stdout.write(self.style.SUCCESS(f"Loaded {', '.join(SHIPPED)}."))
