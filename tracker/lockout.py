"""What a locked-out sign-in answers (django-axes' AXES_LOCKOUT_CALLABLE, and the API's token endpoint).

Axes locks a username at one client address after LOGIN_FAILURE_LIMIT wrong passwords, for
LOGIN_COOLOFF_MINUTES; every attempt during the lockout, the right password too, starts the wait again.
"""

import datetime

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import ngettext


def cooloff_minutes() -> int:
    return int(settings.LOGIN_COOLOFF_MINUTES)


def lockout_message() -> str:
    minutes = cooloff_minutes()
    return ngettext(
        "Too many failed sign-in attempts: this account is locked at your address for %(minutes)s minute. "
        "Try again after that; every attempt before then starts the wait again.",
        "Too many failed sign-in attempts: this account is locked at your address for %(minutes)s minutes. "
        "Try again after that; every attempt before then starts the wait again.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """The sign-in pages' answer (the web and the admin login): a page saying when to try again, 429."""
    minutes = cooloff_minutes()
    context = {
        "minutes": minutes,
        "until": timezone.now() + datetime.timedelta(minutes=minutes),
        "message": lockout_message(),
    }
    response = render(request, "registration/locked_out.html", context, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response
