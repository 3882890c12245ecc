"""The signed link with which a focal point confirms their contact details once a year.

The link stands in for signing in: it proves the reader has that mailbox. It is valid for
CONFIRM_VALID_DAYS days.
"""

import datetime

from django.core import signing

from organizations.models import FocalPoint

CONFIRM_SALT = "focal-point-confirm"
CONFIRM_VALID_DAYS = 90


def confirmation_token(focal_point: FocalPoint) -> str:
    return signing.dumps({"focal_point": focal_point.pk}, salt=CONFIRM_SALT)


def focal_point_id_from_token(token: str) -> int:
    """The focal point a token was made for; raises signing.SignatureExpired or signing.BadSignature."""
    data = signing.loads(token, salt=CONFIRM_SALT, max_age=datetime.timedelta(days=CONFIRM_VALID_DAYS))
    return int(data["focal_point"])
