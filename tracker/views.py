"""The site's own error pages where Django asks for a view: a form refused for its CSRF token."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without a valid token, in the site's layout: what happened and what to do.
    Django's reason (a developer's words) is not shown; it is in the server's log."""
    return render(request, "403_csrf.html", {"no_cookie": not request.COOKIES}, status=403)
