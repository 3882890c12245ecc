"""Which of the six languages a person reads: the one they chose (the switch in the header, or their
profile), kept in their profile and carried by their session; else what their browser asks for.

Django's LocaleMiddleware reads the browser (the switch's cookie, then Accept-Language); the
middleware here, after it, puts a signed-in person's own choice first, from the session, so that
no page reads the profile: it is put in the session when they sign in and when they choose.
E-mails are written in the recipient's language (``language_of``).
"""

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from organizations.models import Profile
from tracker.languages import supported

# The session's copy of the profile's choice ("" where the person chose none).
SESSION_KEY = "language"


def language_of(user: Any) -> str:
    """The language ``user``'s e-mails are written in: their choice, else the site's (English)."""
    profile = getattr(user, "profile", None) if user is not None else None
    return supported(profile.language if profile is not None else None) or settings.LANGUAGE_CODE


def remember(request: HttpRequest, language: str) -> None:
    """Carry a signed-in person's choice in their session."""
    if hasattr(request, "session"):
        request.session[SESSION_KEY] = language


def remembered_at_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Signing in brings the language of the person's profile (connected in organizations/apps.py)."""
    if request is not None:
        chosen = Profile.objects.filter(user=user).values_list("language", flat=True).first()
        remember(request, chosen or "")


class ChosenLanguageMiddleware:
    """A signed-in person's chosen language over the browser's (after LocaleMiddleware)."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        chosen = supported(session.get(SESSION_KEY)) if session is not None else None
        if chosen is not None and chosen != getattr(request, "LANGUAGE_CODE", None):
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
        return self.get_response(request)
