from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from tracker.backups import restore


class Command(BaseCommand):
    help = (
        "Replace everything in the database DATABASE_URL names with a backup made by `backup`, then migrate it "
        "(a backup of an older release is brought up to this one)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--yes", action="store_true", help="Replace the database without asking.")

    def handle(self, *args, file, yes, **options):
        database = settings.DATABASES["default"]
        if not yes:
            raise CommandError(f"This replaces everything in {database['NAME']}: run it again with --yes.")
        restore(database, Path(file))
        call_command("migrate", verbosity=0, interactive=False)
        self.stdout.write(f"Restored {file} into {database['NAME']} and migrated it.")
