"""The API's token authentication: ``Authorization: Token <key>``, checked against ApiToken."""

import datetime
from typing import Any

from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from organizations.models import ApiToken
from organizations.roles import remember_role_group, role_group

# last_used_at is written at most this often, so using a token costs no write per request.
LAST_USED_PRECISION = datetime.timedelta(minutes=1)


class ApiTokenAuthentication(TokenAuthentication):
    """DRF's header parsing and WWW-Authenticate ("Token"); the key is looked up by its SHA-256.

    Refused with a 401: an unknown, revoked or expired token, one whose user is inactive, and
    one made before the user's password (or the SECRET_KEY) changed.
    """

    keyword = "Token"
    model = ApiToken

    def authenticate_credentials(self, key: str) -> tuple[Any, ApiToken]:
        # One query: the token, its user and the user's role.
        token = (
            ApiToken.objects.select_related("user")
            .annotate(role_group=role_group("user_id"))
            .filter(key_hash=ApiToken.hash_key(key))
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(gettext("Invalid token."))
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(gettext("This token was revoked."))
        now = timezone.now()
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed(gettext("This token has expired: ask for a new one."))
        user = token.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(gettext("User inactive or deleted."))
        if not constant_time_compare(token.fingerprint, user.get_session_auth_hash()):
            raise exceptions.AuthenticationFailed(
                gettext("This token was made before the account's password changed: ask for a new one.")
            )
        remember_role_group(user, token.role_group)  # type: ignore[attr-defined]  # annotated above
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return user, token
