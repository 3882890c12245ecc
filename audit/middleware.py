from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from pghistory.middleware import HistoryMiddleware

from audit import context
from audit.models import SecurityEventKind
from audit.records import security_event_record

WRITES = {"POST", "PUT", "PATCH", "DELETE"}


class AuditMiddleware(HistoryMiddleware):
    """Ties the changes a request makes to its user, address and page in the audit trail (on
    PostgreSQL; pghistory's middleware, which also follows the user an API token authenticates),
    and records each refused request (403) as a security event."""

    get_response: Callable[[HttpRequest], HttpResponse]

    def get_context(self, request: HttpRequest) -> dict:
        return context.of_request(request)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = context.current_request.set(request)
        try:
            if request.method in WRITES and context.recorded():
                response = super().__call__(request)
            else:
                response = self.get_response(request)
            if response.status_code == 403:
                security_event_record(SecurityEventKind.REQUEST_DENIED, request=request)
        finally:
            context.current_request.reset(token)
        return response
