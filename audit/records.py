"""Writing a security event: the one place that does."""

from typing import Any

from django.http import HttpRequest

from audit.context import current_command, current_request
from audit.models import SecurityEvent, SecurityEventKind
from tracker.client_ip import client_ip


def security_event_record(
    kind: SecurityEventKind,
    *,
    request: HttpRequest | None = None,
    user: Any = None,
    username: str = "",
    detail: str = "",
) -> SecurityEvent:
    """Record ``kind``: by ``user`` (else the request's signed-in user), about ``username`` (else the
    user's), from the request's address and path (else the request being answered, if any, or the
    management command running)."""
    request = request if request is not None else current_request.get()
    command = current_command.get()
    if user is None and request is not None:
        user = getattr(request, "user", None)
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    return SecurityEvent.objects.create(
        kind=kind,
        user=user,
        username=(username or (user.get_username() if user is not None else ""))[:150],
        ip_address=client_ip(request) if request is not None else None,
        method=(request.method or "")[:10] if request is not None else "",
        path=request.path[:500] if request is not None else (f"manage.py {command}" if command else ""),
        detail=detail[:500],
    )
