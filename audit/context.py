"""Who made a change, for the audit trail: pghistory's context around a request or a command.

On PostgreSQL, every statement inside the context tells the triggers which context it belongs
to, and the events they write point to it; the context holds the user, address and page of a
request, or the name of a command and the system account that ran it. On SQLite there are no
triggers, and nothing is added to the statements.
"""

import contextlib
import contextvars
import getpass
from collections.abc import Iterator, Sequence
from typing import Any

import pghistory
from django.db import connection
from django.http import HttpRequest

from tracker.client_ip import client_ip

# The request being answered, for what is recorded away from it (a token made, a cycle opened).
current_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar("current_request", default=None)

# The management command running, for the security events it causes (a password set by create_user).
current_command: contextvars.ContextVar[str] = contextvars.ContextVar("current_command", default="")

# Commands that run a server: each request it answers gets its own context.
SERVERS = {"runserver", "testserver"}


def recorded() -> bool:
    """Whether changes are recorded here: on PostgreSQL, where the triggers are."""
    return connection.vendor == "postgresql"


def of_request(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "user": user.pk if user is not None and user.is_authenticated else None,
        "url": request.path[:500],
        "method": request.method,
        "ip": client_ip(request),
    }


@contextlib.contextmanager
def for_command(argv: Sequence[str]) -> Iterator[None]:
    """Around a management command: its changes carry its name and the system account running it."""
    name = argv[1] if len(argv) > 1 else ""
    if not name or name in SERVERS:
        yield
        return
    token = current_command.set(name)
    try:
        if not recorded():
            yield
            return
        try:
            os_user = getpass.getuser()
        except (KeyError, OSError):  # no name for this uid (a container's)
            os_user = ""
        with pghistory.context(command=name, os_user=os_user):
            yield
    finally:
        current_command.reset(token)
