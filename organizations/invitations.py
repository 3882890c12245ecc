"""The signed link with which an invited person sets their password and first signs in.

The link stands in for a password the person does not have yet: it proves they read the
mailbox the invitation went to. It is valid for INVITATION_VALID_DAYS days, and once: it names
the account's password as it stood when the link was made (none yet), which setting one
replaces. A new invitation to the same person makes the earlier link useless too.
"""

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core import signing
from django.utils.crypto import salted_hmac

INVITATION_SALT = "account-invitation"
INVITATION_VALID_DAYS = 14


class InvitationUsed(signing.BadSignature):
    """The link was used already, or a newer invitation replaced it."""


def invitation_token(user: User) -> str:
    return signing.dumps({"user": user.pk, "state": _state(user)}, salt=INVITATION_SALT)


def user_for_invitation(token: str) -> User:
    """The account a link was made for.

    Raises signing.SignatureExpired (too old), InvitationUsed (a password was set since, or a newer
    invitation was sent) or signing.BadSignature (not one of ours, or the account is gone or closed).
    """
    data = signing.loads(token, salt=INVITATION_SALT, max_age=datetime.timedelta(days=INVITATION_VALID_DAYS))
    user = get_user_model().objects.filter(pk=data.get("user"), is_active=True).first()
    if user is None:
        raise signing.BadSignature("No such account.")
    if data.get("state") != _state(user):
        raise InvitationUsed("A password was set since the link was sent.")
    return user


def _state(user: User) -> str:
    """A digest of the account's password field: it changes when a password is set, and when a new
    invitation or a deactivation makes the password unusable again (Django gives each unusable one a
    random suffix)."""
    return salted_hmac(INVITATION_SALT, user.password).hexdigest()[:16]
