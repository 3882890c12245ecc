"""The request a page's view receives, as the type checker should see it."""

from django.contrib.auth.models import User
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class Request(HttpRequest):
    """A request to a page: signed in (LoginRequiredMiddleware sees to it) and read by django-htmx.

    Views marked ``login_not_required`` take a plain HttpRequest instead.
    """

    user: User
    htmx: HtmxDetails
