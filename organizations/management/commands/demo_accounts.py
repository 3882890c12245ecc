import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from organizations.models import Organization
from organizations.roles import Role
from organizations.services import user_create

DEMO_ACCOUNTS = [
    ("demo-staff", Role.STAFF, None),
    ("demo-secretariat", Role.SECRETARIAT, None),
    ("demo-focal-point", Role.FOCAL_POINT, "ICAO"),
    ("demo-viewer", Role.VIEWER, None),
]


class Command(BaseCommand):
    help = "Create one demonstration account per role with a fresh random password, and print them."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Run even with LOCAL off (never on a real deployment)."
        )

    @transaction.atomic
    def handle(self, *args, force, **options):
        if not settings.LOCAL and not force:
            raise CommandError("Demo accounts are for a local try-out: run with LOCAL=1, or pass --force.")
        User = get_user_model()
        self.stdout.write("Demo accounts (passwords are new on every run):")
        for username, role, acronym in DEMO_ACCOUNTS:
            password = secrets.token_urlsafe(9)
            user = User.objects.filter(username=username).first()
            if user is None:
                organization = Organization.objects.get(acronym=acronym) if acronym else None
                user_create(
                    username=username,
                    role=role,
                    password=password,
                    email=f"{username}@example.org",
                    organization=organization,
                    name=f"Demo {role.label.lower()}",
                    check_password=False,
                )
            else:
                user.set_password(password)
                user.save(update_fields=["password"])
            where = f" ({acronym})" if acronym else ""
            self.stdout.write(f"  {role.label + where:<26} {username:<18} {password}")
