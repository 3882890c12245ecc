from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from tracker.backups import backup


class Command(BaseCommand):
    help = "Back up the database DATABASE_URL names to a file (pg_dump for PostgreSQL, a copy for SQLite)."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="Where to write it; backups/tracker-<date and time>.<dump|sqlite3>")

    def handle(self, *args, file, **options):
        database = settings.DATABASES["default"]
        if not file:
            extension = "dump" if database["ENGINE"].endswith("postgresql") else "sqlite3"
            file = settings.BASE_DIR / "backups" / f"tracker-{timezone.now():%Y%m%d-%H%M%S}.{extension}"
        backup(database, Path(file))
        self.stdout.write(f"Backed up to {file}")
