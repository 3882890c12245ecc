#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    import django
    from django.core.management import execute_from_command_line

    django.setup()
    from audit.context import for_command

    # What a command changes is recorded in the audit trail under the command's name.
    with for_command(sys.argv):
        execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
