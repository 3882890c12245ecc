import base64
import functools
import hashlib
import time

from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequiredMiddleware
from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from rest_framework.renderers import BrowsableAPIRenderer

from reports import exports


class LoginRequiredMiddleware(DjangoLoginRequiredMiddleware):
    """Every page needs a signed-in user unless its view is marked ``login_not_required``.

    DRF marks its views so: the API answers for itself with a 401 and a WWW-Authenticate
    header, which an integration understands and a redirect is not. The API's
    documentation is a page for people, so there a visitor is sent to sign in.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/v1/docs/") and not request.user.is_authenticated:
            return self.handle_no_permission(request, view_func)
        return super().process_view(request, view_func, view_args, view_kwargs)


class RejectNulCharactersMiddleware:
    """A NUL character in an address is never meant: answer 400 before anything reads it.

    PostgreSQL cannot hold one in text, so such a value reaching a lookup would be a 500.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in query or "\x00" in query:
            message = "Addresses may not contain NUL characters."
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class PrivateCacheMiddleware:
    """What a signed-in person sees (pages and API) is theirs: no cache, shared or the browser's
    own, keeps a copy (``Cache-Control: private, no-store``). The sign-in page, the static
    files (served before this by WhiteNoise) and what a view marks ``public`` (the status
    colours' stylesheet, the same for everyone) are left as they are."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # Read after the view: DRF puts the user a token names on the request then.
        directives = {d.strip().lower() for d in response.get("Cache-Control", "").split(",")}
        if request.user.is_authenticated and "public" not in directives:
            patch_cache_control(response, private=True, no_store=True)
        return response


class HtmxVaryMiddleware:
    """A page answers htmx with a fragment of itself at the same address (the plan page's list, an
    activity's progress): ``Vary: HX-Request`` keeps the two apart in every cache, the browser's
    history included, so that Back never shows a fragment alone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_vary_headers(response, ("HX-Request",))
        return response


def _hash_source(text: str) -> str:
    """``text``'s Content-Security-Policy hash source: its SHA-256, in base64."""
    return f"'sha256-{base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()}'"


@functools.cache
def report_stylesheet_source() -> str:
    """The hash source of the HTML report's inlined stylesheet."""
    return _hash_source(exports._stylesheet())


# DRF's browsable API places two buttons with this style attribute (its template, not ours).
BROWSABLE_API_STYLE_ATTRIBUTE = "float: right; margin-right: 10px"


class KnownInlineStylesMiddleware:
    """Two responses carry inline styles the policy allows by their hash, on those responses only:

    - the HTML stocktaking report inlines its stylesheet in a <style> element on purpose: it stands
      alone as a downloaded file and in the PDF, and a closed cycle's report is the same bytes each
      time (so no nonce). Page and API allow exactly that stylesheet;
    - DRF's browsable API writes ``style="float: right; margin-right: 10px"`` on two buttons:
      that one attribute value is allowed (``'unsafe-hashes'`` with its hash), no other.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        match = request.resolver_match
        if match and match.url_name == "cycle-report":
            response._csp_update = {"style-src": [report_stylesheet_source()]}
        elif isinstance(getattr(response, "accepted_renderer", None), BrowsableAPIRenderer):
            response._csp_update = {"style-src-attr": ["'unsafe-hashes'", _hash_source(BROWSABLE_API_STYLE_ATTRIBUTE)]}
        return response


# When the session was last renewed, in seconds since the epoch (in the session itself).
SESSION_RENEWED_AT = "_renewed_at"
SESSION_RENEW_AFTER = 60


def session_renewed_at_login(sender, request, user, **kwargs):
    """Signing in starts the session's idle clock (connected in tracker/apps.py)."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_RENEWED_AT] = int(time.time())


class IdleSessionMiddleware:
    """A signed-in session ends SESSION_COOKIE_AGE seconds after its last request: a request renews
    it (the cookie and the stored session) once its last renewal is a minute old, so an idle
    session ends at most a minute early and a busy one costs a write a minute, not one a page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            if now - request.session.get(SESSION_RENEWED_AT, 0) >= SESSION_RENEW_AFTER:
                request.session[SESSION_RENEWED_AT] = now
        return self.get_response(request)
