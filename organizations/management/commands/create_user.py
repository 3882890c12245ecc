import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from organizations.models import Organization
from organizations.roles import Role
from organizations.services import user_create


class Command(BaseCommand):
    help = (
        "Create an account with a role. The password is read from TRACKER_PASSWORD when it is set, "
        "and asked for otherwise."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--organization", help="Acronym of the focal point's organization.")
        parser.add_argument("--email", default="")
        parser.add_argument("--name", default="", help="The focal point's name in the directory.")

    def handle(self, *args, username, role, organization, email, name, **options):
        found = None
        if organization:
            found = Organization.objects.filter(acronym__iexact=organization).first()
            if found is None:
                raise CommandError(f"No organization has the acronym {organization!r}.")
        password = os.environ.get("TRACKER_PASSWORD") or self._ask_password()
        try:
            user = user_create(
                username=username, role=role, password=password, email=email, organization=found, name=name
            )
        except ValidationError as error:
            lines = [f"{field}: {message}" for field, messages in error.message_dict.items() for message in messages]
            raise CommandError("The account was not created:\n  " + "\n  ".join(lines)) from None
        where = f" of {found.acronym}" if found else ""
        self.stdout.write(self.style.SUCCESS(f"Created {user.username}, {Role(role).label}{where}."))

    def _ask_password(self) -> str:
        try:
            first = getpass.getpass("Password: ")
            second = getpass.getpass("Password (again): ")
        except (EOFError, KeyboardInterrupt):
            raise CommandError("No password given: set TRACKER_PASSWORD or type one at the prompt.") from None
        if first != second:
            raise CommandError("The two passwords differ.")
        if not first:
            raise CommandError("The password is empty.")
        return first
