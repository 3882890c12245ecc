"""The request a page's view receives, as the type checker should see it; and the way back after a button."""

from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.middleware import HtmxDetails


class Request(HttpRequest):
    """A request to a page: signed in (LoginRequiredMiddleware sees to it) and read by django-htmx.

    Views marked ``login_not_required`` take a plain HttpRequest instead.
    """

    user: User
    htmx: HtmxDetails


def back_to(request: HttpRequest, default: Any) -> HttpResponseRedirect:
    """Back to the page the form was posted from (its ``next`` field, an address on this site only),
    else to ``default`` (anything ``redirect`` takes)."""
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(back)
    return redirect(default)
